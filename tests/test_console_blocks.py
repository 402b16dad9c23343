"""Every ```console block on every page runs against Docker and prints what the page says.

One test per page (pages without runnable blocks pass without Docker). Also: the
transcripts that example READMEs capture (examples/*/*/output/*.txt, included by
pages) still match a fresh run. Format and rules: scripts/course/console.py.
"""

from __future__ import annotations

import fcntl
import threading
import uuid

import pytest

from course import console
from course import engine as engine_module


def _page_param(page):
    marks = [pytest.mark.docker] if console.has_commands(page) else []
    return pytest.param(page, id=console._rel(page), marks=marks)


@pytest.mark.parametrize("page", [_page_param(p) for p in console.pages()])
def test_console_blocks(page, request):
    try:
        blocks = console.parse_file(page)
    except console.ConsoleSyntaxError as exc:
        pytest.fail(str(exc), pytrace=False)
    if not any(b.commands and not b.skip for b in blocks):
        return
    engine = request.getfixturevalue("engine")
    result = console.run_blocks(blocks, console._rel(page), engine)
    if result.failure:
        pytest.fail(str(result.failure), pytrace=False)


def _example_id(path):
    return f"{path.parent.name}/{path.name}"


@pytest.mark.docker
@pytest.mark.parametrize("example", console.examples_to_run(), ids=_example_id)
def test_captured_transcripts_still_match(example, engine):
    """An example's README that the pages do not run in full runs here on its own."""
    failures = console.capture(example, engine, check=True)
    if failures:
        pytest.fail("\n".join(str(f) for f in failures), pytrace=False)


@pytest.mark.parametrize("example", console.examples_run_by_pages(), ids=_example_id)
def test_a_readme_the_pages_run_says_what_its_transcripts_say(example):
    """The pages run every transcript and every other command of this README (against a
    fresh run, as strictly as capture --check); the README must still show those commands."""
    failures = console.readme_against_transcripts(example)
    if failures:
        pytest.fail("\n".join(str(f) for f in failures), pytrace=False)


def test_every_example_is_run_by_its_readme_or_by_the_pages():
    run = console.examples_to_run() + console.examples_run_by_pages()
    assert sorted(run) == console.examples_with_captures()
    assert len(console.examples_run_by_pages()) >= 14, "the pages no longer show most examples in full"


def test_a_run_removes_what_killed_runs_left_and_keeps_running_sessions_objects(engine):
    """A run that was killed never cleans up: its labelled objects (CI found 34 of one such
    run, and two volumes of every run) slowed each listing after it. The next run removes
    them, and leaves alone those of a session still running (its lock is held)."""
    marker = uuid.uuid4().hex[:8]
    gone, running = f"killed-{marker}", f"running-{marker}"
    labels = {
        s: ["--label", engine_module.TEST_LABEL, "--label", f"{engine_module.SESSION_LABEL_KEY}={s}"]
        for s in (gone, running)
    }
    for session in (gone, running):
        engine.run_cmd("volume", "create", *labels[session], f"docker-basics-test-{session}")
        engine.run_cmd("network", "create", *labels[session], f"docker-basics-test-{session}")
        engine.run_cmd(
            "create", *labels[session], "--name", f"docker-basics-test-{session}", "debian:trixie-slim", "true"
        )
    held = open(engine.lock_path(f"session-{running}"), "w")  # noqa: SIM115 - closed below
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        assert {gone, running} <= engine.labelled_sessions()
        removed = engine.remove_abandoned_sessions()
        left = engine.labelled_sessions()
        assert gone not in left, f"the killed run's objects are still there: {removed}"
        assert running in left, "the running session's objects were removed"
        for kind in ("volume", "network", "container"):
            assert engine.run_cmd(kind, "inspect", f"docker-basics-test-{running}", check=False).returncode == 0, kind
            assert engine.run_cmd(kind, "inspect", f"docker-basics-test-{gone}", check=False).returncode != 0, kind
    finally:
        held.close()
        engine.remove_labelled(f"{engine_module.SESSION_LABEL_KEY}={running}")
        engine.lock_path(f"session-{running}").unlink(missing_ok=True)


def test_a_run_removes_what_it_made_and_keeps_another_sessions_objects(engine, tmp_path):
    """The clean-up after a page: what its commands made goes; what another test session
    (another xdist worker) made meanwhile, with that session's label, stays, and so does what
    another session's lab round made (course.labs: no labels, names lab-SESSION-CASE-…)."""
    probe = f"console-cleanup-{engine_module.SESSION_ID}"
    other = f"--label {engine_module.SESSION_LABEL_KEY}=another-run"
    lab = f"lab-{'0' * 12}-1-{engine_module.SESSION_ID}"
    page = tmp_path / "page.md"
    page.write_text(
        "```console\n"
        f"$ docker network create {probe} > /dev/null\n"
        f"$ docker volume create {probe} > /dev/null\n"
        f"$ docker create --name {probe} debian:trixie-slim true > /dev/null\n"
        f"$ docker tag debian:trixie-slim {probe}:1\n"
        f"$ docker network create {other} {probe}-kept > /dev/null\n"
        f"$ docker network create {lab} > /dev/null\n"
        f"$ docker volume create {lab} > /dev/null\n"
        f"$ docker create --name {lab} debian:trixie-slim true > /dev/null\n"
        f"$ docker tag debian:trixie-slim {lab}:1\n"
        "```\n",
        encoding="utf-8",
    )
    try:
        result = console.run_blocks(console.parse_file(page, tmp_path), "page.md", engine, cwd=tmp_path)
        assert result.failure is None, result.failure
        left = {
            "network": engine.run_cmd("network", "ls", "-q", "--filter", f"name=^{probe}$", check=False).stdout,
            "volume": engine.run_cmd("volume", "ls", "-q", "--filter", f"name=^{probe}$", check=False).stdout,
            "container": engine.run_cmd("ps", "-aq", "--filter", f"name=^{probe}$", check=False).stdout,
            "tag": engine.run_cmd("images", "-q", f"{probe}:1", check=False).stdout,
        }
        assert {kind: out for kind, out in left.items() if out.strip()} == {}
        assert engine.run_cmd("image", "inspect", "debian:trixie-slim", check=False).returncode == 0  # a stand-in
        kept = engine.run_cmd("network", "inspect", f"{probe}-kept", check=False)
        assert kept.returncode == 0, "another session's network was removed"
        for kind in ("network", "volume", "container", "image"):
            kept = engine.run_cmd(kind, "inspect", lab + (":1" if kind == "image" else ""), check=False)
            assert kept.returncode == 0, f"another session's lab round lost its {kind}"
    finally:  # also what a failed clean-up left
        engine.run_cmd("rm", "-f", lab, check=False)
        engine.run_cmd("network", "rm", lab, check=False)
        engine.run_cmd("volume", "rm", lab, check=False)
        engine.run_cmd("rmi", f"{lab}:1", check=False)
        engine.run_cmd("rm", "-f", probe, check=False)
        engine.run_cmd("network", "rm", probe, f"{probe}-kept", check=False)
        engine.run_cmd("volume", "rm", probe, check=False)
        engine.run_cmd("rmi", f"{probe}:1", check=False)


def test_a_build_waits_while_another_holds_the_engines_build_lock(engine, tmp_path):
    """Console blocks and the example tests build on one engine from two workers: one build
    at a time (BuildKit names a step two builds share as the first build does)."""
    (tmp_path / "Dockerfile").write_text("FROM debian:trixie-slim\nRUN echo waited\n", encoding="utf-8")
    tag = f"docker-basics-test/build-lock:{engine_module.SESSION_ID}"
    results = []
    with engine.build_lock():
        builder = threading.Thread(target=lambda: results.append(engine.build(tmp_path, tag, check=False)))
        builder.start()
        builder.join(timeout=3)
        assert builder.is_alive(), "the build ran while another held the build lock"
    builder.join(timeout=300)
    try:
        assert results and results[0].ok, results[0].log if results else "no build"
    finally:
        engine.run_cmd("rmi", tag, check=False)


@pytest.mark.parametrize(
    "command",
    [
        "docker rmi layer-cache:bad layer-cache:good",
        "docker image rm greet",
        "docker image prune --all --force --filter label=demo=clean-up",
        "docker builder prune --force",
        "docker system prune -af",
        "docker compose down -v --rmi local",
        "printf 'FROM limits\\nENV VERSION=1\\n' | docker build -q --label demo=clean-up -",
        "/usr/bin/docker compose -p notes -f compose.yaml up -d --wait",  # argv joined, as run_cmd does
    ],
)
def test_a_command_that_builds_or_removes_images_takes_the_build_lock(command):
    assert engine_module.takes_build_lock(command)


@pytest.mark.parametrize(
    "command",
    [
        "docker image ls --filter label=demo=clean-up",
        "docker system df",
        "docker compose down -v",
        "docker ps -a",
        "/usr/bin/docker compose -p notes -f compose.yaml up -d --no-build --wait",
    ],
)
def test_a_command_that_keeps_images_runs_beside_builds(command):
    assert not engine_module.takes_build_lock(command)


COMPOSE_FILES = {
    "image only": ("services:\n  cache:\n    image: redis:8\n", False),
    "a service that builds": ("services:\n  web:\n    build: .\n  db:\n    image: redis:8\n", True),
    "a build context as a mapping": ("services:\n  web:\n    build:\n      context: ./app\n", True),
    "another file included": ("include:\n  - ../other/compose.yaml\nservices: {}\n", True),
    "a service extended from another file": (
        "services:\n  web:\n    extends:\n      file: ../base.yaml\n      service: web\n",
        True,
    ),
}


@pytest.mark.parametrize("case", COMPOSE_FILES)
@pytest.mark.parametrize("command", ["docker compose up -d --wait", "cd stack && docker compose -p x up -d"])
def test_compose_takes_the_build_lock_only_when_a_file_may_build(case, command, tmp_path):
    """`docker compose up` of files without `build:` builds nothing: given the folder it runs in,
    it runs beside builds (the labs' harness gives it); without the folder, it may build."""
    text, builds = COMPOSE_FILES[case]
    (tmp_path / "stack").mkdir()
    (tmp_path / "stack" / "compose.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "README.md").write_text("build: not YAML, not read\n", encoding="utf-8")
    assert engine_module.takes_build_lock(command, tmp_path) is builds
    assert engine_module.takes_build_lock(command) is True
    assert engine_module.takes_build_lock(command.replace(" -d", " -d --no-build"), tmp_path) is False


def test_a_compose_file_the_command_writes_with_a_build_takes_the_build_lock(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  cache:\n    image: redis:8\n", encoding="utf-8")
    script = "cat > compose.yaml <<'YAML'\nservices:\n  web:\n    build: .\nYAML\ndocker compose up -d\n"
    assert engine_module.takes_build_lock(script, tmp_path)
    assert not engine_module.takes_build_lock(script.replace("build: .", "image: web:1"), tmp_path)
    assert engine_module.takes_build_lock("docker build -t web . && docker compose up -d", tmp_path)


SNAPSHOT_GONE = "Error response from daemon: NotFound: snapshot d7cb1b5e814d does not exist: not found"


class ScriptedShell:
    """Stands in for console.Shell: answers each command with the next (status, output)."""

    def __init__(self, *answers):
        self.answers, self.commands = list(answers), []

    def run(self, command, timeout):
        self.commands.append(command)
        return self.answers.pop(0)


CONTAINER_LAYER_GONE = (
    "Error response from daemon: failed to retrieve container list: rw layer snapshot not found for container 9d6d3e4b"
)


@pytest.fixture
def pauses(monkeypatch):
    """The pauses before a listing runs again, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(engine_module.time, "sleep", slept.append)
    return slept


CONTENT_GONE = (
    "Error response from daemon: NotFound: content digest "
    "sha256:1d8ec7f5b2e3a825f89a262f7c0625a166aa2e6431ee1cb0294242f4531d02df: not found"
)


UNPACKING_GONE = (
    "Error response from daemon: NotFound: snapshot extract-594742396-QoTs "
    "sha256:adb207fa8f177f229637ea2afe3d289f89a399659714e1b151482263ff43bb03 does not exist: not found"
)


@pytest.mark.parametrize(
    "gone",
    [SNAPSHOT_GONE, CONTAINER_LAYER_GONE, CONTENT_GONE, UNPACKING_GONE],
    ids=["image snapshot", "container layer", "image content", "snapshot being unpacked"],
)
def test_a_size_listing_that_lost_a_snapshot_to_a_removal_runs_again(gone, pauses):
    """CI ran red when the example tests removed a container while a console block's
    `docker system df` counted its snapshot (the engine says so in one of two ways)."""
    command = "docker system df --format 'table {{.Type}}\\t{{.Size}}'"
    shell = ScriptedShell((1, gone), (1, gone), (0, "TYPE SIZE"))
    assert console.run_command(shell, None, command) == (0, "TYPE SIZE")
    assert shell.commands == [command] * 3
    assert pauses == [1.0, 2.0], "the removal beside it gets time to finish"


def test_a_size_listing_that_keeps_losing_snapshots_fails(pauses):
    shell = ScriptedShell(*[(1, SNAPSHOT_GONE)] * engine_module.LISTING_TRIES)
    assert console.run_command(shell, None, "docker image ls") == (1, SNAPSHOT_GONE)
    assert len(shell.commands) == engine_module.LISTING_TRIES == 5
    assert pauses == [1.0, 2.0, 4.0, 8.0], "about 15 s for a burst of removals beside it to end"


@pytest.mark.parametrize(
    ("command", "output"),
    [
        ("docker rm -f web", SNAPSHOT_GONE),  # not a listing: its failure is the page's
        ("docker system df", "Cannot connect to the Docker daemon"),
    ],
)
def test_any_other_failure_of_a_console_command_is_not_run_again(command, output):
    shell = ScriptedShell((1, output), (0, "ok"))
    assert console.run_command(shell, None, command) == (1, output)
    assert shell.commands == [command]


def test_the_engines_own_size_listings_run_again_after_losing_a_snapshot(tmp_path, pauses):
    """Engine.snapshot() lists images with `docker images`: a removal beside it must not fail it."""
    tries = tmp_path / "tries"
    fake = tmp_path / "docker"
    fake.write_text(
        f"#!/bin/sh\necho x >> {tries}\n"
        f'[ "$(wc -l < {tries})" -ge 2 ] && {{ echo listed; exit 0; }}\n'
        f"echo '{SNAPSHOT_GONE}' >&2; exit 1\n"
    )
    fake.chmod(0o755)
    client = engine_module.Client(str(fake), "28.5.2", "0.29.1", "2.40.3", "a test's stand-in")
    server = engine_module.Server(
        f"unix://{tmp_path}/none.sock", "28.5.2", "1.51", "overlayfs", engine_module.SNAPSHOTTER, "a test"
    )
    engine = engine_module.Engine(client, server)
    assert engine.run_cmd("images", "-a", "--no-trunc").stdout == "listed\n"
    assert tries.read_text().count("x") == 2
    tries.unlink()
    with pytest.raises(engine_module.DockerError, match="does not exist"):
        engine.run_cmd("volume", "ls")  # not a size listing: fails on the first try


def test_an_image_removal_waits_while_another_holds_the_build_lock(engine):
    """The example tests run on a second worker: an image removed there while a console build
    unpacks a layer it shares took the snapshot under the build (`parent snapshot does not
    exist`), so removals wait for the build lock too, and the thread holding it may remove."""
    missing = f"docker-basics-test/never-built:{engine_module.SESSION_ID}"
    done = threading.Event()
    with engine.build_lock():
        engine.run_cmd("rmi", missing, check=False)  # the holder itself: no deadlock
        remover = threading.Thread(target=lambda: (engine.run_cmd("rmi", missing, check=False), done.set()))
        remover.start()
        remover.join(timeout=3)
        assert not done.is_set(), "an image removal ran while another held the build lock"
    remover.join(timeout=60)
    assert done.is_set()
