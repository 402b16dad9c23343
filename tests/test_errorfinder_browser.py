"""The "paste your error" box in headless Chromium, over http and from file://: a reader's sample.

tests/js/errors.test.mjs runs the matcher on every test paste in Node; here a sample goes
through the real box, as a reader uses it: the textarea found by its label, the button by its
name, the answer read from the live region, every link followed to a page and an anchor that
exist, and axe on the box with its answer shown. One page visit per way of serving the site.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from course.browser import navigate
from site_checks import browser as chromium
from test_accessibility import axe_problems

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
PASTES = ROOT / "tests" / "data" / "error-pastes"


def pastes() -> list[tuple[str, list[str], str]]:
    """(file, [anchors], text) of tests/data/error-pastes/*.txt (README.md there says how they are written)."""
    found = []
    for path in sorted(PASTES.glob("*.txt")):
        for block in path.read_text(encoding="utf-8").split("=== ")[1:]:
            header, _, text = block.partition("\n")
            names = header.split(" | ")[0].strip()
            want = [] if names == "none" else [a.strip() for a in names.split("+")]
            found.append((path.name, want, text.rstrip("\n") + "\n"))
    return found


def sample() -> list[tuple[list[str], str]]:
    """The first paste of each page's file, the longest paste, and two that no entry explains."""
    every = pastes()
    firsts = {}
    for file, want, text in every:
        if want:
            firsts.setdefault(file, (want, text))
    longest = max(((w, t) for _, w, t in every if w), key=lambda p: len(p[1]))
    unknown = [(w, t) for _, w, t in every if not w][:2]
    return [*firsts.values(), longest, *unknown]


@pytest.fixture(params=["http", "file"])
def where(request, served_site, offline_site):
    """(URL of the troubleshooting overview, base URL, site folder) over http:// or file://."""
    if request.param == "http":
        built, base = served_site
        return base + "troubleshooting/", base, built.site_dir
    base = offline_site.site_dir.as_uri() + "/"
    return base + "troubleshooting/index.html", base, offline_site.site_dir


def target_exists(href: str, base: str, site_dir: Path) -> bool:
    """The link leads to a built page of this site that has the anchor."""
    parts = urlsplit(href)
    if not href.startswith(base):
        return False
    local = site_dir / unquote(parts.path.removeprefix(urlsplit(base).path))
    page = local / "index.html" if local.is_dir() else local
    if not page.is_file():
        return False
    return not parts.fragment or BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find(id=parts.fragment)


def test_the_box_answers_a_sample_of_pastes(where, context):
    url, base, site_dir = where
    page = context.new_page()
    report = chromium.watch(page, base)
    navigate(page, url, wait_until="load")
    # Until Material's bundle runs, the page is "no-js" and the box's form is hidden (a clean-clone
    # run once waited 30 s on an invisible box): say why instead.
    try:
        page.wait_for_function(chromium.BUNDLE_DONE_JS, timeout=20_000)
    except PlaywrightTimeoutError:
        pytest.fail(f"{url}: Material's bundle did not run within 20 s: {report.problems(0)}")
    box = page.locator(".error-finder")
    textarea = page.get_by_label("Paste the error")
    button = page.get_by_role("button", name="Find the cause")
    answer = box.locator('[aria-live="polite"]')
    assert textarea.evaluate("el => el.tagName") == "TEXTAREA"
    problems = []
    for want, text in sample():
        textarea.fill(text)
        button.click()
        links = answer.locator("a").evaluate_all("as => as.map(a => a.href)")
        said = answer.inner_text()
        if want:
            got = [urlsplit(h).fragment for h in links]
            if not got or got[0] not in want or not set(want) <= set(got):
                problems.append(f"want {want}, got {got} for {text[:60]!r}")
            causes = answer.locator("li .course-detail").all_inner_texts()
            if len(causes) != len(links) or not all(c.strip() for c in causes):
                problems.append(f"a result without its cause: {said!r}")
            problems += [f"link {h} leads nowhere" for h in links if not target_exists(h, base, site_dir)]
            if url.startswith("http") and want == sample()[0][0]:
                problems += [f"with an answer shown: {p}" for p in axe_problems(page)]
        else:
            if not said.startswith("No entry matches this message."):
                problems.append(f"an unknown text got {said!r}")
            search, issue = links
            if not target_exists(search.split("?")[0], base, site_dir) or not parse_qs(urlsplit(search).query)["q"][0]:
                problems.append(f"search link {search}")
            form = parse_qs(urlsplit(issue).query)
            if not issue.startswith("https://github.com/docker-basics/docker-basics/issues/new?") or (
                form["template"] != ["error-not-listed.yml"] or text.strip().splitlines()[-1] not in form["message"][0]
            ):
                problems.append(f"issue link {issue}")
            if url.startswith("http"):
                problems += [f"with no entry found: {p}" for p in axe_problems(page)]
    assert problems == [] and report.console_errors == [] and report.foreign_requests == [], (
        problems + report.console_errors + report.foreign_requests
    )
    # Its search link opens this site's search with the key words.
    textarea.fill("hello world")
    button.click()
    answer.locator("a").first.click()
    page.wait_for_function("() => document.querySelector('[data-md-toggle=search]').checked")
    assert page.locator(".md-search__input").input_value() == "hello world"


# A terminal's scrollback before the error: a service's log, more than the box takes
# (course.paste.MAX). 1 MB and 5 MB pastes into this box: tests/test_paste_boxes.py, which times them.
LOG_LINE = 'web-1  | 172.18.0.1 - - [05/Dec/2026 13:58:44] "GET /notes/ HTTP/1.1" 200 -\n'
BIG = 400_000


def test_a_terminal_paste_too_long_for_the_box_keeps_its_end_and_finds_the_error_there(where, context):
    """Ctrl+V of a terminal paste too long for the box (a real paste event, from the clipboard)
    whose last lines are Docker's error: the box takes the paste's last lines, says how much it
    kept, and the error's entry comes first, with no second note about the paste's size."""
    url, base, _ = where
    want, error = next((w, t) for file, w, t in pastes() if w == ["port-already-allocated"] and t.startswith("$ "))
    text = "$ docker compose logs -f web\n" + LOG_LINE * (BIG // len(LOG_LINE)) + error
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    report = chromium.watch(page, base)
    navigate(page, url, wait_until="load")
    page.wait_for_selector(".error-finder--ready")
    page.evaluate("(t) => navigator.clipboard.writeText(t)", text)
    textarea = page.get_by_label("Paste the error")
    textarea.focus()
    page.keyboard.press("Control+v")
    held = textarea.input_value()
    note = page.locator(".error-finder .course-paste-note[role=alert]").inner_text()
    most = page.evaluate("() => window.course.paste.MAX")
    assert 0 < len(held) <= most < len(text) and text.endswith(held) and text[-len(held) - 1] == "\n", len(held)
    assert note == (
        f"Pasted the last {len(held):,} of {len(text):,} characters: the box takes at most {most:,}, "
        "and a terminal prints the error last."
    )
    page.get_by_role("button", name="Find the cause").click()
    answer = page.locator('.error-finder [aria-live="polite"]')
    links = answer.locator("a").evaluate_all("as => as.map(a => a.href)")
    said = answer.inner_text()
    assert [urlsplit(h).fragment for h in links][:1] == want and "Your paste is" not in said, said
    problems = report.console_errors + report.foreign_requests
    assert problems == []
