"""Output on the pages says what recorded it, and that is the engine the course teaches.

Checks course.recording's metadata (examples/*/*/output/recorded.json, includes/recorded/**):
the generated note matches its metadata, the transcripts are the ones that were recorded
(same SHA-256), their content agrees with the recording engine (containerd image store: build
logs name and unpack the image; `docker version` shows the recorded version), every page that
shows output includes its note, and nothing was recorded on an engine older than the one the
tests run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from course import console, recording
from course.engine import MIN_ENGINE, SNAPSHOTTER

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = console.examples_with_captures()
PAGE_RECORDS = sorted(recording.PAGE_RECORDS.rglob(recording.JSON_NAME))
NOTE_INCLUDE = re.compile(r'^--8<-- "((?:examples/[^"]+/output|includes/recorded/[^"]+)/recorded\.md)"$', re.M)
TRANSCRIPT_INCLUDE = re.compile(r'--8<-- "(examples/[^"/]+/[^"/]+)/output/[^"]+\.txt"')


def _meta(folder: Path) -> dict:
    path = folder / recording.JSON_NAME
    assert path.is_file(), f"{path.relative_to(ROOT)} missing: run `python -m course capture` (or console --record)"
    return json.loads(path.read_text(encoding="utf-8"))


def _captured_names(example: Path) -> set[str]:
    return {f"{b.capture}.txt" for b in console.parse_file(console.readme_of(example)) if b.capture}


def _id(p: Path) -> str:
    return str(p.relative_to(ROOT))


@pytest.mark.parametrize("example", EXAMPLES, ids=_id)
def test_transcripts_are_the_recorded_ones(example):
    meta = _meta(example / "output")
    assert set(meta["transcripts"]) == _captured_names(example), "recapture: the README's captures changed"
    for name, digest in meta["transcripts"].items():
        assert recording.sha256(example / "output" / name) == digest, (
            f"{_id(example / 'output' / name)} differs from what the capture recorded: recapture it"
        )


@pytest.mark.parametrize("folder", [e / "output" for e in EXAMPLES] + [p.parent for p in PAGE_RECORDS], ids=_id)
def test_note_is_generated_from_metadata(folder):
    meta = _meta(folder)
    assert (folder / recording.NOTE_NAME).read_text(encoding="utf-8") == recording.note(meta)
    assert recording.version_tuple(meta["engine"])[:1] >= (MIN_ENGINE,), f"recorded on Engine {meta['engine']}"
    assert meta["snapshotter"] == SNAPSHOTTER, "recorded without the containerd image store"


@pytest.mark.parametrize("example", EXAMPLES, ids=_id)
def test_transcripts_agree_with_the_recording_engine(example):
    meta = _meta(example / "output")
    for name in meta["transcripts"]:
        text = (example / "output" / name).read_text(encoding="utf-8")
        if re.search(r"^#\d+ exporting to image$", text, re.M):
            # The containerd image store names the image, then unpacks it; the classic store
            # printed "writing image sha256:…".
            assert re.search(r"^#\d+ naming to \S+", text, re.M) and re.search(r"^#\d+ unpacking to ", text, re.M), (
                f"{name}: build log is not from the containerd image store"
            )
            assert "writing image sha256:" not in text, f"{name}: build log from the classic image store"
        server = re.search(r"^Server:.*?^ *Version: *(\S+).*?API version: *(\S+)", text, re.M | re.S)
        if server:
            assert (server[1], server[2].split()[0]) == (meta["engine_build"], meta["api"]), name


@pytest.mark.docker
@pytest.mark.parametrize("folder", [e / "output" for e in EXAMPLES] + [p.parent for p in PAGE_RECORDS], ids=_id)
def test_not_older_than_the_engine_the_tests_run(folder, engine):
    recorded = recording.version_tuple(_meta(folder)["engine"])[:2]
    running = recording.version_tuple(engine.server.version)[:2]
    assert recorded >= running, (
        f"{_id(folder)} was recorded on Engine {'.'.join(map(str, recorded))}, the tests run "
        f"{'.'.join(map(str, running))}: recapture (`python -m course capture`, `console --record`)"
    )


def _pages_showing_output() -> list[Path]:
    found = []
    for page in console.pages():
        if page.relative_to(ROOT / "docs").parts[0] == "contributing":
            continue  # the contributors' guide shows the tooling, not Docker's output
        text = page.read_text(encoding="utf-8")
        if TRANSCRIPT_INCLUDE.search(text) or console.shows_own_output(page):
            found.append(page)
    return found


@pytest.mark.parametrize("page", _pages_showing_output(), ids=_id)
def test_page_showing_output_includes_its_note(page):
    """One note per page: the page's own (console --record) when its blocks show output, which
    then stands for the transcripts it includes too; else the note of each example shown."""
    text = page.read_text(encoding="utf-8")
    notes = NOTE_INCLUDE.findall(text)
    examples = sorted(set(TRANSCRIPT_INCLUDE.findall(text)))
    if console.shows_own_output(page):
        own = recording.page_record_dir(page)
        wanted = [str((own / recording.NOTE_NAME).relative_to(ROOT))]
        page_meta = _meta(own)
        for example in examples:
            meta = _meta(ROOT / example / "output")
            same = [meta[k] == page_meta[k] for k in ("engine", "buildx", "compose", "snapshotter")]
            assert all(same) and meta["date"] <= page_meta["date"], (
                f"{_id(page)}: its note says {recording.note(page_meta).strip()} but {example}'s transcripts "
                f"were recorded with {recording.note(meta).strip()}: recapture one of them"
            )
    else:
        wanted = [f"{e}/output/recorded.md" for e in examples]
    missing = [w for w in wanted if w not in notes]
    assert not missing, f"{_id(page)} shows output but does not include its note: " + ", ".join(
        f'--8<-- "{m}"' for m in missing
    )
