"""The Which Docker box and the notes on lesson pages, in Chromium, over http and from file://.

One visit each way: the learner pastes something that is not `docker version` (a clear
message), then Docker Desktop's `docker version` (the page names the setup and lists what
differs, chapter by chapter); a lesson page then opens the notes for that setup alone, and
"show all" brings back the others. The parser itself is tested in Node (tests/js).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from course import setups
from course.browser import navigate
from site_checks.building import site_pages

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = (ROOT / "tests" / "js" / "samples" / "desktop-mac.txt").read_text(encoding="utf-8")
LESSON = "docs/building-images/dockerfile-basics.md"


@pytest.fixture(params=["http", "file"])
def where(request, served_site, offline_site):
    if request.param == "http":
        return served_site[1], site_pages()
    return offline_site.site_dir.as_uri() + "/", site_pages("mkdocs.offline.yml")


def url_of(pages, source: str) -> str:
    return next(p.url for p in pages if p.source == source)


def test_paste_names_the_setup_and_lessons_show_its_notes_first(where, context):
    base, pages = where
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    navigate(page, base + url_of(pages, "docs/which-docker.md"), wait_until="load")
    box = page.locator(".which-docker")
    box.locator(".which-docker__interactive").wait_for(state="visible")
    result = box.locator(".which-docker__result")

    box.locator("textarea").fill("CONTAINER ID   IMAGE   COMMAND   CREATED   STATUS   PORTS   NAMES\n")
    box.locator(".which-docker__check").click()
    assert "not the output of docker version" in result.inner_text()
    assert result.get_attribute("data-state") == "failed"

    box.locator("textarea").fill(SAMPLE)
    box.locator(".which-docker__check").click()
    assert "Docker Desktop on macOS" in result.inner_text()
    listed = box.locator(".which-docker__differs")
    assert "Building images" in listed.inner_text()
    lesson_link = listed.locator("a", has_text="Dockerfile basics")
    assert lesson_link.count() == 1
    assert box.locator("select").input_value() == "desktop-mac"

    lesson_link.click()
    page.wait_for_load_state("load")
    assert page.url.split("#")[0].rstrip("/").endswith(url_of(pages, LESSON).rstrip("/").removesuffix("/index.html"))
    view = page.locator("details.course-differs:has([data-differs='image-ls-view'])")
    view.locator(".course-differs__yours").wait_for()
    assert view.get_attribute("open") is not None, "a note for the learner's setup opens"
    assert "Docker Desktop on macOS" in view.locator("summary").inner_text()
    notes = view.locator("[data-differs='image-ls-view'] .course-differs__note")
    cli29 = notes.filter(has_text="Docker CLI 29 and later")
    podman = notes.filter(has_text="Podman with podman-docker")
    assert cli29.is_visible() and not podman.is_visible()
    # A note that concerns other setups only stays closed and says so.
    build = page.locator("details.course-differs:has([data-differs='build-output'])")
    assert build.get_attribute("open") is None
    assert "Same as shown for your Docker" in build.locator("summary").inner_text()

    view.locator("button.course-differs__all").click()
    assert podman.is_visible()
    assert view.locator("[data-differs='image-size']").is_visible(), "show all shows the other differences too"
    assert not errors, errors


def test_without_a_saved_setup_every_note_shows(where, context):
    base, pages = where
    page = context.new_page()
    navigate(page, base + url_of(pages, LESSON), wait_until="load")
    view = page.locator("details.course-differs:has([data-differs='image-ls-view'])")
    view.locator("summary").click()
    notes = setups.load().differences["image-ls-view"].notes
    assert view.locator("[data-differs='image-ls-view'] .course-differs__note:visible").count() == len(notes)
    assert page.locator(".course-differs__all").count() == 0
