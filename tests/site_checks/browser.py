"""Look at built pages the way a reader's browser does: headless Chromium via Playwright."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from course.browser import (  # noqa: F401
    BUNDLE_DONE_JS,
    CHROMIUM,
    CHROMIUM_ARGS,
    INIT_SCRIPT,
    navigate,
    until_the_network_holds,
    wait_until_quiet,
)
from course.webserver import serve  # noqa: F401

SEARCH_INDEX = "/search/search_index."  # .json over http, .js from file://
DIAGRAMS_JS = """
() => [...document.querySelectorAll("div.diagram, div.mermaid")].map((host) => {
  // Drawn at build time: one SVG per palette, the page's palette shown. Drawn in the
  // browser (live preview): Mermaid's SVG in the host's shadow root.
  const svgs = [...(host.shadowRoot || host).querySelectorAll("svg")];
  const shown = svgs.filter((svg) => svg.getBoundingClientRect().height > 0);
  const svg = shown[0];
  return {
    svg: shown.length === 1,
    drawn: host.classList.contains("diagram") ? "build" : "browser",
    id: svg ? svg.id : "",
    label: svg ? (svg.getAttribute("aria-roledescription") || "") : "",
    error: svg ? /syntax error/i.test(svg.textContent) : false,
    height: host.getBoundingClientRect().height,
  };
})
"""


@dataclass
class PageReport:
    url: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    aborted_by_navigation: list[str] = field(default_factory=list)
    diagrams: list[dict] = field(default_factory=list)
    layout_shift: float = 0.0
    csp_violations: list[str] = field(default_factory=list)
    inspected: object = None  # what visit's `inspect(page)` returned
    wire_bytes: dict[str, int] = field(default_factory=dict)  # by URL, over http: compressed body and headers
    pending: set = field(default_factory=set)  # requests under way
    listeners: dict = field(default_factory=dict, repr=False)  # what watch() added to the tab, by event

    def unwatch(self, page) -> None:
        for event, listener in self.listeners.items():
            page.remove_listener(event, listener)

    def problems(self, expected_diagrams: int) -> list[str]:
        problems = [f"console error: {e}" for e in self.console_errors]
        problems += [f"failed request: {r}" for r in self.failed_requests]
        problems += [f"request to another host: {r}" for r in self.foreign_requests]
        problems += [f"CSP: {v}" for v in self.csp_violations]
        drawn = [d for d in self.diagrams if d["svg"] and not d["error"]]
        if len(drawn) != expected_diagrams:
            problems.append(f"{len(drawn)} of {expected_diagrams} Mermaid diagrams drawn as SVG: {self.diagrams}")
        return problems

    def weight_problems(self, budget_kb: float) -> list[str]:
        """From a cold cache (a `cold_tab`), served with gzip: the compressed bytes of all it
        fetched within `budget_kb`, and not the search index (fetched when search is used)."""
        problems = [f"fetches the search index at start: {u}" for u in self.wire_bytes if SEARCH_INDEX in u]
        total = sum(self.wire_bytes.values()) / 1024
        if total > budget_kb:
            heaviest = sorted(self.wire_bytes.items(), key=lambda item: item[1], reverse=True)[:4]
            parts = ", ".join(f"{url} {size / 1024:.1f} KB" for url, size in heaviest)
            problems.append(f"{total:.1f} KB > {budget_kb} KB on a cold cache ({parts})")
        return problems


def is_local(url: str, base: str) -> bool:
    scheme, netloc = urlsplit(url)[:2]
    if scheme in ("data", "blob", "about", "chrome-error"):
        return True
    if scheme == "file":
        return base.startswith("file:")
    return netloc == urlsplit(base).netloc


def watch(page, base: str) -> PageReport:
    """Record what the page logs and requests from now on (until `report.unwatch(page)`)."""
    report = PageReport(url=page.url)
    # A request still under way when the page loads another document is aborted by the browser
    # (net::ERR_ABORTED): that is the navigation, not a fault of the site. Any other failure counts.
    # A tab that showed an earlier page may still report on that page's requests: left out.
    documents = {"loaded": 0}
    started_in: dict[object, int] = {}

    def on_response(response):
        if response.request in started_in and response.status >= 400:
            report.failed_requests.append(f"{response.url} (HTTP {response.status})")

    def on_request(request):
        if request.is_navigation_request() and request.frame == page.main_frame:
            documents["loaded"] += 1
        started_in[request] = documents["loaded"]
        report.pending.add(request)
        report.requests.append(request.url)
        if not is_local(request.url, base):
            report.foreign_requests.append(request.url)

    def on_finished(request):
        report.pending.discard(request)
        if request in started_in and request.url.startswith("http"):
            sizes = request.sizes()
            report.wire_bytes[request.url] = sizes["responseBodySize"] + sizes["responseHeadersSize"]

    def on_failed(request):
        report.pending.discard(request)
        if request not in started_in:
            return
        navigated_away = started_in[request] < documents["loaded"]
        if request.failure == "net::ERR_ABORTED" and navigated_away:
            report.aborted_by_navigation.append(request.url)
        else:
            report.failed_requests.append(f"{request.url} ({request.failure})")

    report.listeners = {
        "console": lambda m: m.type == "error" and report.console_errors.append(m.text),
        "pageerror": lambda e: report.console_errors.append(str(e)),
        "response": on_response,
        "request": on_request,
        "requestfinished": on_finished,
        "requestfailed": on_failed,
    }
    for event, listener in report.listeners.items():
        page.on(event, listener)
    return report


def wait_for_diagrams(page, expected: int, timeout: float = 20.0) -> list[dict]:
    """Poll until `expected` diagrams are SVGs (or time runs out); return what is there."""
    deadline = time.monotonic() + timeout
    diagrams = page.evaluate(DIAGRAMS_JS)
    while time.monotonic() < deadline:
        if sum(d["svg"] for d in diagrams) >= expected and not page.query_selector("pre.mermaid"):
            break
        page.wait_for_timeout(100)
        diagrams = page.evaluate(DIAGRAMS_JS)
    return diagrams


def reader_context(browser, **options):
    """A fresh browser profile with shadow roots opened and layout shifts counted (INIT_SCRIPT)."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 800}, **options})
    context.add_init_script(INIT_SCRIPT)
    return context


def cold_tab(context):
    """A tab that fetches everything again at each load, as a fresh profile would (DevTools'
    "Disable cache"): a sweep loads every page in one tab, because a new tab costs more CPU
    than the page it shows (about 1 CPU-s here)."""
    tab = context.new_page()
    devtools = context.new_cdp_session(tab)
    devtools.send("Network.enable")
    devtools.send("Network.setCacheDisabled", {"cacheDisabled": True})
    tab.devtools = devtools  # the setting lasts as long as its session
    return tab


def visit(tab, url: str, base: str, expected_diagrams: int, inspect=None, quiet: bool = False) -> PageReport:
    """Load `url` in `tab`, wait for its diagrams and report what happened (once more when a
    request failed only because the network changed: course.browser.until_the_network_holds).
    `inspect(tab)`, if given, looks at the loaded page; its result is the report's `inspected`.
    `quiet`: also wait until Material's bundle has run and nothing is in flight, so that the
    report's wire_bytes hold all the page fetches by itself (as `make bench` measures; in a
    `cold_tab`, the page's cost on a cold cache)."""

    def once() -> PageReport:
        report = watch(tab, base)
        try:
            navigate(tab, url, wait_until="load")
            report.diagrams = wait_for_diagrams(tab, expected_diagrams)
            if quiet:
                tab.wait_for_function(BUNDLE_DONE_JS)
                wait_until_quiet(tab, report.pending)
            tab.wait_for_timeout(200)  # let late layout shifts and errors arrive
            report.layout_shift = tab.evaluate("window.__layoutShift")
            report.csp_violations = tab.evaluate("window.__cspViolations || []")
            if inspect:
                report.inspected = inspect(tab)
            return report
        finally:
            report.unwatch(tab)
            # What is still under way (the browser fetches the tab's icon late on a busy machine)
            # ends here, not in the next page's report.
            navigate(tab, "about:blank")

    return until_the_network_holds(once, lambda r: r.console_errors + r.failed_requests)


RESULT = ".md-search-result__item"
# Material builds the search index in a Web Worker when search is first used: alone that takes
# about 2 s here, but beside the other test workers on 2 cores it once took over 15 s.
SEARCH_TIMEOUT_MS = 30_000


def search(page, words: str, timeout: float = SEARCH_TIMEOUT_MS) -> list[str]:
    """Search for `words` with Material's search box and return the titles of what it found.

    The words go in whole, followed by one key (Material searches on keyup). Typed key by
    key, every prefix is a search of its own, and when the index arrives mid-typing (it is
    loaded on demand) the first results shown are a prefix's. The box is emptied first, so
    the results waited for cannot be those of an earlier search either.
    """
    box = page.locator("input.md-search__input")
    for query, shown in (("", "detached"), (words, "visible")):
        box.fill(query)
        box.press("End")
        page.wait_for_selector(RESULT, state=shown, timeout=timeout)
    return page.locator(f"{RESULT} h1, {RESULT} h2").all_inner_texts()


# The smallest label of each build-time diagram as drawn on screen: the computed font size of
# every element that holds text, times the scale at which its SVG is drawn (getScreenCTM of
# the text element, or of the foreignObject that holds an HTML label). A diagram drawn at its
# natural size (scrolling in its own box on a narrow screen) has the scale 1.
DIAGRAM_LABELS_JS = """
() => [...document.querySelectorAll("div.diagram")].map((host, index) => {
  const svg = [...host.querySelectorAll("svg")].find((s) => s.getBoundingClientRect().height > 0);
  if (!svg) return { index, error: "no SVG shown" };
  let smallest = null;
  let count = 0;
  const walker = document.createTreeWalker(svg, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    const holder = walker.currentNode.parentElement;
    if (!text || !holder || holder.closest("style, title, desc")) continue;
    if (!holder.getClientRects().length || getComputedStyle(holder).visibility === "hidden") continue;
    const graphic = holder instanceof SVGGraphicsElement ? holder : holder.closest("foreignObject");
    const matrix = graphic && graphic.getScreenCTM();
    if (!matrix) continue;
    const font = parseFloat(getComputedStyle(holder).fontSize);
    const size = font * Math.hypot(matrix.a, matrix.b);
    count += 1;
    if (!smallest || size < smallest.size) smallest = { size, font, text: text.slice(0, 40) };
  }
  const box = svg.viewBox.baseVal;
  const title = svg.querySelector("title");
  return {
    index,
    title: title ? title.textContent.trim() : "",
    labels: count,
    smallest,
    natural: box ? Math.round(box.width) : 0,
    drawn: Math.round(svg.getBoundingClientRect().width),
    box: Math.round(host.clientWidth),
    scrolls: host.scrollWidth > host.clientWidth + 1,
    focusable: host.tabIndex >= 0,
    role: host.getAttribute("role") || "",
    name: host.getAttribute("aria-label") || "",
    hint: parseFloat(getComputedStyle(host, "::after").paddingBottom) > 0,
  };
})
"""

PAGE_WIDTH_JS = "() => ({ scroll: document.scrollingElement.scrollWidth, viewport: window.innerWidth })"
