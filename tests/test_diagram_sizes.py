"""Every diagram readable on a desktop and on a phone (issue 18).

Each page with diagrams is opened in headless Chromium in a 1280x800 window and
at a 390x844 phone width, in the light and the dark palette. For every diagram
the smallest label is measured as drawn: its computed font size times the scale
at which its SVG is drawn (tests/site_checks/browser.py, DIAGRAM_LABELS_JS). It
must be at least 12 px. A diagram narrower than its box is scaled down with it,
never below 0.8 of its natural size (extra.css); a diagram wider than that scrolls
sideways in its own box. That is for phones only: in the 1280 px window every
diagram fits its column. A box that scrolls is a named region that takes the
keyboard focus and shows its scroll hint; the page itself never scrolls sideways.
"""

from __future__ import annotations

import pytest

from course.browser import navigate
from site_checks import browser as chromium
from test_site_browser import PAGES, diagram_count

MIN_LABEL_PX = 12.0
# name -> (width, height, may a diagram scroll sideways in its box there)
VIEWPORTS = {"1280x800": (1280, 800, False), "390x844": (390, 844, True)}
SCHEMES = ("light", "dark")


def diagram_problems(page, source, viewport: str) -> tuple[list[str], list[dict]]:
    """What is too small, or scrolls where it should not, on the open page; and what was measured."""
    may_scroll = VIEWPORTS[viewport][2]
    problems, measured = [], page.evaluate(chromium.DIAGRAM_LABELS_JS)
    for d in measured:
        name = f"{source.source}: diagram {d['index'] + 1}" + (f" ({d['title']})" if d.get("title") else "")
        if d.get("error") or not d["labels"]:
            problems.append(f"{name}: {d.get('error') or 'no label found to measure'}")
            continue
        smallest = d["smallest"]
        if smallest["size"] < MIN_LABEL_PX:
            problems.append(
                f"{name}: its smallest label {smallest['text']!r} is drawn at {smallest['size']:.1f} px "
                f"at {viewport}, under {MIN_LABEL_PX:g} px (the diagram is {d['natural']} px wide, "
                f"drawn {d['drawn']} px wide)"
            )
        if d["scrolls"] and not may_scroll:
            fitted = smallest["font"] * d["box"] / d["natural"]
            problems.append(
                f"{name}: it is {d['natural']} px wide, too wide for the {d['box']} px column at {viewport}: "
                f"fitted, its labels would be {fitted:.1f} px; it scrolls instead. Make it narrower "
                f"(at most {d['box'] / 0.8:.0f} px: top to bottom, shorter labels, or split it)"
            )
        if d["scrolls"] and not (d["focusable"] and d["role"] == "region" and d["name"]):
            problems.append(f"{name}: scrolls sideways at {viewport} but is not a named, focusable region")
        if d["scrolls"] != d["hint"]:
            state = "scrolls sideways but shows no" if d["scrolls"] else "does not scroll but shows its"
            problems.append(f"{name}: {state} scroll hint at {viewport}")
    width = page.evaluate(chromium.PAGE_WIDTH_JS)
    if width["scroll"] > width["viewport"]:
        problems.append(
            f"{source.source}: the page scrolls sideways at {viewport} ({width['scroll']} px for {width['viewport']})"
        )
    return problems, measured


def size_problems(browser, base: str, built, pages, viewport: str, scheme: str) -> tuple[list[str], dict]:
    """Open every page with diagrams at `viewport` in `scheme`; (problems, {page: measurements})."""
    width, height, _ = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    context.add_init_script(chromium.INIT_SCRIPT)
    problems, sizes = [], {}
    try:
        page = context.new_page()
        for source in pages:
            expected = diagram_count(built, source)
            if not expected:
                continue
            navigate(page, base + source.url, wait_until="load")
            chromium.wait_for_diagrams(page, expected)
            found, measured = diagram_problems(page, source, viewport)
            if len(measured) != expected:
                found.append(f"{source.source}: {len(measured)} of {expected} diagrams measured")
            problems += [f"{p} [{scheme}]" for p in found]
            sizes[source.source] = measured
    finally:
        context.close()
    return problems, sizes


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_diagram_label_is_at_least_12_px(viewport, scheme, served_site, browser):
    site, base = served_site
    problems, sizes = size_problems(browser, base, site, PAGES, viewport, scheme)
    assert sum(len(m) for m in sizes.values()) >= 10, f"too few diagrams measured: {sizes}"
    assert problems == []
