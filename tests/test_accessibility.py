"""Accessibility: axe-core on every page in the light and the dark palette, and a text
alternative for every image and every Mermaid diagram. The light palette gets every axe rule;
the dark one the colour rules, and every rule on what it shows instead (the dark copy of each
diagram, the toggle's label): nothing else on a page changes with the palette. Each page is
loaded once and shown in each palette in turn, switched as a reader's system switches it (the
palette's automatic mode follows prefers-color-scheme).

axe-core (npm, pinned in package.json) is injected into each page in headless
Chromium; diagrams are inline SVG drawn at build time (in the live preview,
Mermaid's shadow roots, which the `context` init script opens). Serious and critical violations fail; the
fixes for Material's own ones are in overrides/partials/ and extra.css.

axe looks at a page at rest. The same sweep puts the first practice button of each kind (quiz,
lab, progress, every box) at rest, hovered, focused and after a click, and measures its contrast
in each state (site_checks/states.py; Firefox: test_firefox.py).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from course.browser import navigate
from site_checks import browser as chromium
from site_checks.building import ROOT, site_pages
from site_checks.states import button_states, contrast_problems
from test_site_browser import diagram_count

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
SCHEMES = {"light": "default", "dark": "slate"}  # prefers-color-scheme -> Material's scheme
PAGES = site_pages()

# The palettes differ in colours, and in which copy of each diagram and which toggle label they
# show: in the second palette, axe runs its colour rules on the whole page and every rule on those.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
PALETTE_PARTS = ["div.diagram", "form[data-course-palette]"]

AXE_JS = """
async ([impacts, colourRules, paletteParts]) => {
  const options = { resultTypes: ["violations"] };
  let violations;
  if (colourRules) {
    const colours = await axe.run(document, { ...options, runOnly: { type: "rule", values: colourRules } });
    const parts = paletteParts.filter((selector) => document.querySelector(selector)).map((s) => [s]);
    const shown = parts.length ? (await axe.run({ include: parts }, options)).violations : [];
    violations = colours.violations.concat(shown);
  } else {
    violations = (await axe.run(document, options)).violations;
  }
  return violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) =>
        n.target.flat().join(" >> ") + ": " + (n.failureSummary || "").split("\\n").slice(1, 2).join("").trim()),
      more: Math.max(0, v.nodes.length - 3),
    }));
}
"""

# Text alternatives that axe does not demand: Markdown's ![](src) renders alt="",
# which axe accepts as "decorative"; and a Mermaid SVG needs accTitle + accDescr.
TEXT_ALTERNATIVES_JS = """
() => {
  const problems = [];
  for (const img of document.querySelectorAll(".md-content img")) {
    if (!(img.getAttribute("alt") || "").trim()) problems.push(`image ${img.getAttribute("src")} has no alt text`);
  }
  // The SVG the reader sees: drawn at build time (the one of the current palette), or by
  // mermaid.js in the live preview (in the host's shadow root).
  document.querySelectorAll("div.diagram, div.mermaid").forEach((host, i) => {
    const svgs = [...(host.shadowRoot || host).querySelectorAll("svg")];
    const svg = svgs.find((s) => s.getBoundingClientRect().height > 0);
    if (!svg) return;  // an undrawn diagram is test_site_browser's business
    const text = (attr) => (svg.getAttribute(attr) || "").split(/\\s+/).filter(Boolean)
      .map((id) => (svg.querySelector(`[id="${id}"]`) || {}).textContent || "").join(" ").trim();
    if (host.classList.contains("diagram") && svg.getAttribute("role") !== "img") {
      problems.push(`diagram ${i + 1} is not role="img"`);
    }
    if (!text("aria-labelledby")) problems.push(`diagram ${i + 1} has no title (Mermaid: accTitle)`);
    if (!text("aria-describedby")) problems.push(`diagram ${i + 1} has no description (Mermaid: accDescr)`);
  });
  return problems;
}
"""


def open_page(page, base: str, built, source) -> None:
    navigate(page, base + source.url, wait_until="load")
    expected = diagram_count(built, source)
    if expected:
        chromium.wait_for_diagrams(page, expected)


def axe_problems(page, palette_only: bool = False) -> list[str]:
    """axe's serious and critical violations; with palette_only, only what another palette
    can change (a page already checked in one palette)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    problems = []
    scope = [COLOUR_RULES, PALETTE_PARTS] if palette_only else [None, None]
    for v in page.evaluate(AXE_JS, [list(FAILING_IMPACTS), *scope]):
        more = f" (and {v['more']} more)" if v["more"] else ""
        problems.append(f"{v['impact']} {v['id']} ({v['help']}): " + "; ".join(v["nodes"]) + more)
    return problems


def page_accessibility_problems(page, base: str, built, source) -> list[str]:
    """axe violations and missing text alternatives on one page, each naming its Markdown file."""
    open_page(page, base, built, source)
    problems = axe_problems(page) + page.evaluate(TEXT_ALTERNATIVES_JS)
    return [f"{source.source}: {p}" for p in problems]


def scheme_context(browser, scheme: str):
    return chromium.reader_context(browser, color_scheme=scheme)


def test_axe_core_is_installed():
    assert AXE.is_file(), f"{AXE.relative_to(ROOT)} is missing: run `make deps` (npm ci installs axe-core)"


def switch_palette(page, source, scheme: str) -> None:
    """The system's colour scheme set to `scheme`, and the page shown in its palette."""
    page.emulate_media(color_scheme=scheme)
    try:
        page.wait_for_function(
            "(s) => document.body.getAttribute('data-md-color-scheme') === s"
            " && !document.body.hasAttribute('data-md-color-switching')",
            arg=SCHEMES[scheme],
            timeout=10_000,
        )
    except PlaywrightTimeoutError:
        shown = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
        pytest.fail(f"{source.source}: palette {shown!r} when the system is {scheme}, expected {SCHEMES[scheme]!r}")


def button_problems(page, base: str, built, source, seen: dict[str, set[str]]) -> list[str]:
    """The practice buttons of kinds not measured yet (`seen`, by palette) in their states, in
    each palette. A click changes the page, so a palette after one that clicked gets a fresh load."""
    problems, clicked = [], False
    for scheme in SCHEMES:
        if clicked:
            open_page(page, base, built, source)
        switch_palette(page, source, scheme)
        found = button_states(page, seen[scheme])
        clicked = clicked or bool(found)
        problems += contrast_problems(found, f"{source.source} ({scheme})")
    return problems


def test_every_page_is_accessible(served_site, browser):
    built, base = served_site
    ctx = scheme_context(browser, "light")
    problems: list[str] = []
    buttons: dict[str, set[str]] = {scheme: set() for scheme in SCHEMES}  # kinds measured so far
    try:
        page = ctx.new_page()
        for source in PAGES:
            open_page(page, base, built, source)
            for scheme in SCHEMES:
                switch_palette(page, source, scheme)
                found = axe_problems(page, palette_only=scheme != "light") + page.evaluate(TEXT_ALTERNATIVES_JS)
                problems += [f"{source.source} ({scheme}): {p}" for p in found]
            problems += button_problems(page, base, built, source, buttons)
    finally:
        ctx.close()
    assert problems == [], f"{len(problems)} accessibility problem(s):\n" + "\n".join(problems)
    for scheme, kinds in buttons.items():
        assert {"quiz__check", "lab__check", "progress-tools__reset"} <= {c for k in kinds for c in k.split()}, (
            scheme,
            kinds,
        )


def test_axe_checks_the_text_of_the_diagram_shown(served_site, context):
    """axe sees diagram text (inline SVG, the palette's copy): guard that premise."""
    built, base = served_site
    source = next(p for p in PAGES if diagram_count(built, p))
    page = context.new_page()
    open_page(page, base, built, source)
    page.add_script_tag(path=str(AXE))
    checked = page.evaluate(
        """async () => {
          const r = await axe.run(document, { runOnly: ["color-contrast"], resultTypes: ["passes"] });
          const inDiagram = (n) => document.querySelector(n.target[0])?.closest(".diagram");
          return r.passes.flatMap((v) => v.nodes).filter(inDiagram).length;
        }"""
    )
    assert checked > 0, f"{source.source}: axe checked no text inside a diagram"


PLANTED_JS = """
() => {
  const diagram = document.querySelector(".diagram__dark") || document.querySelector(".diagram");
  diagram.insertAdjacentHTML("beforeend", '<img src="planted.png" width="10" height="10">');
  document.querySelector(".md-content article").insertAdjacentHTML("beforeend",
    '<p style="color:#777;background:#888">planted low contrast</p><img src="elsewhere.png" width="10" height="10">');
}
"""


def test_the_dark_palette_checks_colours_and_what_it_shows(served_site, browser):
    """The dark palette's narrower run still finds a colour problem anywhere on the page and any
    problem in the diagram copy it shows; an image without alt text elsewhere is the light run's."""
    built, base = served_site
    source = next(p for p in PAGES if diagram_count(built, p))
    ctx = scheme_context(browser, "dark")
    try:
        page = ctx.new_page()
        open_page(page, base, built, source)
        page.evaluate(PLANTED_JS)
        found = axe_problems(page, palette_only=True)
        everything = axe_problems(page)
    finally:
        ctx.close()
    assert any("color-contrast" in p for p in found), found
    assert any("image-alt" in p and "planted.png" in p for p in found), found
    assert not any("elsewhere.png" in p for p in found), found
    assert any("image-alt" in p and "elsewhere.png" in p for p in everything), everything
