"""The light/dark toggle in the header (overrides/partials/palette.html and
partials/javascripts/palette.html): it follows the system until the reader picks
a palette, keeps the pick from page to page, and sets the page's colours before
Material's script runs."""

from __future__ import annotations

import pytest

from course.browser import navigate
from site_checks import browser as chromium

PAGE = "concepts/architecture/"
TOGGLE = "form[data-course-palette] label:not([hidden])"


def scheme(page) -> str:
    return page.evaluate("document.body.dataset.mdColorScheme")


@pytest.fixture
def dark_system(browser):
    ctx = chromium.reader_context(browser, color_scheme="dark")
    yield ctx
    ctx.close()


def test_the_toggle_goes_system_light_dark_and_the_pick_stays_after_a_reload(served_site, dark_system):
    _, base = served_site
    page = dark_system.new_page()
    navigate(page, base + PAGE, wait_until="load")
    assert scheme(page) == "slate", "a new reader on a dark system sees the light palette"
    page.click(TOGGLE)
    assert scheme(page) == "default"
    navigate(page, base, wait_until="load")
    assert scheme(page) == "default", "the light palette picked on one page is gone on the next"
    page.click(TOGGLE)
    assert scheme(page) == "slate"
    page.click(TOGGLE)  # back to the system's palette, and it follows the system again
    page.emulate_media(color_scheme="light")
    page.wait_for_function("document.body.dataset.mdColorScheme === 'default'", timeout=5_000)
    assert page.get_attribute(TOGGLE, "for") == "__palette_1", "the button does not offer the light palette next"


def test_the_toggle_answers_the_enter_key(served_site, dark_system):
    _, base = served_site
    page = dark_system.new_page()
    navigate(page, base + PAGE, wait_until="load")
    page.focus("form[data-course-palette] input:first-child")
    page.keyboard.press("Enter")
    assert scheme(page) == "default"


def test_the_page_has_its_palette_before_materials_script_runs(served_site, dark_system):
    """A reader who picked dark on a light system sees no light flash on a slow connection."""
    _, base = served_site
    page = dark_system.new_page()
    navigate(page, base + PAGE, wait_until="load")
    page.click(TOGGLE)
    page.click(TOGGLE)  # system -> light -> dark
    page.emulate_media(color_scheme="light")
    page.route("**/assets/javascripts/bundle.*.min.js", lambda route: route.abort())
    navigate(page, base + PAGE, wait_until="load")
    assert page.evaluate("typeof document$") == "undefined", "Material's script ran"
    assert scheme(page) == "slate"
    assert page.evaluate("document.querySelector('meta[name=color-scheme]').content") == "dark"
    header = page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor")
    red, green, blue = (int(c) for c in header[header.index("(") + 1 : -1].split(",")[:3])
    assert page.evaluate("document.querySelector('meta[name=theme-color]').content") == (
        f"#{red:02x}{green:02x}{blue:02x}"
    )
