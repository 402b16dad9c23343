"""What every page costs a reader on a cold cache, and search that loads only when used (issue 15).

The sweep of every page (tests/test_site_browser.py::test_page_over_http) loads each page
served with gzip, as nginx serves it in the course image, in a fresh browser profile until it
is quiet, and checks the compressed bytes of everything it fetched (HTML, CSS, JavaScript,
sitemap.xml, images) against its budget, and that the search index is not among them
(PageReport.weight_problems). Here: that this measure sees an index fetched at start and a
page over its budget, and that the index is fetched when the reader turns to search
(overrides/partials/search-on-demand.html). Search must still find an error message quoted in
the prose and a page heading, over http and from file://.
"""

from __future__ import annotations

import pytest

from course.browser import navigate
from course.webserver import serve
from site_checks import browser as chromium

INDEX = "/search/search_index.js"  # .json over http, .js from file://


@pytest.fixture(scope="module")
def gzip_site(served_site):
    """The tests' build, served a second time with gzip (as the course image's nginx does)."""
    build, _ = served_site
    with serve(build.site_dir, gzip=True) as base:
        yield base


def cold_weight(context, url: str, base: str, budget_kb: float) -> list[str]:
    """What the sweep of every page says of `url`'s cost."""
    return chromium.visit(chromium.cold_tab(context), url, base, 0, quiet=True).weight_problems(budget_kb)


def test_the_sweep_sees_a_page_that_loads_the_index_at_start(context, gzip_site):
    """Fault drill: the home page with search opened by its address (?q=) fetches the index."""
    problems = cold_weight(context, gzip_site + "?q=daemon", gzip_site, 160)
    assert any(p.startswith("fetches the search index at start") for p in problems), problems


def test_the_sweep_sees_a_page_over_its_budget(context, gzip_site):
    """Fault drill: the same home page against a budget it cannot meet, and against its own."""
    assert cold_weight(context, gzip_site, gzip_site, 160) == []
    over = cold_weight(context, gzip_site, gzip_site, 20)
    assert len(over) == 1 and "> 20 KB on a cold cache" in over[0], over


def test_search_fetches_the_index_when_the_reader_turns_to_it(context, gzip_site):
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    navigate(page, gzip_site + "running-containers/ports/", wait_until="networkidle")
    page.wait_for_timeout(500)
    assert not any(INDEX in url for url in requested)
    with page.expect_request(lambda request: INDEX in request.url, timeout=10_000):
        page.keyboard.press("/")  # Material's shortcut: focus the search box
    page.wait_for_function("document.activeElement.matches('.md-search__input')")


@pytest.mark.parametrize("where", ["http", "file"])
@pytest.mark.parametrize(
    ("query", "page_title"),
    [
        ("already allocated", "Publishing ports"),  # an error message quoted in the prose
        ("Cannot connect to the Docker daemon", "Docker architecture"),
        ("multi-stage builds", "Multi-stage builds"),  # a page heading
    ],
)
def test_search_finds(query, page_title, where, offline_site, gzip_site, context):
    start = gzip_site if where == "http" else offline_site.site_dir.as_uri() + "/index.html"
    page = context.new_page()
    navigate(page, start, wait_until="networkidle")
    titles = chromium.search(page, query)
    assert page_title in titles, f"search for {query!r} ({where}) found {titles}"


def test_search_returns_the_results_of_the_words_asked(gzip_site, context):
    """The reader's index arrives while they type, then they search again: the results read are the new ones."""
    page = context.new_page()
    held = []
    page.route("**" + INDEX + "on", lambda route: held.append(route))  # held until a word is typed
    navigate(page, gzip_site, wait_until="networkidle")
    page.click("input.md-search__input")
    page.keyboard.type("multi-stage")
    held[0].continue_()
    page.keyboard.type(" builds")
    page.wait_for_selector(chromium.RESULT)
    earlier = page.locator(f"{chromium.RESULT} h1").all_inner_texts()
    titles = chromium.search(page, "already allocated")
    assert "Multi-stage builds" in earlier, f"the first search found {earlier}"
    assert "Publishing ports" in titles, f"the second search returned {titles}"
    assert "Multi-stage builds" not in titles, f"the second search returned the first one's results: {titles}"
