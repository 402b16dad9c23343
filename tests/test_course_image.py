"""The course as a container image (root Dockerfile): built on the real engine, run, crawled.

One build per session (`python -m course image`'s code, under a test tag and
labels), one container per module; both are removed at the end, also when a
test fails (the `engine` fixture removes everything labelled with the session).
"""

from __future__ import annotations

import http.client
import re
from urllib.parse import urlsplit

import pytest

from course import engine as docker_engine
from course import image as course_image
from course.browser import navigate
from course.engine import DockerError
from site_checks import browser as chromium
from site_checks.building import site_pages

pytestmark = [pytest.mark.docker, pytest.mark.browser]

PAGES = site_pages()
PORT = 8080
DIAGRAM = re.compile(r'<div [^>]*\bclass="diagram"')  # drawn at build time
IMMUTABLE = "public, max-age=31536000, immutable"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@pytest.fixture(scope="session")
def course_image_tag(engine):
    tag = f"docker-basics-test/course:{docker_engine.SESSION_ID}"
    try:
        course_image.build_image(
            engine, tag, labels=[docker_engine.TEST_LABEL, docker_engine.SESSION_LABEL], log=lambda message: None
        )
    except DockerError as exc:
        pytest.fail(f"the course image does not build:\n{exc}", pytrace=False)
    except RuntimeError as exc:  # a base image that can be neither pulled nor stood in for
        pytest.fail(f"base images for the course image: {exc}", pytrace=False)
    yield tag
    engine.run_cmd("rmi", "-f", tag, check=False, timeout=120)


@pytest.fixture(scope="module")
def served(module_container, course_image_tag):
    """The running container (waited for until its HEALTHCHECK says healthy) and its base URL."""
    container = module_container(course_image_tag, ports=(PORT,), wait="healthy", timeout=90)
    return container, container.url("/", port=PORT)


# nginx compresses as it sends: on a busy machine a chunk of the search index once took over 5 s,
# and a redirect once had no answer within 5 s (CI of stop 29).
HTTP_TIMEOUT = 30


def get(container, path, headers=None):
    status, response_headers, body = container.http("GET", path, port=PORT, headers=headers or {}, timeout=HTTP_TIMEOUT)
    return status, {k.lower(): v for k, v in response_headers.items()}, body


def diagrams_on(container, page) -> int:
    status, _, body = get(container, "/" + page.url)
    assert status == 200, f"/{page.url}: HTTP {status}"
    return len(DIAGRAM.findall(body.decode("utf-8")))


# --------------------------------------------------------------------------- the container
def test_healthcheck_reaches_healthy(served, engine, course_image_tag):
    container, _ = served
    config = engine.inspect(course_image_tag)["Config"]
    assert config.get("Healthcheck", {}).get("Test"), "the image has no HEALTHCHECK"
    state = container.inspect()["State"]
    assert state["Health"]["Status"] == "healthy", state["Health"]


def test_runs_as_non_root(served, engine, course_image_tag):
    container, _ = served
    user = engine.inspect(course_image_tag)["Config"].get("User", "")
    assert user and user.split(":")[0] not in ("", "0", "root"), f"USER is {user!r}"
    uid = container.exec("id", "-u").stdout.strip()
    assert uid != "0", "docker exec runs as root: the image's user is root"
    # nginx itself (master and workers), not only `docker exec`, runs without root.
    owners = container.exec(
        "sh", "-c", "for p in /proc/[0-9]*; do grep -q nginx $p/cmdline 2>/dev/null && stat -c %u $p; done"
    ).stdout.split()
    assert owners and set(owners) == {uid}, f"nginx processes run as uids {owners}"


def test_ships_no_mermaid_js(served):
    """Diagrams are SVG drawn at build time: the image has no mermaid.js and no page names it."""
    container, _ = served
    assert get(container, "/assets/vendor/mermaid/mermaid.min.js")[0] == 404
    page = next(p for p in PAGES if diagrams_on(container, p))
    assert "mermaid.min.js" not in get(container, "/" + page.url)[2].decode("utf-8")


def test_listens_on_8080_and_serves_the_course(served):
    container, _ = served
    status, headers, body = get(container, "/")
    assert status == 200
    assert "<title>Docker Basics</title>" in body.decode("utf-8")


# --------------------------------------------------------------------------- headers
def test_compression(served):
    container, _ = served
    paths = [
        "/",
        "/search/search_index.json",
        "/assets/vendor/resize-observer-polyfill/ResizeObserver.js",
        "/sitemap.xml",
        fingerprinted(container, "js"),
        fingerprinted(container, "css"),
    ]
    for path in paths:
        status, headers, _ = get(container, path, {"Accept-Encoding": "gzip"})
        assert status == 200, f"{path}: HTTP {status}"
        assert headers.get("content-encoding") == "gzip", f"{path} is not gzip-compressed: {headers}"
        assert "accept-encoding" in headers.get("vary", "").lower(), f"{path}: no Vary: Accept-Encoding"
    status, headers, _ = get(container, "/", {"Accept-Encoding": "identity"})
    assert "content-encoding" not in headers, "compressed for a client that did not ask for it"


def fingerprinted(container, kind: str) -> str:
    _, _, body = get(container, "/")
    match = re.search(rf'(?:href|src)="(assets/[^"]+\.[0-9a-f]{{8}}\.min\.{kind})"', body.decode("utf-8"))
    assert match, f"no fingerprinted .{kind} on the home page"
    return "/" + match.group(1)


def test_cache_control_by_type(served):
    container, _ = served
    expected = {
        fingerprinted(container, "js"): IMMUTABLE,
        fingerprinted(container, "css"): IMMUTABLE,
        "/assets/javascripts/workers/" + worker_name(container): IMMUTABLE,
        "/": "no-cache",
        "/" + next(p.url for p in PAGES if p.url): "no-cache",
        "/404.html": "no-cache",
        "/assets/vendor/resize-observer-polyfill/ResizeObserver.js": "no-cache",  # not fingerprinted
        "/search/search_index.json": "no-cache",
    }
    found = {path: get(container, path)[1].get("cache-control") for path in expected}
    assert found == expected


def worker_name(container) -> str:
    _, _, body = get(container, "/")
    match = re.search(r'"search": "[^"]*workers/(search\.[0-9a-f]{8}\.min\.js)"', body.decode("utf-8"))
    assert match, "the search worker is not named in the page's configuration"
    return match.group(1)


def test_security_headers_on_every_kind_of_response(served):
    container, _ = served
    for path in ["/", fingerprinted(container, "css"), "/search/search_index.json", "/no-such-page/"]:
        status, headers, _ = get(container, path)
        for name, value in SECURITY_HEADERS.items():
            found = headers.get(name.lower())
            assert found == value, f"{path} (HTTP {status}): {name} is {found!r}"
        csp = headers.get("content-security-policy", "")
        assert csp, f"{path}: no Content-Security-Policy"
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if " " in d.strip())
        script_src = directives.get("script-src", "")
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, script_src
        assert "'sha256-" in script_src, f"script-src lists no inline-script hashes: {script_src}"
        assert directives.get("object-src") == "'none'" and directives.get("frame-ancestors") == "'none'"


def test_not_found_and_redirects(served):
    container, _ = served
    status, _, body = get(container, "/no-such-page/")
    assert status == 404 and b"404" in body
    # A folder without its slash redirects to a relative address, which stays right
    # when Docker publishes port 8080 on another port.
    folder = next(p.url for p in PAGES if p.url.count("/") >= 2).rstrip("/")
    connection = http.client.HTTPConnection("127.0.0.1", container.host_port(PORT), timeout=HTTP_TIMEOUT)
    connection.request("GET", "/" + folder)
    response = connection.getresponse()
    assert response.status == 301 and response.getheader("Location") == f"/{folder}/", response.getheaders()
    connection.close()


# --------------------------------------------------------------------------- in the browser
@pytest.fixture
def csp_context(context):
    """A context whose pages record what the Content-Security-Policy blocks (chromium.INIT_SCRIPT)."""
    return context


KIND = re.compile(r'data-course-script="([a-z -]+)"')


def pages_of_every_kind(container) -> list:
    """The home page, the first page with a diagram, and a page of each kind of page script
    (quizzes and progress, labs, the error finder, Which Docker): what nginx and its policy can
    treat differently. Every page is swept with the same policy over http (test_site_browser)."""
    chosen, kinds, diagram = [PAGES[0]], set(), False
    for page in PAGES[1:]:
        status, _, body = get(container, "/" + page.url)
        assert status == 200, f"/{page.url}: HTTP {status}"
        html = body.decode("utf-8")
        new = {k for found in KIND.findall(html) for k in found.split()} - kinds
        if new or (not diagram and DIAGRAM.search(html)):
            chosen.append(page)
            kinds |= new
            diagram = diagram or bool(DIAGRAM.search(html))
    assert kinds >= {"practice", "labs", "errors", "which-docker"} and diagram, (kinds, diagram)
    return chosen


def test_pages_of_every_kind_in_chromium_without_errors_or_csp_violations(served, csp_context):
    container, base = served
    problems, tab = {}, csp_context.new_page()
    for page in pages_of_every_kind(container):
        expected = diagrams_on(container, page)
        report = chromium.visit(tab, base + page.url, base, expected)
        if report.problems(expected):
            problems[page.source] = report.problems(expected)
    assert problems == {}, problems


def test_the_error_finder_answers_under_the_csp(served, csp_context):
    """The box on the troubleshooting overview (docs/assets/javascripts/errors.js) through nginx,
    with the image's Content-Security-Policy: it finds the entry and links to its anchor."""
    container, base = served
    tab = csp_context.new_page()
    report = chromium.watch(tab, base)
    navigate(tab, base + "troubleshooting/", wait_until="load")
    message = 'Error response from daemon: Conflict. The container name "/db" is already in use by container "0a1b2c3d"'
    tab.get_by_label("Paste the error").fill(message)
    tab.get_by_role("button", name="Find the cause").click()
    first = tab.locator(".error-finder__results a").first
    assert first.get_attribute("href") == base + "troubleshooting/running/#name-in-use"
    assert tab.locator(".error-finder__results .course-detail").first.inner_text().strip()
    violations = tab.evaluate("window.__cspViolations")
    assert report.problems(0) == [] and violations == [], (report.problems(0), violations)


def test_navigation_and_search_through_nginx(served, csp_context):
    container, base = served
    target = next(p for p in PAGES if p.url and diagrams_on(container, p))
    tab = csp_context.new_page()
    report = chromium.watch(tab, base)
    navigate(tab, base, wait_until="networkidle")
    tab.click(f'nav.md-nav--primary a[href$="{target.url}"]')
    tab.wait_for_url(base + target.url)
    expected = diagrams_on(container, target)
    report.diagrams = chromium.wait_for_diagrams(tab, expected)
    titles = chromium.search(tab, "daemon")
    assert any("architecture" in t.lower() for t in titles), titles
    violations = tab.evaluate("window.__cspViolations")
    assert report.problems(expected) == [] and violations == [], (report.problems(expected), violations)
    assert all(urlsplit(url).port == container.host_port(PORT) for url in report.requests if url.startswith("http")), (
        "requests to another address"
    )
