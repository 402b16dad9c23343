"""The two image stores, recorded side by side: examples/image-stores/.

classic.md runs on the second engine, with the classic image store (course.classic_engine,
the `classic_engine` fixture: started for this module, stopped after it); containerd.md on
the course's engine. Their transcripts (output/classic/, output/containerd/) must be what a
fresh run prints (compared as `capture --check` compares), their notes must name the store,
and the fresh runs must show what the pages say: the multi-platform build error on the
classic store, and a bigger SIZE for the same image on the containerd store.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from course import classic_engine as classic
from course import console, provision_engine, recording
from course.engine import SESSION_LABEL, TEST_LABEL

ROOT = Path(__file__).resolve().parents[1]
STORES = ROOT / "examples" / "image-stores"
CLASSIC, CONTAINERD = STORES / "classic.md", STORES / "containerd.md"
MULTI_PLATFORM_ERROR = [
    "ERROR: failed to build: Multi-platform build is not supported for the docker driver.",
    "Switch to a different driver, or turn on the containerd image store, and try again.",
    "Learn more at https://docs.docker.com/go/build-multi-platform/",
]
UNITS = {"B": 1, "kB": 1000, "MB": 1000**2, "GB": 1000**3}


def rerun(md: Path, eng) -> dict[str, list[str]]:
    """Run the file's blocks on `eng`; fail where a command's output no longer matches what the
    file shows or what its saved transcript holds. Returns the fresh transcripts."""
    # In the repository itself, not a scratch copy of it: the commands only read their folders.
    result = console.run_blocks(console.parse_file(md), str(md.relative_to(ROOT)), eng, cwd=ROOT, compare=True)
    assert result.failure is None, str(result.failure)
    fresh = console.transcripts(result)
    _, out_dir = console.capture_paths(md)
    for name, lines in fresh.items():
        saved = (out_dir / f"{name}.txt").read_text(encoding="utf-8").splitlines()
        problem = console.transcripts_mismatch(saved, lines)
        assert not problem, f"{out_dir.relative_to(ROOT)}/{name}.txt: {problem}"
    return fresh


def outputs(transcript: list[str]) -> dict[str, list[str]]:
    return dict(console.transcript_commands(transcript))


def size_of(listing: list[str], repository: str) -> tuple[str, int]:
    """The SIZE column of `repository`'s row of a `docker image ls` table, as printed and in bytes."""
    row = next(line.split() for line in listing if line.split()[:1] == [repository])
    number, unit = re.fullmatch(r"([\d.]+)(B|kB|MB|GB)", row[-1]).groups()
    return row[-1], round(float(number) * UNITS[unit])


@pytest.fixture(scope="module")
def classic_run(classic_engine) -> dict[str, list[str]]:
    return rerun(CLASSIC, classic_engine)


@pytest.fixture(scope="module")
def containerd_run(engine) -> dict[str, list[str]]:
    return rerun(CONTAINERD, engine)


def test_started_starts_the_classic_engine_apart_and_stops_it(engine):
    """Before the module's fixture starts it: `started()` starts it beside the course's engine
    and stops it after, leaving nothing running; one that was running already is left running."""
    was_running = classic.running()
    with classic.started() as ours:
        assert ours is not was_running
        assert classic.running()
        # Its own namespace, its own processes, its own data-root: the course's engine runs on.
        namespace = classic.DAEMON.nsfile.read_text().strip()
        assert namespace != provision_engine.NSFILE.read_text().strip()
        assert engine.out("info", "--format", "{{.Driver}}") == "overlayfs"
        # ... and still starts containers on its default bridge (a dockerd with --bridge none in
        # the host's network namespace deleted docker0: every `docker run` beside it failed).
        ran = engine.run_cmd(
            "run", "--rm", "--label", TEST_LABEL, "--label", SESSION_LABEL, "debian:trixie-slim", "true"
        )
        assert ran.returncode == 0, ran.stderr
    if was_running:
        assert classic.running()
        return
    assert not classic.running()
    assert not classic.DAEMON.socket.exists() and not classic.DAEMON.pidfile.exists()
    assert provision_engine._processes_in_root(classic.DAEMON.nsfile) == []
    assert not classic.DAEMON.data.exists(), "its data-root should be emptied at stop"
    assert provision_engine.ping(), "the course's engine stopped with it"


def test_the_classic_engine_uses_the_classic_store_and_no_network(classic_engine, engine):
    assert classic_engine.server.driver == "overlay2"
    assert classic_engine.server.snapshotter == ""
    assert classic_engine.out("info", "--format", "{{json .Driver}} {{.DockerRootDir}}") == '"overlay2" /var/lib/docker'
    # --bridge none: no bridge network, so no address range or iptables rule to share.
    assert "bridge" not in classic_engine.out("network", "ls", "--format", "{{.Name}}").split()
    assert engine.server.snapshotter == recording.CONTAINERD_STORE  # the course's engine is untouched


def test_classic_transcripts_are_what_the_classic_store_prints(classic_run):
    assert set(classic_run) == {"multi-platform", "sizes"}


def saved(md: Path, name: str) -> list[str]:
    _, out_dir = console.capture_paths(md)
    return (out_dir / f"{name}.txt").read_text(encoding="utf-8").splitlines()


def test_a_multi_platform_build_fails_on_the_classic_store(classic_run):
    # Checked word for word: the console comparison reads only the steps of a build's output.
    build = "docker build --platform linux/amd64,linux/arm64 -t ts-hello:multi ."
    for ran in (outputs(classic_run["multi-platform"]), outputs(saved(CLASSIC, "multi-platform"))):
        assert ran["docker info --format '{{.Driver}}'"] == ["overlay2"]
        assert ran[build] == MULTI_PLATFORM_ERROR


@pytest.mark.parametrize("md", [CLASSIC, CONTAINERD], ids=lambda p: p.name)
def test_the_files_show_their_transcripts_word_for_word(md):
    for block in console.parse_file(md):
        if block.capture:
            shown = {c.text: c.expected for c in block.commands}
            assert shown == outputs(saved(md, block.capture)), f"{md.name}: recapture, or copy {block.capture}.txt"


def test_containerd_transcript_is_what_the_containerd_store_prints(containerd_run):
    assert set(containerd_run) == {"sizes"}
    assert outputs(containerd_run["sizes"])["docker info --format '{{.Driver}}'"] == ["overlayfs"]


def test_the_containerd_store_lists_the_same_image_bigger(classic_run, containerd_run):
    command = "docker image ls --format 'table {{.Repository}}\\t{{.Tag}}\\t{{.Size}}' hello-sizes"
    classic_size, classic_bytes = size_of(outputs(classic_run["sizes"])[command], "hello-sizes")
    containerd_size, containerd_bytes = size_of(outputs(containerd_run["sizes"])[command], "hello-sizes")
    # The classic store counts the layer's files: the one file of the image.
    assert classic_bytes == (STORES / "hello.txt").stat().st_size, classic_size
    # The containerd store counts what it keeps: the compressed layer, config and manifests,
    # and the unpacked snapshot, in whole disk blocks.
    assert containerd_bytes > 100 * classic_bytes, (classic_size, containerd_size)


@pytest.mark.parametrize("md", [CLASSIC, CONTAINERD], ids=lambda p: p.name)
def test_notes_name_the_store_that_recorded(md):
    _, out_dir = console.capture_paths(md)
    meta = json.loads((out_dir / recording.JSON_NAME).read_text(encoding="utf-8"))
    wanted = {"classic.md": ("", "overlay2"), "containerd.md": (recording.CONTAINERD_STORE, "overlayfs")}[md.name]
    assert (meta["snapshotter"], meta["storage_driver"]) == wanted
    assert meta["store"] == recording.store(meta)
    note = (out_dir / recording.NOTE_NAME).read_text(encoding="utf-8")
    assert note == recording.note(meta)
    assert f"Docker Engine {meta['engine']} ({meta['store']})" in note
    captures = {b.capture for b in console.parse_file(md) if b.capture}
    assert set(meta["transcripts"]) == {f"{name}.txt" for name in captures}
    for name, digest in meta["transcripts"].items():
        assert recording.sha256(out_dir / name) == digest, f"{name} differs from what was recorded: recapture"


def test_a_note_names_the_classic_store_even_unasked():
    class Fake:
        server = type("S", (), {"version": "28.5.2+dfsg4", "api": "1.51", "driver": "overlay2", "snapshotter": ""})
        client = type("C", (), {"buildx": "0.29.1", "compose": "2.40.3"})

    assert "(classic image store, overlay2)" in recording.note(recording.metadata(Fake()))
    Fake.server.driver, Fake.server.snapshotter = "overlayfs", recording.CONTAINERD_STORE
    assert "image store" not in recording.note(recording.metadata(Fake()))
    assert "(containerd image store)" in recording.note(recording.metadata(Fake(), name_store=True))
