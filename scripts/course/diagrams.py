"""Mermaid diagrams drawn at build time: every ```mermaid fence becomes inline SVG.

`fence` is the pymdownx.superfences formatter named in mkdocs.yml. Each
diagram is drawn twice, for Material's light (default) and dark (slate)
palette. The two drawings have the same shapes, so the page gets one SVG with
both palettes' styles, the dark ones scoped to [data-md-color-scheme=slate]
(half the bytes of two copies); if they ever differ, it gets both SVGs and
extra.css shows the one of the page's scheme. Either way the palette toggle
switches diagrams at once, with no script, and no page loads mermaid.js.

The drawings come from a cache (.cache/diagrams/, one JSON file per diagram)
keyed by a hash of the diagram's source, the pinned Mermaid version, the
theme (Material's diagram CSS, its palette stylesheets, extra.css) and this
file. A build
that meets a diagram not in the cache draws every missing diagram of docs/ in
one headless Chromium (Debian's, via Playwright) with the same mermaid.min.js
that package-lock.json pins, the way Material draws it in the browser. So
`mkdocs build` needs no extra step; `python -m course diagrams` fills the
cache ahead (for `docker build`, where there is no Chromium) and reports
timings. A syntax error, an unknown diagram type, a diagram without
accTitle/accDescr or a Chromium that does not start fails the build with the
page, the line and the cause.

Modes (environment variable COURSE_DIAGRAMS, or set by hooks/diagram_preview.py):
  svg      (default) every diagram from the cache, drawn at build time
  preview  `mkdocs serve`: cached SVG, and a diagram being edited (not in the
           cache yet) left to mkdocs-mermaid2-plugin to draw in the browser
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
CACHE_DIR = Path(os.environ.get("COURSE_DIAGRAMS_CACHE", ROOT / ".cache" / "diagrams"))
MERMAID_JS = ROOT / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
MODES = ("svg", "preview", "browser")
MODE = os.environ.get("COURSE_DIAGRAMS", "svg")

# The drawing code is part of the cache key: any change to this file draws every diagram anew.
RENDERER = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()

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


class DiagramError(SuperFencesException):
    """A diagram that cannot be drawn. A SuperFencesException, so superfences lets it fail the build."""


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


def docs_dir() -> Path:
    """docs/ of the project being built: MkDocs runs in the project (also in a copy of it)."""
    here = Path.cwd() / "docs"
    return here if here.is_dir() else ROOT / "docs"


# --------------------------------------------------------------------------- the theme and the cache key
def _material_dir() -> Path:
    import material

    return Path(material.__file__).parent / "templates" / "assets"


def _one(pattern: str) -> Path:
    matches = sorted(glob.glob(pattern))
    if len(matches) != 1:
        raise DiagramError(f"expected one file matching {pattern}, found {len(matches)}")
    return Path(matches[0])


def mermaid_version() -> str:
    manifest = ROOT / "node_modules" / "mermaid" / "package.json"
    if not manifest.is_file():
        raise DiagramError("node_modules/mermaid is missing: run `npm ci` (make vendor)")
    installed = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    locked = lock["packages"]["node_modules/mermaid"]["version"]
    if installed != locked:
        raise DiagramError(f"node_modules/mermaid is {installed} but package-lock.json pins {locked}: run `npm ci`")
    return installed


_THEME: dict | None = None


def theme() -> dict:
    """What the drawings depend on besides their source: Material's diagram settings and stylesheets."""
    global _THEME
    if _THEME is None:
        assets = _material_dir()
        bundle = _one(str(assets / "javascripts" / "bundle.*.min.js")).read_text(encoding="utf-8")
        # Material: mermaid.initialize({startOnLoad:!1,themeCSS:Xn,sequence:{…}}) with var Xn="…".
        init = re.search(r"mermaid\.initialize\(\{startOnLoad:!1,themeCSS:(\w+),sequence:(\{[^}]*\})\}\)", bundle)
        css = init and re.search(rf'var {init[1]}="((?:[^"\\]|\\.)*)"', bundle)
        if not css:
            raise DiagramError("Material's mermaid settings not found in its bundle: update scripts/course/diagrams.py")
        sequence = json.loads(re.sub(r"(\w+):", r'"\1":', init[2]))
        stylesheets = [
            _one(str(assets / "stylesheets" / "main.*.min.css")),
            _one(str(assets / "stylesheets" / "palette.*.min.css")),
            ROOT / "docs" / "assets" / "stylesheets" / "extra.css",
        ]
        version = mermaid_version()
        digest = hashlib.sha256()
        for part in [RENDERER, version, css[1], EXTRA_THEME_CSS, json.dumps(sequence), json.dumps(PALETTES)]:
            digest.update(part.encode())
        for sheet in stylesheets:
            digest.update(sheet.read_bytes())
        _THEME = {
            "mermaid": version,
            "themeCSS": json.loads(f'"{css[1]}"') + EXTRA_THEME_CSS,
            "sequence": sequence,
            "stylesheets": stylesheets,
            "fingerprint": digest.hexdigest(),
        }
    return _THEME


def key(source: str) -> str:
    return hashlib.sha256(f"{theme()['fingerprint']}\n{normalize(source)}".encode()).hexdigest()


def cached(source: str) -> dict | None:
    """The drawings of `source`, only if the cache holds them for exactly this source and theme."""
    path = CACHE_DIR / f"{key(source)}.json"
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if entry.get("source") != normalize(source) or entry.get("theme") != theme()["fingerprint"]:
        return None
    return entry


def store(source: str, drawings: dict) -> None:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"{key(source)}.json"
    entry = {"source": normalize(source), "theme": theme()["fingerprint"], "mermaid": theme()["mermaid"], **drawings}
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(entry), encoding="utf-8")
    os.replace(temporary, path)  # never a half-written entry, even with two builds at once


# --------------------------------------------------------------------------- drawing
# Runs in the page: draws each diagram in each palette as Material does (same
# mermaid.initialize settings), then replaces the CSS variables of Material's
# diagram CSS by their values in that palette, so each SVG stands alone.
DRAW_JS = """
async ({ items, palettes, themeCSS, sequence }) => {
  mermaid.initialize({ startOnLoad: false, themeCSS, sequence });
  const results = [];
  for (const { id, source } of items) {
    const result = {};
    try {
      await mermaid.parse(source);
      for (const [name, attributes] of Object.entries(palettes)) {
        for (const [attribute, value] of Object.entries(attributes)) document.body.setAttribute(attribute, value);
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


def _page_html() -> str:
    body = " ".join(f'{a}="{v}"' for a, v in PALETTES["light"].items())
    return f"<!doctype html><html><head><meta charset='utf-8'></head><body {body}></body></html>"


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


def draw(diagrams: list[Diagram]) -> dict[str, dict]:
    """Draw `diagrams` in one Chromium; return {source: {"svg": svg}} (see combine). Raises DiagramError."""
    from course.browser import BrowserMissing, chromium

    unique = list({d.source: d for d in reversed(diagrams)}.values())[::-1]  # first place each source is used
    settings = theme()
    try:
        with chromium() as browser:
            page = browser.new_page()
            page.set_content(_page_html())
            for sheet in settings["stylesheets"]:
                page.add_style_tag(path=str(sheet))
            page.add_script_tag(path=str(MERMAID_JS))
            items = [{"id": f"d{key(d.source)[:12]}", "source": d.source} for d in unique]
            results = page.evaluate(
                DRAW_JS,
                {
                    "items": items,
                    "palettes": PALETTES,
                    "themeCSS": settings["themeCSS"],
                    "sequence": settings["sequence"],
                },
            )
    except BrowserMissing as missing:
        raise DiagramError(f"{unique[0].where}: cannot draw the diagram, Chromium does not start: {missing}") from None
    except DiagramError:
        raise
    except Exception as failure:  # Playwright: Chromium did not start or crashed
        cause = str(failure).strip().splitlines()[0]
        raise DiagramError(f"{unique[0].where}: cannot draw the diagram, Chromium failed: {cause}") from None
    drawn = {}
    for diagram, result, item in zip(unique, results, items, strict=True):
        if "error" in result:
            raise _error(diagram, result["error"])
        svgs = {name: _accessible(result[name], diagram) for name in PALETTES}
        drawn[diagram.source] = combine(svgs["light"], svgs["dark"], item["id"])
    return drawn


def fill_cache(diagrams: list[Diagram]) -> list[Diagram]:
    """Draw the diagrams the cache lacks and store them; return those drawn."""
    missing = [d for d in diagrams if cached(d.source) is None]
    if missing:
        for source, drawings in draw(missing).items():
            store(source, drawings)
    return missing


def cache_dir(project: Path) -> Path:
    return CACHE_DIR if project.resolve() == ROOT else project / ".cache" / "diagrams"


def ensure_drawn(project: Path = ROOT) -> list[Diagram]:
    """Fill project's cache for its docs/ (before `docker build`, whose build stage has no Chromium)."""
    global CACHE_DIR
    saved, CACHE_DIR = CACHE_DIR, cache_dir(project)
    try:
        return fill_cache(find_diagrams(project / "docs"))
    finally:
        CACHE_DIR = saved


# --------------------------------------------------------------------------- the superfences formatter
_FILLED_FROM_DOCS = False


def _locate(source: str) -> Diagram:
    wanted = normalize(source)
    found = next((d for d in find_diagrams(docs_dir()) if d.source == wanted), None)
    return found or Diagram(wanted, "", 0)


def _drawings(source: str) -> dict:
    """The cached drawings; on a miss, fill the cache for every page at once (one browser start)."""
    global _FILLED_FROM_DOCS
    entry = cached(source)
    if entry is None:
        if not _FILLED_FROM_DOCS:
            _FILLED_FROM_DOCS = True
            wanted = normalize(source)  # first: the page being built is the one named if drawing fails
            fill_cache(sorted(find_diagrams(docs_dir()), key=lambda d: d.source != wanted))
            entry = cached(source)
        if entry is None:
            fill_cache([_locate(source)])
            entry = cached(source)
    return entry


def _cached_for_preview(source: str) -> dict | None:
    try:
        return cached(source)
    except DiagramError:  # e.g. the preview container has no node_modules: mermaid2 draws
        return None


def fence(source, language, class_name, options, md, **kwargs):
    """pymdownx.superfences formatter for ```mermaid fences (see the module's docstring)."""
    if MODE not in MODES:
        raise DiagramError(f"COURSE_DIAGRAMS={MODE!r}: use one of {', '.join(MODES)}")
    if MODE == "browser" or (MODE == "preview" and _cached_for_preview(source) is None):
        from mermaid2 import fence_mermaid_custom

        return fence_mermaid_custom(source, language, class_name, options, md, **kwargs)
    entry = _drawings(source)
    # The same diagram twice on one page: give the second copy its own ids.
    seen = md.__dict__.setdefault("_course_diagrams", {})
    prefix = f"d{key(source)[:12]}"
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
    global CACHE_DIR
    if args.cache:
        CACHE_DIR = Path(args.cache)
    diagrams = find_diagrams(Path(args.docs))
    started = time.perf_counter()
    try:
        drawn = fill_cache(diagrams)
    except DiagramError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    sources = len({d.source for d in diagrams})
    where = CACHE_DIR.relative_to(ROOT) if CACHE_DIR.is_relative_to(ROOT) else CACHE_DIR
    print(
        f"{len(diagrams)} diagrams ({sources} different) on {len({d.page for d in diagrams})} pages; "
        f"drew {len({d.source for d in drawn})} in {seconds:.1f} s, the rest from {where}/"
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "diagrams", help="draw the Mermaid diagrams of docs/ into the cache (light and dark SVG)"
    )
    parser.add_argument("--docs", default=str(ROOT / "docs"), help="the pages (default: docs/)")
    parser.add_argument("--cache", help="cache folder (default: .cache/diagrams/)")
    parser.set_defaults(func=run)
