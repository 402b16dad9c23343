"""Diagrams follow the light/dark palette and their text stays readable in both."""

from __future__ import annotations

import pytest

from course.browser import navigate
from site_checks import browser as chromium
from test_site_browser import PAGES, diagram_count

MIN_CONTRAST = 4.5  # WCAG AA for normal text

# Contrast of every piece of diagram text against the page background.
CONTRASTS_JS = """
() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const bg = rgb(getComputedStyle(document.body).backgroundColor);
  const out = [];
  for (const host of document.querySelectorAll("div.diagram")) {
    // The copy drawn for the page's palette; the other one is not displayed.
    const shown = [...host.querySelectorAll("svg")].filter((s) => s.getBoundingClientRect().height > 0);
    if (shown.length !== 1) { out.push({ text: `${shown.length} SVGs shown`, ratio: 0 }); continue; }
    const svg = shown[0];
    // A light/dark pair (drawings that differ): the palette's own must be the one shown.
    const palette = document.body.dataset.mdColorScheme === "slate" ? "dark" : "light";
    if (host.querySelector(":scope > div") && !svg.closest(`.diagram__${palette}`)) {
      out.push({ text: `${svg.id} shown, not the ${palette} drawing`, ratio: 0 });
      continue;
    }
    // The innermost element holding the text carries its colour (tspan in SVG text).
    const holders = [...svg.querySelectorAll("text, tspan, .nodeLabel, .edgeLabel span, .label div")]
      .filter((el) => el.textContent.trim() && !el.querySelector("tspan, span, div"));
    for (const el of holders) {
      const text = el.textContent.trim();
      const style = getComputedStyle(el);
      const colour = el instanceof SVGElement ? style.fill : style.color;
      if (!colour.startsWith("rgb")) continue;
      out.push({ text: text.slice(0, 40), ratio: ratio(rgb(colour), bg), scheme: document.body.dataset.mdColorScheme });
    }
  }
  return out;
}
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_diagram_text_is_readable(scheme, served_site, browser):
    site, base = served_site
    context = browser.new_context(color_scheme=scheme)
    context.add_init_script(chromium.INIT_SCRIPT)
    unreadable, measured = [], 0
    try:
        page = context.new_page()
        for source in (p for p in PAGES if diagram_count(site, p)):
            navigate(page, base + source.url)
            chromium.wait_for_diagrams(page, diagram_count(site, source))
            expected_scheme = "slate" if scheme == "dark" else "default"
            assert page.evaluate("document.body.dataset.mdColorScheme") == expected_scheme
            for item in page.evaluate(CONTRASTS_JS):
                measured += 1
                if item["ratio"] < MIN_CONTRAST:
                    unreadable.append(f"{source.source}: {item['text']!r} contrast {item['ratio']:.2f}")
    finally:
        context.close()
    assert measured, "no diagram text was measured"
    assert unreadable == []
