"""Mermaid diagrams drawn ahead of the build: every ```mermaid fence becomes inline SVG.

`fence` is the pymdownx.superfences formatter named in mkdocs.yml. A build only
reads drawings: they are committed in includes/diagrams/, one JSON file per
diagram, named by a hash of the diagram's source and of the drawing settings
(includes/diagrams/settings.json: the pinned Mermaid version, Material's
diagram CSS and sequence settings, and the values of the palettes' CSS
variables that CSS uses). So `make build`, `docker build .` and the Pages
workflow need no browser, and the settings are never read from the installed
Material at build time (a move to Zensical keeps the diagrams).

`make diagrams` (python -m course diagrams) draws what is new or changed, in
one headless Chromium (Debian's, via Playwright) with the mermaid.min.js that
package-lock.json pins, and deletes drawings no page uses. It first takes the
settings anew from Material's bundle and stylesheets and extra.css; when they
changed, every diagram is drawn again. A build that meets a diagram without a
drawing fails with the page, the line and that command; so does the test suite
(tests/test_diagrams.py), which also fails when the settings are out of date.

Each diagram is drawn twice, for Material's light (default) and dark (slate)
palette. The two drawings have the same shapes, so the page gets one SVG with
both palettes' styles, the dark ones scoped to [data-md-color-scheme=slate]
(half the bytes of two copies); if they ever differ, it gets both SVGs and
extra.css shows the one of the page's scheme. Either way the palette toggle
switches diagrams at once, with no script, and no page loads mermaid.js.

Modes (environment variable COURSE_DIAGRAMS, or set by hooks/diagram_preview.py):
  svg      (default) every diagram from its committed drawing
  preview  `mkdocs serve`: the committed drawing, and a diagram being edited
           (no drawing yet) left to mkdocs-mermaid2-plugin to draw in the browser
  browser  every diagram drawn in the browser by mkdocs-mermaid2-plugin
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import html
import json
import os
import re
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

from pymdownx.superfences import SuperFencesException

ROOT = Path(__file__).resolve().parents[2]
MERMAID_JS = ROOT / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
MODES = ("svg", "preview", "browser")
MODE = os.environ.get("COURSE_DIAGRAMS", "svg")
SETTINGS_NAME = "settings.json"
# Part of the settings: raise it when the drawing's post-processing (combine, _pruned, …)
# changes, and `make diagrams` draws every diagram anew.
FORMAT = 1

# Material's palettes in mkdocs.yml (tests/test_diagrams.py checks they match):
# name -> attributes of <body> that select Material's colours.
PALETTES = {
    "light": {"data-md-color-scheme": "default", "data-md-color-primary": "indigo", "data-md-color-accent": "indigo"},
    "dark": {"data-md-color-scheme": "slate", "data-md-color-primary": "indigo", "data-md-color-accent": "indigo"},
}

# Added to Material's diagram CSS: Mermaid 11's sequence-diagram arrowheads keep the
# default theme's #333 (a rule on the marker's id that Material's CSS does not reach),
# nearly invisible on the dark palette. Draw them in the edge colour, like the lines.
EXTRA_THEME_CSS = '[id$="-arrowhead"] path{fill:var(--md-mermaid-edge-color);stroke:var(--md-mermaid-edge-color)}'

FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)$")


try:  # MkDocs prints its BuildError as one line, without a traceback
    from mkdocs.exceptions import BuildError
except ImportError:  # another generator that runs superfences formatters (Zensical)
    BuildError = Exception


class DiagramError(SuperFencesException, BuildError):
    """A diagram that cannot be drawn, or has no drawing: a SuperFencesException, so it fails the build."""


@dataclass(frozen=True)
class Diagram:
    source: str  # normalized (see normalize)
    page: str  # docs/… path, or "" when not found in docs/
    line: int  # line of the opening fence

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}" if self.page else "a diagram not found in docs/"


def normalize(source: str) -> str:
    """The diagram's text as superfences hands it over, without indentation or trailing blanks."""
    lines = [line.rstrip() for line in textwrap.dedent(source.expandtabs(4)).splitlines()]
    return "\n".join(lines).strip("\n")


# --------------------------------------------------------------------------- finding the diagrams
def find_in_text(text: str, page: str) -> list[Diagram]:
    """The ```mermaid fences of one Markdown file (not those shown inside another fence)."""
    found = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE_OPEN.match(lines[i])
        if not opening:
            i += 1
            continue
        char, length = opening["fence"][0], len(opening["fence"])
        closing = re.compile(rf"^[ \t]*{re.escape(char)}{{{length},}}[ \t]*$")
        end = next((j for j in range(i + 1, len(lines)) if closing.match(lines[j])), len(lines))
        if opening["info"].split() and opening["info"].split()[0] in ("mermaid", ".mermaid", "{.mermaid}"):
            body = [
                line[len(opening["indent"]) :] if line.startswith(opening["indent"]) else line
                for line in lines[i + 1 : end]
            ]
            found.append(Diagram(normalize("\n".join(body)), page, i + 1))
        i = end + 1
    return found


def find_diagrams(docs_dir: Path) -> list[Diagram]:
    """Every diagram of every page, in file order."""
    diagrams = []
    for path in sorted(docs_dir.rglob("*.md")):
        page = f"{docs_dir.name}/{path.relative_to(docs_dir).as_posix()}"
        diagrams += find_in_text(path.read_text(encoding="utf-8"), page)
    return diagrams


def project_root() -> Path:
    """The project being built: MkDocs runs in the project (also in a copy of it)."""
    here = Path.cwd()
    return here if (here / "docs").is_dir() and (here / "mkdocs.yml").is_file() else ROOT


def drawings_dir(project: Path | None = None) -> Path:
    """Where the committed drawings are (COURSE_DIAGRAMS_DIR, for tests, wins)."""
    override = os.environ.get("COURSE_DIAGRAMS_DIR")
    return Path(override) if override else (project or project_root()) / "includes" / "diagrams"


def _shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


# --------------------------------------------------------------------------- the settings and the drawings
def load_settings(folder: Path) -> dict:
    path = folder / SETTINGS_NAME
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DiagramError(f"{_shown(path)} is missing: run `make diagrams`") from None
    except ValueError as error:
        raise DiagramError(f"{_shown(path)}: not JSON ({error}): run `make diagrams`") from None
    return settings


def fingerprint(settings: dict) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def key(source: str, settings: dict) -> str:
    return hashlib.sha256(f"{fingerprint(settings)}\n{normalize(source)}".encode()).hexdigest()[:20]


def lookup(source: str, folder: Path, settings: dict) -> dict | None:
    """The drawing of `source`, only if it was drawn from exactly this source with these settings."""
    try:
        entry = json.loads((folder / f"{key(source, settings)}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if entry.get("source") != normalize(source) or entry.get("settings") != fingerprint(settings):
        return None
    return entry


def store(source: str, drawings: dict, folder: Path, settings: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key(source, settings)}.json"
    entry = {"source": normalize(source), "settings": fingerprint(settings), **drawings}
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(entry, indent=0) + "\n", encoding="utf-8")
    os.replace(temporary, path)  # never a half-written entry, even with two runs at once
    return path


def mermaid_version(project: Path = ROOT) -> str:
    """The Mermaid version package-lock.json pins (and node_modules holds, checked when drawing)."""
    lock = json.loads((project / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/mermaid"]["version"]


def _installed_mermaid(project: Path) -> str:
    manifest = project / "node_modules" / "mermaid" / "package.json"
    if not manifest.is_file():
        raise DiagramError("node_modules/mermaid is missing: run `npm ci` (make vendor)")
    installed = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    if installed != mermaid_version(project):
        raise DiagramError(
            f"node_modules/mermaid is {installed} but package-lock.json pins {mermaid_version(project)}: run `npm ci`"
        )
    return installed


def _material_dir() -> Path:
    import material

    return Path(material.__file__).parent / "templates" / "assets"


def _one(pattern: str) -> Path:
    matches = sorted(glob.glob(pattern))
    if len(matches) != 1:
        raise DiagramError(f"expected one file matching {pattern}, found {len(matches)}")
    return Path(matches[0])


def material_diagram_settings() -> dict:
    """Material's mermaid.initialize settings, from the installed bundle (when drawing and in tests only)."""
    bundle = _one(str(_material_dir() / "javascripts" / "bundle.*.min.js")).read_text(encoding="utf-8")
    # Material: mermaid.initialize({startOnLoad:!1,themeCSS:Xn,sequence:{…}}) with var Xn="…".
    init = re.search(r"mermaid\.initialize\(\{startOnLoad:!1,themeCSS:(\w+),sequence:(\{[^}]*\})\}\)", bundle)
    css = init and re.search(rf'var {init[1]}="((?:[^"\\]|\\.)*)"', bundle)
    if not css:
        raise DiagramError("Material's mermaid settings not found in its bundle: update scripts/course/diagrams.py")
    return {
        "themeCSS": json.loads(f'"{css[1]}"') + EXTRA_THEME_CSS,
        "sequence": json.loads(re.sub(r"(\w+):", r'"\1":', init[2])),
    }


def stylesheets(project: Path) -> list[Path]:
    assets = _material_dir()
    return [
        _one(str(assets / "stylesheets" / "main.*.min.css")),
        _one(str(assets / "stylesheets" / "palette.*.min.css")),
        project / "docs" / "assets" / "stylesheets" / "extra.css",
    ]


# In a page with Material's and the course's style sheets: per palette, the values of the
# CSS variables that the diagram CSS names, and the fonts the drawing measures text with.
PAGE_STYLE_JS = """
({ names, palettes }) => {
  const result = { palettes: {}, page: {} };
  for (const [palette, attributes] of Object.entries(palettes)) {
    for (const [attribute, value] of Object.entries(attributes)) document.body.setAttribute(attribute, value);
    const style = getComputedStyle(document.body);
    result.palettes[palette] = Object.fromEntries(names.map((name) => [name, style.getPropertyValue(name).trim()]));
  }
  const body = getComputedStyle(document.body);
  result.page = {
    "html-font-size": getComputedStyle(document.documentElement).fontSize,
    "font-family": body.fontFamily, "font-size": body.fontSize, "line-height": body.lineHeight,
  };
  return result;
}
"""


def current_settings(page, project: Path) -> dict:
    """The drawing settings as the installed Material, extra.css and package-lock.json give them now."""
    material = material_diagram_settings()
    page.set_content(_blank_page())
    for sheet in stylesheets(project):
        page.add_style_tag(path=str(sheet))
    names = sorted(set(re.findall(r"var\((--[\w-]+)\)", material["themeCSS"])))
    style = page.evaluate(PAGE_STYLE_JS, {"names": names, "palettes": PALETTES})
    empty = [f"{p}: {n}" for p, values in style["palettes"].items() for n, v in values.items() if not v]
    if empty:
        raise DiagramError(f"CSS variables of Material's diagram CSS without a value: {', '.join(empty)}")
    return {
        "format": FORMAT,
        "mermaid": mermaid_version(project),
        **material,
        "palettes": style["palettes"],
        "page": style["page"],
    }


# --------------------------------------------------------------------------- drawing
# Runs in a blank page: draws each diagram in each palette as Material does (same
# mermaid.initialize settings), with the palette's CSS variables set on <body>, then
# replaces the variables by their values, so each SVG stands alone.
DRAW_JS = """
async ({ items, palettes, themeCSS, sequence }) => {
  mermaid.initialize({ startOnLoad: false, themeCSS, sequence });
  const results = [];
  for (const { id, source } of items) {
    const result = {};
    try {
      await mermaid.parse(source);
      for (const [name, variables] of Object.entries(palettes)) {
        for (const [variable, value] of Object.entries(variables)) document.body.style.setProperty(variable, value);
        const { svg } = await mermaid.render(`${id}-${name}`, source);
        const style = getComputedStyle(document.body);
        let resolved = svg;
        for (let round = 0; round < 5 && /var\\(--/.test(resolved); round++) {
          resolved = resolved.replace(
            /var\\((--[\\w-]+)\\)/g, (all, name) => style.getPropertyValue(name).trim() || all);
        }
        const unresolved = resolved.match(/var\\(--[\\w-]+\\)/);
        if (unresolved) throw new Error(`CSS variable ${unresolved[0]} has no value in the ${name} palette`);
        result[name] = resolved;
      }
    } catch (error) {
      result.error = String((error && (error.message || error.str)) || error);
    }
    results.push(result);
  }
  return results;
}
"""


def _blank_page(settings: dict | None = None) -> str:
    """The page drawings are made in; with settings, their fonts (taken from Material's page)."""
    if settings is None:
        return "<!doctype html><html><head><meta charset='utf-8'></head><body></body></html>"
    page = settings["page"]
    body = "; ".join(f"{name}: {page[name]}" for name in ("font-family", "font-size", "line-height"))
    return (
        f"<!doctype html><html style=\"font-size: {page['html-font-size']}\"><head><meta charset='utf-8'></head>"
        f'<body style="margin: 0; {body}"></body></html>'
    )


def _accessible(svg: str, diagram: Diagram) -> str:
    """role="img", and the title and description Mermaid made from accTitle/accDescr, or an error."""
    missing = []
    if not re.search(r'<svg[^>]*aria-labelledby="[^"]+"', svg) or "<title" not in svg:
        missing.append("no title (Mermaid: accTitle)")
    if not re.search(r'<svg[^>]*aria-describedby="[^"]+"', svg) or "<desc" not in svg:
        missing.append("no description (Mermaid: accDescr)")
    if missing:
        raise DiagramError(f"{diagram.where}: diagram has {' and '.join(missing)}")
    return re.sub(r'(<svg[^>]*?) role="[^"]*"', r'\1 role="img"', svg, count=1)


GEOMETRY = re.compile(r'\b(d|points|transform|x|y|x1|x2|y1|y2|cx|cy|r|rx|ry|width|height|viewBox)="([^"]*)"')
STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def _rounded(svg: str) -> str:
    """Coordinates to 0.1 px (Mermaid writes up to 15 digits): a third less to transfer, no visible change."""

    def numbers(match: re.Match) -> str:
        value = re.sub(r"-?\d+\.\d{2,}", lambda n: f"{float(n[0]):.1f}", match[2])
        return f'{match[1]}="{value}"'

    return GEOMETRY.sub(numbers, svg)


def _own_ids(svg: str, prefix: str) -> str:
    """Prefix the ids Mermaid leaves global (sequence diagrams: actor0, root-0, … from a counter
    that runs on across drawings), numbered in document order: unique on a page, equal for
    the same diagram drawn twice."""
    names = {}
    for name in re.findall(r'(?<![\w-])id="([^"]+)"', svg):
        if prefix not in name and name not in names:  # chart-title-<prefix> is Mermaid's own
            names[name] = f"{prefix}-n{len(names)}"
    if not names:
        return svg
    pattern = re.compile(r'((?<![\w-])id="|"#|\(#)(' + "|".join(map(re.escape, names)) + r')(?=[")])')
    return pattern.sub(lambda m: m[1] + names[m[2]], svg)


def _css_blocks(css: str) -> list[str]:
    """Top-level rules and at-rules of minified CSS (Mermaid's, from stylis)."""
    blocks, depth, start = [], 0, 0
    for i, char in enumerate(css):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                blocks.append(css[start : i + 1])
                start = i + 1
    return blocks


def _pruned(svg: str) -> str:
    """Mermaid's <style> without the selectors naming a class the drawing does not use (most of
    them: the style sheet covers every diagram type): a third less to transfer, nothing drawn
    differently, since nothing changes the classes of a static SVG."""
    style = STYLE.search(svg)
    if not style:
        return svg
    markup = STYLE.sub("", svg)
    classes = {token for value in re.findall(r'class="([^"]*)"', markup) for token in value.split()}
    kept = []
    for block in _css_blocks(style[1]):
        prelude, body = block.split("{", 1)
        if prelude.lstrip().startswith("@"):
            kept.append(block)
            continue
        selectors = [s for s in prelude.split(",") if set(re.findall(r"\.(-?[_a-zA-Z][\w-]*)", s)) <= classes]
        if selectors:
            kept.append(",".join(selectors) + "{" + body)
    rules = "".join(b for b in kept if not b.startswith("@keyframes"))
    kept = [
        b
        for b in kept
        if not b.startswith("@keyframes") or re.search(rf"animation[^;}}]*\b{re.escape(b.split()[1])}\b", rules)
    ]
    return svg[: style.start(1)] + "".join(kept) + svg[style.end(1) :]


def combine(light: str, dark: str, prefix: str) -> dict:
    """One SVG when both palettes drew the same shapes (they do, with the same fonts): the light
    palette's styles, then the dark palette's, which apply under Material's slate scheme. Else both."""
    light, dark = (
        _pruned(_rounded(_own_ids(svg, f"{prefix}-{name}"))) for svg, name in ((light, "light"), (dark, "dark"))
    )
    same_ids = dark.replace(f"{prefix}-dark", f"{prefix}-light")
    if STYLE.sub("", light) != STYLE.sub("", same_ids) or len(STYLE.findall(light)) != 1:
        return {"light": light, "dark": dark}
    dark_css = re.sub(
        rf"(?<![\w(#-])#{re.escape(prefix)}-light\b",
        lambda m: f'[data-md-color-scheme="slate"] {m[0]}',
        STYLE.search(same_ids)[1],
    )
    merged = STYLE.sub(lambda m: f"<style>{m[1]}{dark_css}</style>", light, count=1)
    return {"svg": merged.replace(f"{prefix}-light", prefix)}


def _error(diagram: Diagram, message: str) -> DiagramError:
    # Mermaid counts lines from the diagram's first line (one below the fence); an error at
    # the end of the text it places on the line after the last.
    at = re.search(r"on line (\d+)", message)
    line = min(int(at[1]), len(diagram.source.splitlines())) if at else 0
    where = f"{diagram.page}:{diagram.line + line}" if line and diagram.page else diagram.where
    first = message.strip().splitlines()
    kind = "unknown diagram type" if "No diagram type detected" in message else "Mermaid syntax error"
    return DiagramError(f"{where}: {kind}: {' '.join(line.strip() for line in first[:4])}")


def draw(diagrams: list[Diagram], page, settings: dict) -> dict[str, dict]:
    """Draw `diagrams` in `page` (Chromium); return {source: {"svg": svg}} (see combine). Raises DiagramError."""
    unique = list({d.source: d for d in reversed(diagrams)}.values())[::-1]  # first place each source is used
    page.set_content(_blank_page(settings))
    page.add_script_tag(path=str(MERMAID_JS))
    items = [{"id": f"d{key(d.source, settings)[:12]}", "source": d.source} for d in unique]
    results = page.evaluate(
        DRAW_JS,
        {
            "items": items,
            "palettes": settings["palettes"],
            "themeCSS": settings["themeCSS"],
            "sequence": settings["sequence"],
        },
    )
    drawn = {}
    for diagram, result, item in zip(unique, results, items, strict=True):
        if "error" in result:
            raise _error(diagram, result["error"])
        svgs = {name: _accessible(result[name], diagram) for name in PALETTES}
        drawn[diagram.source] = combine(svgs["light"], svgs["dark"], item["id"])
    return drawn


@dataclass
class Redraw:
    drawn: list[Diagram]
    removed: list[Path]
    settings_changed: bool
    seconds: float


def redraw(project: Path = ROOT, folder: Path | None = None) -> Redraw:
    """`make diagrams`: take the settings anew, draw what has no drawing, delete what no page uses."""
    from course.browser import BrowserMissing, chromium

    folder = folder or drawings_dir(project)
    diagrams = find_diagrams(project / "docs")
    started = time.perf_counter()
    _installed_mermaid(project)
    try:
        old = load_settings(folder)
    except DiagramError:
        old = None
    # Named if Chromium fails: the first diagram to draw, as far as the old settings tell.
    undrawn = [d for d in diagrams if old is None or lookup(d.source, folder, old) is None]
    first = (undrawn or diagrams)[0].where if diagrams else "make diagrams"
    try:
        with chromium() as browser:
            page = browser.new_page()
            settings = current_settings(page, project)
            missing = [d for d in diagrams if lookup(d.source, folder, settings) is None]
            drawings = draw(missing, page, settings) if missing else {}
    except BrowserMissing as missing_browser:
        raise DiagramError(f"{first}: cannot draw diagrams, Chromium does not start: {missing_browser}") from None
    except DiagramError:
        raise
    except Exception as failure:  # Playwright: Chromium did not start or crashed
        cause = str(failure).strip().splitlines()[0]
        raise DiagramError(f"{first}: cannot draw diagrams, Chromium failed: {cause}") from None
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SETTINGS_NAME).write_text(json.dumps(settings, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    kept = {folder / SETTINGS_NAME}
    for source, drawing in drawings.items():
        store(source, drawing, folder, settings)
    kept |= {folder / f"{key(d.source, settings)}.json" for d in diagrams}
    removed = [path for path in sorted(folder.glob("*.json")) if path not in kept]
    for path in removed:
        path.unlink()
    return Redraw(missing, removed, old != settings, time.perf_counter() - started)


def stale(project: Path = ROOT, folder: Path | None = None) -> list[str]:
    """Problems with the committed drawings that need no browser to see: one line each, with the fix."""
    folder = folder or drawings_dir(project)
    try:
        settings = load_settings(folder)
    except DiagramError as error:
        return [str(error)]
    problems = []
    if settings.get("mermaid") != mermaid_version(project):
        problems.append(
            f"{_shown(folder / SETTINGS_NAME)}: drawn with Mermaid {settings.get('mermaid')}, "
            f"package-lock.json pins {mermaid_version(project)}: run `make diagrams`"
        )
    if settings.get("format") != FORMAT:
        problems.append(
            f"{_shown(folder / SETTINGS_NAME)}: drawings of format {settings.get('format')}, "
            f"scripts/course/diagrams.py makes format {FORMAT}: run `make diagrams`"
        )
    diagrams = find_diagrams(project / "docs")
    problems += [f"{d.where}: {NO_DRAWING}" for d in diagrams if lookup(d.source, folder, settings) is None]
    used = {f"{key(d.source, settings)}.json" for d in diagrams} | {SETTINGS_NAME}
    problems += [
        f"{_shown(path)}: a drawing no page uses: run `make diagrams` (it deletes it)"
        for path in sorted(folder.glob("*.json"))
        if path.name not in used
    ]
    return problems


# --------------------------------------------------------------------------- the superfences formatter
NO_DRAWING = "this diagram has no drawing (new or changed): run `make diagrams` and commit includes/diagrams/"


def _locate(source: str) -> Diagram:
    wanted = normalize(source)
    found = next((d for d in find_diagrams(project_root() / "docs") if d.source == wanted), None)
    return found or Diagram(wanted, "", 0)


_SETTINGS: dict[Path, dict] = {}


def _drawing(source: str) -> dict | None:
    folder = drawings_dir()
    if folder not in _SETTINGS:
        _SETTINGS[folder] = load_settings(folder)
    return lookup(source, folder, _SETTINGS[folder])


def fence(source, language, class_name, options, md, **kwargs):
    """pymdownx.superfences formatter for ```mermaid fences (see the module's docstring)."""
    if MODE not in MODES:
        raise DiagramError(f"COURSE_DIAGRAMS={MODE!r}: use one of {', '.join(MODES)}")
    entry = None if MODE == "browser" else _drawing(source)
    if entry is None and MODE in ("browser", "preview"):
        from mermaid2 import fence_mermaid_custom

        return fence_mermaid_custom(source, language, class_name, options, md, **kwargs)
    if entry is None:
        raise DiagramError(f"{_locate(source).where}: {NO_DRAWING}")
    # The same diagram twice on one page: give the second copy its own ids.
    seen = md.__dict__.setdefault("_course_diagrams", {})
    prefix = f"d{key(source, _SETTINGS[drawings_dir()])[:12]}"
    seen[prefix] = seen.get(prefix, 0) + 1
    parts = []
    for name in ["svg"] if "svg" in entry else PALETTES:
        svg = entry[name]
        if seen[prefix] > 1:
            svg = svg.replace(prefix, f"{prefix}x{seen[prefix]}")
        parts.append(svg if name == "svg" else f'<div class="diagram__{name}">{svg}</div>')
    return f'<div class="diagram"{_wrapper_attributes(parts[0])}>{"".join(parts)}</div>'


# A diagram is drawn at the width of the content column, but never below MIN_SCALE of its
# natural size (extra.css: labels of 16 px stay at 12.8 px or more); where the column is
# narrower, it scrolls sideways in its own box. A diagram that can scroll on a 320 px phone
# (a 288 px column) is a labelled region that takes the keyboard focus, so that the arrow
# keys scroll it.
MIN_SCALE = 0.8
NARROWEST_COLUMN = 288


def _wrapper_attributes(svg: str) -> str:
    """The natural width for extra.css (--diagram-width), and focus and a name where it may scroll."""
    box = re.search(r'<svg[^>]*?\sviewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)', svg, re.I)
    if not box:
        return ""
    width = float(box[1])
    attributes = f' style="--diagram-width: {width:.0f}px"'
    if width * MIN_SCALE > NARROWEST_COLUMN:
        title = re.search(r"<title[^>]*>(.*?)</title>", svg, re.S)
        name = html.escape(f"Diagram: {html.unescape(title[1]).strip()}" if title else "Diagram", quote=True)
        attributes += f' tabindex="0" role="region" aria-label="{name}"'
    return attributes


# --------------------------------------------------------------------------- python -m course diagrams
def run(args: argparse.Namespace) -> int:
    project = Path(args.project).resolve()
    folder = drawings_dir(project)
    try:
        result = redraw(project, folder)
    except DiagramError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    diagrams = find_diagrams(project / "docs")
    print(
        f"{len(diagrams)} diagrams ({len({d.source for d in diagrams})} different) on "
        f"{len({d.page for d in diagrams})} pages; drew {len({d.source for d in result.drawn})} in "
        f"{result.seconds:.1f} s"
        + (" (the drawing settings changed: all of them)" if result.settings_changed and result.drawn else "")
        + f", deleted {len(result.removed)} no page uses; drawings in {_shown(folder)}/"
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "diagrams", help="draw new or changed Mermaid diagrams of docs/ into includes/diagrams/ (needs Chromium)"
    )
    parser.add_argument("--project", default=str(ROOT), help="the project folder (default: this one)")
    parser.set_defaults(func=run)
