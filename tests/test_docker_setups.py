"""What other Docker setups print (issue 24): includes/docker-setups.yml, its fences, its pages.

- Every page that runs a command one of the differences concerns (in a console block, a
  transcript it includes, or a PowerShell tab) carries that difference's ```differs fence.
- The data file and the fences fail with the file and line on bad input.
- The built site: the notes name their setups and sources, the Which Docker page lists every
  setup and difference, and its box holds what the script needs.
The box and the notes in a browser: tests/test_which_docker_browser.py; the parser: tests/js.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from course import console, setups
from course.console import FENCE, Line

ROOT = Path(__file__).resolve().parents[1]
# Pages about the project itself, not the course: their commands are a contributor's.
NOT_LESSONS = ("contributing/", "delivery/")
# The setups issue 24 names; the data file may have more.
REQUIRED_SETUPS = {
    "desktop-mac", "desktop-windows", "desktop-linux", "ce29-fresh", "ce29-upgraded",
    "ubuntu", "debian13", "debian12", "rootless", "podman",
}  # fmt: skip


def powershell_commands(lines: list[Line]) -> list[tuple[str, Line]]:
    """The docker commands of ```powershell blocks (no output is shown there)."""
    out, inside = [], None
    for ln in lines:
        m = FENCE.match(ln.text)
        if m and inside is None:
            inside = m.group("info").strip().lower().startswith("powershell") and m.group("fence")
            inside = inside or ""
            continue
        if m is not None and inside is not None and m.group("fence").startswith(inside or "```"):
            inside = None
            continue
        if inside and re.match(r"\s*(?:\$\w+\s*=\s*)?docker\b", ln.text):
            out.append((ln.text.strip(), ln))
    return out


def missing_notes(page: Path, data: setups.Data | None = None) -> list[str]:
    """For one page: every command a difference concerns whose ```differs fence the page lacks."""
    data = data or setups.load()
    text = page.read_text(encoding="utf-8")
    fenced = {i for f in setups.find_in_text(text, page.name) for i in f.ids}
    if setups.find_in_text(text, page.name, kinds=("differs-table",)):
        fenced |= set(data.differences)
    runs: list[tuple[str, list[str], str]] = []
    for block in console.parse_file(page):
        for cmd in block.commands:
            runs.append((cmd.text, cmd.expected, cmd.where))
    for command, ln in powershell_commands(console.expand(page)):
        runs.append((command, [], f"{ln.via or ln.file + ':' + str(ln.lineno)} (PowerShell)"))
    problems = []
    for command, expected, where in runs:
        for d in data.differences.values():
            if d.id not in fenced and d.concerns(command, expected):
                problems.append(f"{where}: runs `{command.splitlines()[0]}` without a ```differs fence naming {d.id}")
    return problems


def lesson_pages() -> list[Path]:
    return [p for p in console.pages() if not p.relative_to(ROOT / "docs").as_posix().startswith(NOT_LESSONS)]


def test_the_data_file_names_every_setup_of_the_issue():
    data = setups.load()
    assert REQUIRED_SETUPS <= set(data.setups), sorted(REQUIRED_SETUPS - set(data.setups))
    for d in data.differences.values():
        for note in d.notes:
            assert note.setups or note.stores, note.key
            assert "https://" in note.source, f"{note.key}: a source is a link"


@pytest.mark.parametrize("page", lesson_pages(), ids=lambda p: p.relative_to(ROOT / "docs").as_posix())
def test_a_page_that_runs_a_differing_command_carries_its_note(page):
    problems = missing_notes(page)
    assert not problems, "\n".join(problems)


def repeated_notes(text: str, page: str) -> list[str]:
    """Each difference a page names in more than one ```differs fence: the reader sees the same box twice."""
    first: dict[str, int] = {}
    problems = []
    for found in setups.find_in_text(text, page):
        for did in found.ids:
            if did in first:
                problems.append(f"{page}:{found.line}: {did} again (its note is already at line {first[did]})")
            first.setdefault(did, found.line)
    return problems


@pytest.mark.parametrize("page", console.pages(), ids=lambda p: p.relative_to(ROOT / "docs").as_posix())
def test_a_page_shows_each_note_once(page):
    problems = repeated_notes(page.read_text(encoding="utf-8"), page.relative_to(ROOT / "docs").as_posix())
    assert not problems, "\n".join(problems)


def test_the_check_catches_a_note_shown_twice():
    once = "```differs\nbuild-output\n```\n"
    assert repeated_notes(once, "p.md") == []
    assert repeated_notes(once + "\n" + once, "p.md") == ["p.md:5: build-output again (its note is already at line 1)"]


def test_the_check_catches_a_command_without_its_note(tmp_path):
    """The planted fault: a page that lists images, with and without its note."""
    page = tmp_path / "page.md"
    block = "```console\n$ docker image ls first-image\nREPOSITORY  TAG  IMAGE ID  CREATED  SIZE\n```\n"
    page.write_text(block, encoding="utf-8")
    found = missing_notes(page)
    assert any("image-ls-view" in p for p in found) and any("image-size" in p for p in found), found
    assert all("page.md:2" in p for p in found), found
    page.write_text(block + "\n```differs\nimage-ls-view\nimage-size\n```\n", encoding="utf-8")
    assert missing_notes(page) == []
    # A PowerShell tab counts too; a --format that keeps the view stable does not concern the view.
    page.write_text(
        "```powershell\ndocker image ls --format '{{.Tag}}' greet\ndocker compose version\n```\n", encoding="utf-8"
    )
    found = missing_notes(page)
    assert [p.split("naming ")[1] for p in found] == ["compose-version"], found


def test_untagged_images_concern_only_a_list_that_shows_one():
    d = setups.load().differences["image-ls-untagged"]
    cmd = "docker image ls --filter label=x --format '{{.Repository}}:{{.Tag}}' | sort"
    assert d.concerns(cmd, ["<none>:<none>", "clean-up-demo:latest"])
    assert not d.concerns(cmd, ["clean-up-demo:latest"])
    assert not d.concerns(cmd.replace("ls ", "ls --all "), ["<none>:<none>"])


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "docker-setups.yml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = setups.DATA.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (("    store: containerd\n", "    store: zfs\n", 1), 31, "store is one of"),
        (("      - for: [cli29]\n", "      - for: [cli30]\n", 1), None, "no setup, group or store 'cli30'"),
        (("  - id: image-size\n", "  - id: image-ls-view\n", 1), None, "defined twice"),
        (("commands: ['\\bdocker compose version\\b'", "commands: ['(docker compose version'", 1), None, "commands:"),
        (
            ('    title: "`docker image ls` hides', '    heading: "`docker image ls` hides', 1),
            None,
            "unknown key 'heading'",
        ),
    ],
)
def test_a_bad_data_file_fails_with_its_line(tmp_path, change, line, message):
    old, new, count = change
    assert old in GOOD, old
    path = _write(tmp_path, GOOD.replace(old, new, count))
    with pytest.raises(setups.DataError) as caught:
        setups.load(path)
    assert message in str(caught.value)
    where = int(str(caught.value).split(":")[1])
    bad_line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if new.splitlines()[0] in text)
    assert abs(where - bad_line) <= 3 if line is None else where == bad_line, (str(caught.value), bad_line)


def test_a_fence_with_an_unknown_id_fails_the_build_naming_the_page():
    with pytest.raises(setups.SetupsError) as caught:
        setups.differs_fence("image-ls-view\nno-such-difference\n", "differs", "differs", {}, None)
    assert "no difference 'no-such-difference'" in str(caught.value)
    with pytest.raises(setups.SetupsError, match="name at least one difference"):
        setups.differs_fence("\n", "differs", "differs", {}, None)


# --------------------------------------------------------------------------- the built site
def _soup(site, page: str) -> BeautifulSoup:
    stem = page.removesuffix(".md")
    path = site.site_dir / (stem + ".html" if stem == "index" or stem.endswith("/index") else stem + "/index.html")
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_notes_render_with_their_setups_and_sources(site):
    data = setups.load()
    found = setups.find_all()
    assert found, "no page has a ```differs fence"
    for f in found:
        soup = _soup(site, f.page)
        boxes = soup.select("details.course-differs")
        assert boxes, f.page
        shown = {d["data-differs"] for d in soup.select(".course-differs__diff")}
        assert set(f.ids) <= shown, (f.page, f.ids, shown)
        for note in soup.select(".course-differs__note"):
            assert note["data-for"].split(), f.page
            recorded = note.select_one(".course-differs__recorded")
            source = note.select_one(".course-differs__source").text
            assert recorded or "Not recorded on the course's engine" in source, (f.page, note)
        link = soup.select_one(".course-differs__which a")
        assert link.get("href", "").rstrip("/").endswith("which-docker"), (f.page, link)
    assert len(data.differences) >= 10


def test_the_which_docker_page_lists_every_setup_and_difference(site):
    data = setups.load()
    soup = _soup(site, "which-docker.md")
    box = soup.select_one(".which-docker[data-course-script='which-docker']")
    payload = json.loads(box["data-setups"])
    assert [s["id"] for s in payload["setups"]] == list(data.setups)
    assert [d["id"] for d in payload["differences"]] == list(data.differences)
    assert {o["value"] for o in box.select("select option") if o["value"]} == set(data.setups)
    table = soup.select_one("table.course-differs-table")
    assert {td["id"].removeprefix("differs-") for td in table.select("td[id]")} == set(data.differences)
    assert {tr["id"].removeprefix("setup-") for tr in soup.select("table.course-setups-table tr[id]")} == set(
        data.setups
    )
    shown = setups.pages_showing(data)
    for did, pages in shown.items():
        cell = table.select_one(f"td#differs-{did}").find_parent("tr").find_all("td")[-1]
        assert len(cell.select("a")) == len(pages), (did, pages)


def test_a_recorded_note_shows_its_transcript_and_what_recorded_it():
    """The classic store's error is shown as the second engine recorded it, never retyped."""
    note = next(n for n in setups.load().differences["multi-platform"].notes if n.recorded)
    rendered = setups.render_note(note)
    transcript = (ROOT / note.recorded[0]).read_text(encoding="utf-8")
    assert "Multi-platform build is not supported for the docker driver." in transcript
    body = BeautifulSoup(rendered, "html.parser")
    assert body.select_one(".language-console code").text == transcript.rstrip("\n")
    assert "classic image store" in body.select_one(".course-differs__recorded").text
    assert "Not recorded" not in rendered


def test_the_which_docker_page_names_the_recorded_notes():
    """Its text says which differences show recorded output: exactly those whose notes have `recorded`."""
    text = (ROOT / "docs" / "which-docker.md").read_text(encoding="utf-8")
    paragraph = next(p for p in text.split("\n\n") if "output recorded here" in p)
    named = set(re.findall(r"\(`([a-z0-9-]+)`\)", paragraph))
    recorded = {d.id for d in setups.load().differences.values() if any(n.recorded for n in d.notes)}
    assert named == recorded, f"which-docker.md names {sorted(named)}; recorded notes: {sorted(recorded)}"


def test_a_recorded_note_needs_its_transcript(tmp_path):
    bad = GOOD.replace(
        "recorded: [examples/image-stores/output/classic/multi-platform.txt]",
        "recorded: [examples/image-stores/output/classic/no-such.txt]",
    )
    assert bad != GOOD
    with pytest.raises(setups.DataError, match="no transcript examples/image-stores/output/classic/no-such.txt"):
        setups.load(_write(tmp_path, bad))
