"""The offline zip (`make offline`): unzipped, the course works from file:// with no network.

The zip is made by the same command `make offline` runs (`python -m course
offline`), into temporary folders. The browser context is offline and every
request that is not a file:// one is aborted; every request is recorded, and
none may leave the unzipped folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import urllib.parse
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from course.browser import navigate
from site_checks import browser as chromium
from site_checks.building import ROOT, copy_project, site_pages
from test_site_browser import page_problems

# One xdist worker for the module: its fixture makes the zip once, not once per worker that
# gets one of its tests (a module-scoped fixture is per worker; the zip took about a minute twice).
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("offline-zip")]

FOLDER = "docker-basics-offline"
PAGES = site_pages("mkdocs.offline.yml")
DIAGRAM = re.compile(r'<div [^>]*\bclass="diagram"')  # drawn at build time
CODE_BLOCK = re.compile(r'<div class="[^"]*\bhighlight\b[^"]*"><pre')


def make_offline(project: Path, output: Path, site_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts"), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "course",
            "offline",
            "--project",
            str(project),
            "--output",
            str(output),
            "--site-dir",
            str(site_dir),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def unzipped(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("offline-zip")
    output = work / "dist" / "docker-basics-offline.zip"
    result = make_offline(ROOT, output, work / "site")
    assert result.returncode == 0, f"`python -m course offline` failed:\n{result.stdout}{result.stderr}"
    assert output.is_file(), "no zip written"
    assert not list(output.parent.glob(".*.tmp")), "a temporary file was left beside the zip"
    with zipfile.ZipFile(output) as archive:
        names = archive.namelist()
        assert {n.split("/", 1)[0] for n in names} == {FOLDER}, "the zip must hold one folder"
        assert f"{FOLDER}/index.html" in names
        archive.extractall(work / "unzipped")
    return work / "unzipped" / FOLDER


@pytest.fixture
def offline_context(browser, unzipped):
    """A browser profile with no network: anything but file:// is aborted; all requests recorded."""
    ctx = chromium.reader_context(browser)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"])
    ctx.set_offline(True)
    ctx.requests = []
    ctx.on("request", lambda request: ctx.requests.append(request.url))
    ctx.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith("file:") else route.abort("internetdisconnected")
        ),
    )
    yield ctx
    ctx.close()


def outside(requests: list[str], folder: Path) -> list[str]:
    base = folder.as_uri() + "/"
    return [url for url in requests if not url.startswith(base) and not url.startswith(("data:", "blob:", "about:"))]


def diagrams_in(folder: Path, dest: str) -> int:
    return len(DIAGRAM.findall((folder / dest).read_text(encoding="utf-8")))


def test_ships_no_mermaid_js(unzipped):
    """Diagrams are SVG drawn at build time: the zip holds no mermaid.js and no page names it."""
    assert list(unzipped.rglob("mermaid*.js")) == []
    assert [p.source for p in PAGES if "mermaid.min.js" in (unzipped / p.dest).read_text(encoding="utf-8")] == []
    assert sum(diagrams_in(unzipped, p.dest) for p in PAGES) > 0


def test_every_page_opens_with_its_diagrams(unzipped, offline_context):
    """Every page of the zip from file://, with no network, checked as test_site_browser checks a
    page over http: no failed request or script error, every diagram drawn, no layout shift,
    no mermaid.js."""
    base = unzipped.as_uri() + "/"
    problems, tab = [], offline_context.new_page()
    for page in PAGES:
        assert (unzipped / page.dest).is_file(), f"{page.dest} is not in the zip"
        problems += page_problems(tab, base, SimpleNamespace(site_dir=unzipped), page)
    assert problems == []
    assert outside(offline_context.requests, unzipped) == []
    assert len(offline_context.requests) >= len(PAGES), "requests were not recorded"


def test_navigation_and_search(unzipped, offline_context):
    base = unzipped.as_uri() + "/"
    target = next(p for p in PAGES if diagrams_in(unzipped, p.dest))
    page = offline_context.new_page()
    report = chromium.watch(page, base)
    navigate(page, base + "index.html", wait_until="load")
    page.click(f'nav.md-nav--primary a[href$="{target.dest}"]')
    page.wait_for_url(base + target.dest)
    expected = diagrams_in(unzipped, target.dest)
    report.diagrams = chromium.wait_for_diagrams(page, expected)
    assert report.problems(expected) == [], f"after clicking to {target.dest}: {report.problems(expected)}"

    titles = chromium.search(page, "daemon")
    assert any("architecture" in t.lower() for t in titles), f"search for 'daemon' found {titles}"
    page.click(".md-search-result__item a >> nth=0")
    page.wait_for_url(re.compile(r"^file:.*\.html"))
    assert page.url.startswith(base), page.url
    assert outside(offline_context.requests, unzipped) == []


def test_code_copy_button(unzipped, offline_context):
    base = unzipped.as_uri() + "/"
    source = next(p for p in PAGES if CODE_BLOCK.search((unzipped / p.dest).read_text(encoding="utf-8")))
    page = offline_context.new_page()
    navigate(page, base + source.dest, wait_until="load")
    block = page.locator("pre:has([data-clipboard-target]):visible").first
    block.scroll_into_view_if_needed()
    block.hover()
    button = block.locator("[data-clipboard-target]")
    # What the button is to copy: the code, or for a console block its commands only (the
    # data-copy that scripts/course/consolecopy.py writes at build time).
    code, expected = page.evaluate(
        "(sel) => { const c = document.querySelector(sel); return [c.textContent, c.getAttribute('data-copy')]; }",
        button.get_attribute("data-clipboard-target"),
    )
    expected = code if expected is None else expected
    page.evaluate("navigator.clipboard.writeText('(nothing copied yet)')")
    button.click()
    page.wait_for_function(
        "navigator.clipboard.readText().then(t => t !== '(nothing copied yet)')", timeout=5000, polling=100
    )
    copied = page.evaluate("navigator.clipboard.readText()")

    def norm(text):
        return re.sub(r"\n+", "\n", text).strip()

    assert norm(copied) == norm(expected) and norm(code), f"copied {copied!r}, the block holds {code!r}"
    assert outside(offline_context.requests, unzipped) == []


def test_failed_build_leaves_no_zip(tmp_path):
    project = copy_project(tmp_path / "project")
    if not (project / "Dockerfile").exists():  # docs/delivery/container-image.md includes it
        shutil.copy2(ROOT / "Dockerfile", project / "Dockerfile")
    page = project / "docs" / "how-to-use.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[broken](no-such-page.md)\n", encoding="utf-8")
    output = tmp_path / "dist" / "docker-basics-offline.zip"
    output.parent.mkdir()
    output.write_bytes(b"an old zip")
    result = make_offline(project, output, tmp_path / "site")
    assert result.returncode != 0
    assert "no-such-page.md" in result.stdout + result.stderr, "the build's own error is not shown"
    assert not output.exists(), "a zip is left after a failed build"
    assert list(output.parent.iterdir()) == [], "files are left in dist/ after a failed build"


def test_404_page_is_styled_and_works_from_file(unzipped, offline_context):
    """The error page lies at the top of the folder: its stylesheets, scripts and links work from there."""
    base = unzipped.as_uri() + "/"
    html = (unzipped / "404.html").read_text(encoding="utf-8")
    absolute = sorted(set(re.findall(r'(?:href|src)="(/[^"]*)"', html)))
    assert absolute == [], f"404.html names files by absolute path, which file:// cannot find: {absolute[:5]}"
    page = offline_context.new_page()
    report = chromium.watch(page, base)
    navigate(page, base + "404.html", wait_until="load")
    page.wait_for_timeout(300)
    seen = page.evaluate(
        """() => ({
          header: getComputedStyle(document.querySelector(".md-header")).position,
          scripts: typeof window.document$ !== "undefined",
          links: [...document.querySelectorAll("a[href]")].map((a) => a.href).filter((h) => h.startsWith("file:")),
        })"""
    )
    assert report.problems(0) == [], f"404.html from file://: {report.problems(0)}"
    assert seen["header"] == "sticky", "404.html is not styled: Material's stylesheet did not load"
    assert seen["scripts"], "404.html did not run Material's script"
    targets = {Path(urllib.parse.unquote(urllib.parse.urlsplit(link).path)) for link in seen["links"]}
    missing = sorted(str(t) for t in targets if not (t.is_file() or (t / "index.html").is_file()))
    assert len(targets) > 10 and missing == [], f"links of 404.html that lead nowhere: {missing[:5]}"
    assert outside(offline_context.requests, unzipped) == []
