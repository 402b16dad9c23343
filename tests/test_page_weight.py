"""What every page costs a reader on a cold cache, and search that loads only when used (issue 15).

Every page, served with gzip as nginx serves it in the course image, is loaded
in a fresh browser profile until it is quiet (course.browser.cold_loads): the compressed bytes of
everything it fetched (HTML, CSS, JavaScript, sitemap.xml, images) must stay
within PAGE_BUDGET_KB, and the search index must not be among them. Growing
content grows the index; the index is fetched only when the reader turns to
search (overrides/partials/search-on-demand.html). Search must still find an
error message quoted in the prose and a page heading, over http and from file://.
"""

from __future__ import annotations

import pytest

from course.browser import cold_loads as browser_loads
from course.browser import navigate
from course.webserver import serve
from site_checks import browser as chromium
from site_checks.building import site_pages

PAGES = site_pages()
PAGE_BUDGET_KB = 160  # as `make bench` (scripts/course/bench.py BUDGETS["page_kb"])
INDEX = "/search/search_index.js"  # .json over http, .js from file://


@pytest.fixture(scope="module")
def gzip_site(served_site):
    """The tests' build, served a second time with gzip (as the course image's nginx does)."""
    build, _ = served_site
    with serve(build.site_dir, gzip=True) as base:
        yield base


def cold_loads(browser, urls: list[str]) -> list[dict[str, int]]:
    """For each URL, {URL: compressed bytes on the wire} of everything it fetched (on a phone)."""
    loads = browser_loads(browser, urls, viewport={"width": 412, "height": 823})
    return [{url: fetched.bytes for url, fetched in load.items()} for load in loads]


def cold_load(browser, url: str) -> dict[str, int]:
    return cold_loads(browser, [url])[0]


def page_costs(browser, base: str, pages, side_by_side: int = 6) -> tuple[list[str], dict[str, float]]:
    problems, totals = [], {}
    for start in range(0, len(pages), side_by_side):
        batch = pages[start : start + side_by_side]
        for page, fetched in zip(batch, cold_loads(browser, [base + p.url for p in batch]), strict=True):
            total = sum(fetched.values()) / 1024
            totals[page.source] = total
            if any(INDEX in url for url in fetched):
                problems.append(f"{page.source}: fetches the search index at start")
            if total > PAGE_BUDGET_KB:
                heaviest = sorted(fetched.items(), key=lambda item: item[1], reverse=True)[:4]
                parts = ", ".join(f"{url.removeprefix(base)} {size / 1024:.1f} KB" for url, size in heaviest)
                problems.append(f"{page.source}: {total:.1f} KB > {PAGE_BUDGET_KB} KB on a cold cache ({parts})")
    return problems, totals


def test_every_page_within_budget_without_the_search_index(browser, gzip_site):
    problems, totals = page_costs(browser, gzip_site, PAGES)
    assert len(totals) == len(PAGES) > 30
    assert problems == []


def test_a_page_that_loads_the_index_at_start_is_caught(browser, gzip_site):
    """Fault drill: the same measure on a page with search opened by its address (?q=) sees the index."""
    fetched = cold_load(browser, gzip_site + "?q=daemon")
    index = [size for url, size in fetched.items() if INDEX in url]
    assert index and index[0] > 20 * 1024, f"home page with ?q=: the index was not fetched: {sorted(fetched)}"


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
