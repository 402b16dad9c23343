"""Every page in headless Chromium over http:// (from file://: every page of the offline zip,
tests/test_offline_zip.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from course.browser import navigate
from site_checks import browser as chromium
from site_checks import copies
from site_checks.building import ROOT, site_pages

PAGES = site_pages()
MAX_LAYOUT_SHIFT = 0.05
PAGE_BUDGET_KB = 160  # as `make bench` (scripts/course/bench.py BUDGETS["page_kb"])


def diagram_count(built, page) -> int:
    """Diagrams on the built page: drawn at build time (div.diagram) or left to the browser (pre.mermaid)."""
    html = (built.site_dir / page.dest).read_text(encoding="utf-8")
    return len(BeautifulSoup(html, "html.parser").select("div.diagram, pre.mermaid"))


def copied(page) -> list:
    return page.evaluate(copies.COPIED_JS)


def page_problems(tab, base: str, built, page, project: Path = ROOT, budget_kb: float = 0) -> list[str]:
    """What a reader would see go wrong on `page`, loaded in `tab`, each naming its Markdown file;
    and what the copy button of each console block copies (its commands, as `project`'s source
    has them). With `budget_kb` (a `cold_tab`, a server that compresses): what the page costs on
    a cold cache."""
    expected = diagram_count(built, page)
    tab.context.grant_permissions(["clipboard-read", "clipboard-write"])
    report = chromium.visit(tab, base + page.url, base, expected, copied, quiet=bool(budget_kb))
    problems = report.problems(expected) + copies.differences(page.source, report.inspected, project)
    if budget_kb:
        problems += report.weight_problems(budget_kb)
    if expected and report.layout_shift > MAX_LAYOUT_SHIFT:
        problems.append(f"layout shift {report.layout_shift:.3f} > {MAX_LAYOUT_SHIFT}")
    if any("mermaid" in r for r in report.requests):
        problems.append("loads mermaid.js, but every diagram is drawn at build time")
    return [f"{page.source}: {problem}" for problem in problems]


@pytest.fixture(scope="module")
def sweep_tab(browser):
    """One tab for the sweep of every page, with its cache off."""
    context = chromium.reader_context(browser)
    yield chromium.cold_tab(context)
    context.close()


@pytest.mark.parametrize("page", PAGES, ids=[p.source for p in PAGES])
def test_page_over_http(page, csp_site, sweep_tab):
    """Served as the course image's nginx serves it, with gzip and its Content-Security-Policy:
    a script or style the policy blocks is a problem here, on every page (the image's own sweep
    visits a page of each kind); and the page, from a cold cache, weighs at most PAGE_BUDGET_KB
    compressed without fetching the search index."""
    site, base = csp_site
    assert page_problems(sweep_tab, base, site, page, budget_kb=PAGE_BUDGET_KB) == []


def first_page_with_diagrams(built, pages):
    return next(p for p in pages if diagram_count(built, p) and p.url)


def test_diagrams_draw_after_instant_navigation(served_site, context):
    """Reach a diagram page by a click, without a full reload, from a page with no diagrams."""
    site, base = served_site
    target = first_page_with_diagrams(site, PAGES)
    page = context.new_page()
    report = chromium.watch(page, base)
    navigate(page, base + "how-to-use/", wait_until="networkidle")  # instant navigation needs sitemap.xml
    assert diagram_count(site, next(p for p in PAGES if p.url == "how-to-use/")) == 0
    page.evaluate("window.__noReload = true")
    page.click(f'nav.md-nav--primary a[href$="{target.url}"]')
    page.wait_for_url(base + target.url)
    expected = diagram_count(site, target)
    report.diagrams = chromium.wait_for_diagrams(page, expected)
    assert page.evaluate("window.__noReload === true"), "the click caused a full page load"
    assert report.problems(expected) == [], f"{target.source} after a click: {report.problems(expected)}"


@pytest.mark.parametrize("where", ["http", "file"])
def test_search_finds_a_word_from_a_page(where, offline_site, served_site, context):
    if where == "http":
        start = served_site[1]
    else:
        start = offline_site.site_dir.as_uri() + "/index.html"
    page = context.new_page()
    navigate(page, start, wait_until="networkidle")
    titles = chromium.search(page, "daemon")
    assert any("architecture" in t.lower() for t in titles), titles
