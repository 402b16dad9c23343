"""Shared pytest fixtures for the course's examples (examples/*/NN-name/test_example.py).

Fixture API
===========

``engine``  (session)
    The Docker engine (``course.engine.Engine``).  Ensures an engine answers
    (else the test FAILS with "No Docker engine answers: …" — never skips) and
    that every base image the examples use exists (pulled, or a stand-in built
    from Debian packages; see ``python -m course baseimages``).
    Useful methods: ``engine.out("image", "inspect", ...)`` (stdout of a docker
    command), ``engine.run_cmd(*args, check=False, timeout=...)``
    (CompletedProcess), ``engine.inspect(ref)``, ``engine.history(ref)`` (rows
    with CreatedBy, SizeBytes), ``engine.image_size(ref)``,
    ``engine.run_container(image, command, detach=False)`` (run to completion,
    ``--rm``; returns CompletedProcess with .returncode/.stdout/.stderr).

``example_dir``  (function)
    ``pathlib.Path`` of the folder holding the requesting test file.

``build``  (session)  → ``build(path, target=None, *, dockerfile=None, build_args=None,
    no_cache=False, fresh=False) -> BuildResult``
    Builds with BuildKit (``--progress=plain``) under a unique test tag
    (``docker-basics-test/<folder>[-<target>]:<session>``); the same call twice
    returns the memoised result (pass ``fresh=True`` to build again, e.g. after
    changing a copied source tree).  A failed build FAILS the test with the tail
    of the build log.  BuildResult: ``.tag``, ``.log``, ``.seconds``,
    ``.steps`` (``Step``: name, instruction, stage, cached, seconds),
    ``.cached`` / ``.rebuilt`` (step names), ``.was_cached("npm ci")``,
    ``.log_tail()``.  Images are removed at the end of the session.

``example_copy``  (function) → ``example_copy(path) -> Path``
    Copies an example folder to a temporary directory (to change a source file
    and rebuild).  Build the copy with ``build(copy, fresh=True)``.

``container`` (function) / ``module_container`` (module)
    → ``container(image, *command, ports=(3000,), wait="auto", env=None,
    user=None, volumes=(), options=(), timeout=60) -> Container``
    Runs ``docker run -d`` with the test labels, ports published on 127.0.0.1
    at random host ports.  ``wait``: "auto" = until HEALTHCHECK says healthy if
    the image has one, else until the first port answers HTTP; "healthy";
    "port"; None = don't wait.  Removed (``rm -f``) after the test / module.
    Container: ``.id``, ``.url(path, port=3000)``, ``.host_port(3000)``,
    ``.http(method, path, body=None, headers=None) -> (status, headers, bytes)``
    (4xx/5xx returned, not raised; a dict body is sent as JSON),
    ``.json(method, path, body=None) -> (status, parsed)``,
    ``.exec(*cmd, user=None, check=True) -> CompletedProcess``, ``.logs()``,
    ``.inspect()``, ``.status``, ``.stop(timeout=10) -> (exit_code, seconds)``,
    ``.wait() -> exit_code``, ``.exit_code()``, ``.remove()``.

``classic_engine``  (module)
    A second ``course.engine.Engine``: the same Engine 28 with the classic image
    store (overlay2), beside the course's (``course.classic_engine``). Started
    for the module that asks for it when it is not running (about a second),
    stopped after it (its data-root emptied); left alone when it was running
    (``python -m course engine classic up``). Needs root, as the course's engine
    does; the test FAILS with the command to run otherwise.

Everything is labelled ``org.docker-basics.test=1`` plus a per-run session label;
the session's containers, images and networks are removed at the end, also on
failure (``python -m course engine --clean`` removes leftovers of any run).

Harness report: with ``DOCKER_BASICS_REPORT=<file>`` set, each build appends
a JSON line (example, target, tag, seconds, size, cached steps) and each run a
line (image) — used by
``python -m course examples`` for its summary table.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import re
import shutil
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "scripts"))
# As the Makefile does: tools from the project's environment first, also when pytest is run directly.
os.environ["PATH"] = os.pathsep.join(
    [str(ROOT / ".venv" / "bin"), str(ROOT / "node_modules" / ".bin"), os.environ.get("PATH", "")]
)

# No test reads Debian's mirrors: `course doctor`, run by a test, says whether Debian holds newer
# engine packages from its cache only (course.debian_updates; tests/test_debian_updates.py fakes them).
os.environ["DOCKER_BASICS_DEBIAN_CHECK"] = "off"

from course import engine as _engine  # noqa: E402
from course.engine import DockerError, EngineUnavailable  # noqa: E402


@pytest.fixture(scope="session")
def engine(pytestconfig):
    try:
        eng = _engine.get_engine()
    except EngineUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    from course import baseimages

    try:
        # Straight to the terminal (pytest captures file descriptors 1 and 2): which client,
        # and per base image "pulled", "present", "stand-in from cache" or "STAND-IN built …".
        capture = pytestconfig.pluginmanager.get_plugin("capturemanager")

        def log(message: str) -> None:
            with capture.global_and_fixture_disabled():
                print(f"[docker-basics] {message}", flush=True)

        log(f"Docker: {eng.describe()}")
        abandoned = eng.remove_abandoned_sessions()
        if abandoned:
            log(f"removed {len(abandoned)} object(s) left by test runs that ended without cleaning up")
        status = baseimages.ensure(eng, baseimages.required_images(ROOT), log=log)
    except Exception as exc:  # noqa: BLE001 - report any stand-in failure as a test failure
        pytest.fail(f"base images not available: {exc}", pytrace=False)
    for image, how in status.items():
        if how.startswith("MISSING"):  # the tests that use it fail with Docker's own error
            warnings.warn(f"base image {image}: {how}", stacklevel=1)
    yield eng
    eng.remove_labelled(_engine.SESSION_LABEL)


@pytest.fixture(scope="module")
def classic_engine(engine):
    from course import classic_engine as classic
    from course.provision_engine import ProvisionError

    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(classic.started())
            eng = _engine.classic_engine()
        except (ProvisionError, EngineUnavailable) as exc:
            pytest.fail(f"the classic-store engine: {exc}", pytrace=False)
        yield eng


@pytest.fixture
def example_dir(request) -> Path:
    return Path(request.path).resolve().parent


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-.") or "x"


@pytest.fixture(scope="session")
def build(engine):
    memo: dict[tuple, _engine.BuildResult] = {}
    counter = {"n": 0}

    def _build(path, target=None, *, dockerfile=None, build_args=None, no_cache=False, fresh=False):
        path = Path(path).resolve()
        key = (str(path), target, str(dockerfile), json.dumps(build_args or {}, sort_keys=True), no_cache)
        if key in memo and not fresh:
            return memo[key]
        counter["n"] += 1
        name = _slug(path.name + (f"-{target}" if target else ""))
        tag = f"docker-basics-test/{name}:{_engine.SESSION_ID}-{counter['n']}"
        try:
            result = engine.build(
                path, tag, target=target, dockerfile=dockerfile, build_args=build_args, no_cache=no_cache
            )
        except DockerError as exc:
            pytest.fail(f"build of {path.name}{' --target ' + target if target else ''} failed:\n{exc}", pytrace=False)
        memo[key] = result
        _engine.report(
            {
                "event": "build",
                "example": path.name,
                "target": target,
                "tag": tag,
                "dockerfile": Path(dockerfile).name if dockerfile else "Dockerfile",
                "seconds": round(result.seconds, 2),
                "size": engine.image_size(tag),
                "cached": result.cached,
                "rebuilt": result.rebuilt,
            }
        )
        return result

    return _build


@pytest.fixture
def example_copy(tmp_path):
    def _copy(path) -> Path:
        dest = tmp_path / Path(path).name
        shutil.copytree(
            path, dest, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", "node_modules", "output")
        )
        return dest

    return _copy


def _container_factory(engine):
    started: list[_engine.Container] = []

    def _run(image, *command, ports=(3000,), wait="auto", env=None, user=None, volumes=(), options=(), timeout=60):
        image = getattr(image, "tag", image)  # accept a BuildResult
        try:
            c = engine.run_container(image, command, ports=ports, env=env, user=user, volumes=volumes, options=options)
        except DockerError as exc:
            pytest.fail(f"docker run {image} failed:\n{exc}", pytrace=False)
        started.append(c)
        try:
            mode = wait
            if mode == "auto":
                mode = "healthy" if c.has_healthcheck() else ("port" if ports else None)
            if mode == "healthy":
                c.wait_healthy(timeout)
            elif mode == "port":
                c.wait_port(ports[0], timeout=timeout)
        except DockerError as exc:
            pytest.fail(str(exc), pytrace=False)
        return c

    return _run, started


@pytest.fixture
def container(engine):
    run, started = _container_factory(engine)
    yield run
    for c in started:
        c.remove()


@pytest.fixture(scope="module")
def module_container(engine):
    run, started = _container_factory(engine)
    yield run
    for c in started:
        c.remove()


def pytest_report_header(config):
    try:
        return f"docker: {_engine.get_engine().describe()}"
    except EngineUnavailable as exc:
        return f"docker: {exc}"


def pytest_configure(config):
    config.addinivalue_line("markers", "docker: needs a Docker engine (set on every test using `engine`)")


class _ExampleModule(pytest.Module):
    """examples/*/NN-name/test_example.py share one basename: import each under its own name
    (pytest's importlib mode, for these files only), so the default import mode stays."""

    def _getobj(self):
        from _pytest.pathlib import ImportMode, import_path

        return import_path(
            self.path, mode=ImportMode.importlib, root=self.config.rootpath, consider_namespace_packages=False
        )


def pytest_pycollect_makemodule(module_path, parent):
    if module_path.name == "test_example.py" and "examples" in module_path.parts:
        return _ExampleModule.from_parent(parent, path=module_path)
    return None


# Example tests that label everything they create, publish only random ports and use no
# fixed names (07-compose and the Compose preview of tests/test_compose.py: a project name of
# their own, and labels on every container, image, network and volume from an override file):
# they may run beside the console blocks (whose clean-up
# keeps another session's labelled objects) on a worker of their own. What builds or removes
# images holds the engine's build lock (course.engine.takes_build_lock); a size listing that
# loses a snapshot to a removal runs again (course.engine.lost_a_snapshot).
# The labs' rounds (course.labs) label nothing (the reader's commands run as typed) but name
# everything lab-SESSION-CASE-… and publish free ports: the console blocks' clean-up keeps
# another session's lab-round names, and a round removes only its own.
LABELLED_EXAMPLES = (
    "examples/labs/",
    "examples/building-images/",
    "examples/running-containers/0[1-7]-*/",
    "examples/troubleshooting/0[1-46]-*/",
    "tests/test_course_image.py",
    "tests/test_compose.py",
)


def engine_group(item) -> str:
    """xdist group of a test that needs the engine: "labs", "examples" or "engine"."""
    path = Path(item.path).resolve().relative_to(ROOT).as_posix()
    if path.startswith("examples/labs/"):
        return "labs"  # names of their own, nothing labelled: beside the labelled examples too
    labelled = any(
        fnmatch.fnmatch(path, pattern + ("*" if pattern.endswith("/") else "")) for pattern in LABELLED_EXAMPLES
    )
    return "examples" if labelled else "engine"


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    # Every test that needs the engine (directly or through build/container) is marked
    # `docker`, so `pytest -m "not docker"` runs the rest.
    for item in items:
        if "engine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.docker)
        # Under xdist (make test): the tests that need the engine run in three groups, each on
        # one worker and in order: console blocks, Compose and fixed ports in "engine", the
        # labelled examples in "examples", the labs' rounds in "labs". The others share the
        # remaining workers.
        if item.get_closest_marker("docker"):
            item.add_marker(pytest.mark.xdist_group(engine_group(item)))
