"""The browser checks themselves: a request aborted because the page moved on is no fault of the
site, while every other failed request, every 4xx/5xx and every console error still is."""

from __future__ import annotations

import http.server
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from course.browser import NAVIGATE_TRIES, navigate, until_the_network_holds
from site_checks import browser as chromium
from site_checks.building import ROOT

ICON = b'<!doctype html><link rel="icon" href="data:,">'
PAGES = {
    "/slow": None,  # answers after two seconds
    "/next.html": ICON + b"<title>next</title><p>next</p>",
    "/leaves.html": ICON
    + b"""<title>leaves</title>
<script>fetch("/slow"); setTimeout(() => { location.href = "/next.html"; }, 300);</script>""",
    "/missing.html": ICON + b"""<title>missing</title><img src="/no-such-image.png" alt="x">""",
    "/cancels.html": ICON
    + b"""<title>cancels</title><script>
const c = new AbortController(); fetch("/slow", {signal: c.signal}).catch(() => {});
setTimeout(() => c.abort(), 300);</script>""",
    "/logs.html": ICON + b"""<title>logs</title><script>console.error("broken");</script>""",
}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path not in PAGES:
            self.send_error(404)
            return
        if self.path == "/slow":
            time.sleep(2)
        body = PAGES[self.path] or b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if self.path.endswith(".html") else "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def base():
    with server() as url:
        yield url


def report_for(context, base: str, path: str, wait_for: str | None = None) -> chromium.PageReport:
    page = context.new_page()
    try:
        report = chromium.watch(page, base)
        navigate(page, base + path, wait_until="load")
        if wait_for:
            page.wait_for_url(base + wait_for)
        page.wait_for_timeout(800)
        return report
    finally:
        page.close()


def test_a_request_aborted_by_navigation_is_not_a_failure(context, base):
    report = report_for(context, base, "/leaves.html", wait_for="/next.html")
    assert report.aborted_by_navigation == [base + "/slow"], report
    assert report.problems(0) == [], report.problems(0)


def test_a_request_aborted_without_navigation_still_fails(context, base):
    report = report_for(context, base, "/cancels.html")
    assert any("/slow" in p and "ERR_ABORTED" in p for p in report.problems(0)), report


def test_a_missing_file_still_fails(context, base):
    assert any("no-such-image.png (HTTP 404)" in p for p in report_for(context, base, "/missing.html").problems(0))


def test_a_console_error_still_fails(context, base):
    assert "console error: broken" in report_for(context, base, "/logs.html").problems(0)


def test_a_chromium_that_does_not_start_gives_one_clear_line(tmp_path, monkeypatch):
    from course import browser as course_browser

    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setattr(course_browser, "CHROMIUM", str(broken))
    with pytest.raises(course_browser.BrowserMissing) as caught, course_browser.chromium():
        pass
    message = str(caught.value)
    assert message.startswith(f"{broken} did not start (") and "\n" not in message, message


class FlakyPage:
    """Stands in for a Playwright page whose first `goto`s fail with `error`."""

    def __init__(self, failures: int, error: str):
        self.failures, self.error, self.visits = failures, error, []

    def goto(self, url, **options):
        from playwright.sync_api import Error

        self.visits.append((url, options))
        if len(self.visits) <= self.failures:
            raise Error(f"Page.goto: {self.error} at {url}")
        return "response"


def test_a_navigation_dropped_because_the_network_changed_is_tried_again():
    page = FlakyPage(failures=2, error="net::ERR_NETWORK_CHANGED")
    assert navigate(page, "http://127.0.0.1:1/a/", wait_until="load") == "response"
    assert page.visits == [("http://127.0.0.1:1/a/", {"wait_until": "load"})] * 3


def test_a_network_that_keeps_changing_still_fails_the_navigation():
    from playwright.sync_api import Error

    page = FlakyPage(failures=NAVIGATE_TRIES, error="net::ERR_NETWORK_CHANGED")
    with pytest.raises(Error, match="ERR_NETWORK_CHANGED"):
        navigate(page, "http://127.0.0.1:1/a/")


def test_any_other_navigation_error_fails_at_once():
    from playwright.sync_api import Error

    page = FlakyPage(failures=1, error="net::ERR_CONNECTION_REFUSED")
    with pytest.raises(Error, match="ERR_CONNECTION_REFUSED"):
        navigate(page, "http://127.0.0.1:1/a/")
    assert len(page.visits) == 1


def test_every_navigation_goes_through_navigate():
    """A bare `page.goto` would fail a test whenever a test beside it makes a Docker network."""
    roots = [ROOT / "scripts", ROOT / "tests"]
    bare = [
        f"{path.relative_to(ROOT)}:{number}"
        for root in roots
        for path in sorted(root.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\.goto\(", line) and path != ROOT / "scripts/course/browser.py"
    ]
    assert not bare, "navigate with course.browser.navigate: " + ", ".join(bare)


def test_a_page_whose_requests_the_network_change_dropped_is_visited_again():
    seen = [["sitemap.xml (net::ERR_NETWORK_CHANGED)"], ["sitemap.xml (net::ERR_NETWORK_CHANGED)"], []]
    visits = iter(seen)
    assert until_the_network_holds(lambda: next(visits), lambda failures: failures) == []


def test_a_page_whose_requests_keep_failing_reports_the_failure():
    changed = ["sitemap.xml (net::ERR_NETWORK_CHANGED)"]
    calls = []
    result = until_the_network_holds(lambda: calls.append(1) or changed, lambda failures: failures)
    assert (result, len(calls)) == (changed, NAVIGATE_TRIES)
    other = ["sitemap.xml (HTTP 404)"]
    calls.clear()
    assert until_the_network_holds(lambda: calls.append(1) or other, lambda failures: failures) == other
    assert len(calls) == 1
