"""Headless Chromium for the helpers (`course pdf`, `course bench`), via Playwright.

The tests (tests/site_checks/browser.py) use the same settings: Debian's Chromium (a
Playwright browser download is not possible here), shadow roots opened so that
Mermaid's SVGs can be seen, and layout shifts summed up.
"""

from __future__ import annotations

import os
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import NamedTuple

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")  # Debian's; CI on GitHub sets Chrome
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Material draws each diagram into a closed shadow root: open it. Count layout
# shifts (Cumulative Layout Shift) and note when the last diagram was drawn. Record
# what a Content-Security-Policy blocked (the course image's nginx, and the tests'
# server where it sends the same policy).
INIT_SCRIPT = """
(() => {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    const where = `${e.sourceFile}:${e.lineNumber}`;
    window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${where})`);
  });
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    return attach.call(this, Object.assign({}, init, { mode: "open" }));
  };
  window.__layoutShift = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (!entry.hadRecentInput) window.__layoutShift += entry.value;
    }
  }).observe({ type: "layout-shift", buffered: true });
})();
"""

# Number of diagrams on the page, and how many of them are drawn: drawn at
# build time (div.diagram, the current palette's SVG shown), or in the live
# preview by mermaid.js (an SVG without Mermaid's syntax-error text, in the
# host's shadow root).
DIAGRAM_STATE_JS = """
() => {
  const sources = document.querySelectorAll("pre.mermaid").length;
  const hosts = [...document.querySelectorAll("div.diagram, div.mermaid")];
  const drawn = hosts.filter((host) => {
    const svgs = [...(host.shadowRoot || host).querySelectorAll("svg")];
    const shown = svgs.filter((svg) => svg.getBoundingClientRect().height > 0);
    return shown.length === 1 && !/syntax error/i.test(shown[0].textContent);
  }).length;
  return { pending: sources, drawn: drawn };
}
"""


class BrowserMissing(RuntimeError):
    pass


@contextmanager
def chromium():
    """A headless Chromium (Playwright Browser)."""
    if not Path(CHROMIUM).exists():
        raise BrowserMissing(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with ExitStack() as stack:
        try:
            playwright = stack.enter_context(sync_playwright())
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        except Exception as exc:  # Playwright's Error or TimeoutError: the reason is in the message
            first = next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
            raise BrowserMissing(
                f"{CHROMIUM} did not start ({first[:200]}): check `{CHROMIUM} --headless --dump-dom about:blank`"
            ) from None
        try:
            yield browser
        finally:
            browser.close()


NETWORK_CHANGED = "net::ERR_NETWORK_CHANGED"
NAVIGATE_TRIES = 3


def navigate(page, url: str, **options):
    """`page.goto`, tried again when Chromium dropped the request because the machine's network
    changed: it does so for every address, loopback too, when an interface comes or goes, and
    the engine makes a bridge for every Compose project or network a test beside this one
    creates (`net::ERR_NETWORK_CHANGED`). Any other error is raised at once."""
    from playwright.sync_api import Error

    for tries_left in reversed(range(NAVIGATE_TRIES)):
        try:
            return page.goto(url, **options)
        except Error as exc:
            if NETWORK_CHANGED not in str(exc) or not tries_left:
                raise


def until_the_network_holds(visit_once, failures_of):
    """`visit_once()` again when what it saw failed only because the machine's network changed
    (a request of the page, not its navigation, dropped with `net::ERR_NETWORK_CHANGED`, as
    `navigate` explains), up to NAVIGATE_TRIES visits in all; the last visit's result otherwise.
    `failures_of(result)` lists the result's failures as text."""
    for tries_left in reversed(range(NAVIGATE_TRIES)):
        result = visit_once()
        if not tries_left or not any(NETWORK_CHANGED in f for f in failures_of(result)):
            return result
    raise AssertionError("unreachable")


def wait_for_diagrams(page, expected: int, timeout: float = 30.0) -> int:
    """Wait until `expected` diagrams are drawn and no source is left; return how many are drawn."""
    deadline = time.monotonic() + timeout
    state = page.evaluate(DIAGRAM_STATE_JS)
    while time.monotonic() < deadline:
        if state["drawn"] >= expected and state["pending"] == 0:
            break
        page.wait_for_timeout(50)
        state = page.evaluate(DIAGRAM_STATE_JS)
    return state["drawn"]


class Fetched(NamedTuple):
    kind: str  # Playwright's resource type: document, script, xhr, image, …
    bytes: int  # on the wire: compressed body and headers


# Material's bundle has run: from here on, what it asks for at start (the search
# index, if a page did that) is in flight or done.
BUNDLE_DONE_JS = "() => document.readyState === 'complete' && window.component$ !== undefined"
QUIET_MS = 500


def cold_loads(browser_, urls: list[str], viewport: dict, init_script: str | None = None) -> list[dict[str, Fetched]]:
    """For each URL, what it fetched from a cold cache (a fresh browser profile), by URL, until
    Material's bundle had run and nothing was in flight for QUIET_MS. The pages load side by
    side: their bytes do not depend on each other, and the waits overlap. Playwright's
    "networkidle" alone is not enough on a busy machine: it can fire while the bundle is
    still being parsed, before it asks for anything."""
    loads = []
    try:
        for url in urls:
            context = browser_.new_context(viewport=viewport)
            if init_script:
                context.add_init_script(init_script)
            fetched: dict[str, Fetched] = {}
            pending: set = set()

            def finished(request, fetched=fetched, pending=pending):
                pending.discard(request)
                sizes = request.sizes()
                fetched[request.url] = Fetched(
                    request.resource_type, sizes["responseBodySize"] + sizes["responseHeadersSize"]
                )

            page = context.new_page()
            page.on("request", lambda request, pending=pending: pending.add(request))
            page.on("requestfinished", finished)
            page.on("requestfailed", lambda request, pending=pending: pending.discard(request))
            navigate(page, url, wait_until="commit")
            loads.append((context, page, fetched, pending))
        for _, page, _, pending in loads:
            page.wait_for_function(BUNDLE_DONE_JS)
            wait_until_quiet(page, pending)
        return [fetched for _, _, fetched, _ in loads]
    finally:
        for context, *_ in loads:
            context.close()


def wait_until_quiet(page, pending: set, limit_ms: int = 30_000) -> None:
    """Wait until none of the page's requests has been in flight for QUIET_MS."""
    quiet = waited = 0
    while quiet < QUIET_MS:
        if waited > limit_ms:
            raise TimeoutError(f"{page.url}: still fetching after {limit_ms} ms: {[r.url for r in pending]}")
        page.wait_for_timeout(100)
        waited += 100
        quiet = 0 if pending else quiet + 100
