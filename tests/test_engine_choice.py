"""Which Docker engine and client the course uses (course.engine.get_engine).

A learner today runs Engine 28+ with the containerd image store, a CLI with buildx and
Compose v2: the tests use that, and an older engine is refused with one line that names
it and says how to get a current one.
"""

from __future__ import annotations

import json
import socketserver
import subprocess
import threading
from http.server import BaseHTTPRequestHandler

import pytest

from course import engine as engine_mod


class _OldEngine(BaseHTTPRequestHandler):
    """Answers the Docker API as Debian 12's Engine 20.10 does (overlay2 graph driver)."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path.endswith("/_ping"):
            body = b"OK"
        elif self.path.endswith("/version"):
            body = json.dumps({"Version": "20.10.24+dfsg1", "ApiVersion": "1.41", "MinAPIVersion": "1.12"}).encode()
        elif self.path.endswith("/info"):
            body = json.dumps({"ServerVersion": "20.10.24+dfsg1", "Driver": "overlay2", "DriverStatus": []}).encode()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Api-Version", "1.41")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Api-Version", "1.41")
        self.end_headers()

    def log_message(self, *args):
        pass


class _UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):
        request, _ = super().get_request()
        return request, ("local", 0)


@pytest.fixture
def old_engine(tmp_path):
    path = tmp_path / "old.sock"
    server = _UnixHTTPServer(str(path), _OldEngine)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"unix://{path}"
    server.shutdown()
    server.server_close()


@pytest.mark.docker  # needs a current docker CLI to talk to the fake engine
def test_an_old_engine_is_refused_with_one_line_naming_it(old_engine, monkeypatch):
    try:
        client = engine_mod.choose_client()
    except engine_mod.EngineUnavailable as exc:
        pytest.fail(f"no current docker CLI on this machine: {exc}", pytrace=False)
    server = engine_mod._probe_server(client, old_engine, "DOCKER_HOST")
    assert server is not None and server.version.startswith("20.10") and not server.current
    monkeypatch.setenv("DOCKER_HOST", old_engine)
    monkeypatch.setattr(engine_mod, "_ENGINE", None)
    monkeypatch.setattr(engine_mod, "_candidate_hosts", lambda: [(old_engine, "DOCKER_HOST")])
    with pytest.raises(engine_mod.EngineUnavailable) as caught:
        engine_mod.get_engine()
    message = str(caught.value)
    assert "\n" not in message
    assert "20.10.24" in message and old_engine in message and "course engine up" in message


def test_engine_is_current_with_the_containerd_image_store(engine):
    assert engine.server.current, engine.describe()
    rows = dict((part, version) for part, version, _ in engine_mod.describe_choice())
    assert rows["image store"].endswith(f"({engine_mod.SNAPSHOTTER})")


def test_shell_commands_reach_the_same_engine_with_buildx_and_compose(engine):
    """Console blocks run `docker` from the wrapper directory: same engine, plugins found."""
    docker = str(engine.wrapper_dir() / "docker")
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}  # nothing inherited: the wrapper carries DOCKER_HOST
    server = subprocess.run(
        [docker, "version", "--format", "{{.Server.Version}}"], env=env, capture_output=True, text=True
    )
    assert server.stdout.strip() == engine.server.version, server.stderr
    buildx = subprocess.run([docker, "buildx", "version"], env=env, capture_output=True, text=True)
    assert engine_mod._version(buildx.stdout.split()[1])[:2] >= engine_mod.MIN_BUILDX, buildx.stdout + buildx.stderr
    compose = subprocess.run([docker, "compose", "version", "--short"], env=env, capture_output=True, text=True)
    assert engine_mod._version(compose.stdout)[:1] >= (engine_mod.MIN_COMPOSE,), compose.stdout + compose.stderr


def _course(*args: str) -> subprocess.CompletedProcess:
    import os
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root / "scripts")}
    return subprocess.run([sys.executable, "-m", "course", *args], cwd=root, env=env, capture_output=True, text=True)


def test_engine_status_names_every_part(engine):
    status = _course("engine", "status")
    assert status.returncode == 0, status.stderr
    for part in ("Docker Engine", "image store", "docker CLI", "docker buildx", "docker compose"):
        assert part in status.stdout
    assert engine.server.version in status.stdout and engine_mod.SNAPSHOTTER in status.stdout


def test_engine_up_when_an_engine_answers_keeps_it_running(engine):
    from course import provision_engine

    if not provision_engine.ping():
        pytest.skip("the tests use another engine (Docker Desktop, a CI runner): `engine up` is not theirs")
    up = _course("engine", "up")
    assert (up.returncode, up.stdout.startswith("engine already up")) == (0, True), up.stdout + up.stderr


def test_root_client_also_runs_with_the_roots_own_glibc(engine):
    """The fallback for a root whose binaries need a newer glibc than the host's."""
    from course import provision_engine

    if provision_engine.root_info() is None:
        pytest.skip("no course engine root on this machine (the tests use Docker Desktop or a CI runner's engine)")
    paths = provision_engine.client_paths(use_loader=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "DOCKER_HOST": engine.server.host}
    env.update(provision_engine.client_env(paths["plugins"]))
    docker = str(paths["docker"])
    for args, wanted in (
        (["version", "--format", "{{.Server.Version}}"], engine.server.version),
        (["buildx", "version"], "github.com/docker/buildx"),
        (["compose", "version"], "Docker Compose version"),
    ):
        cp = subprocess.run([docker, *args], env=env, capture_output=True, text=True)
        assert cp.returncode == 0 and wanted in cp.stdout, f"{args}: {cp.stdout}{cp.stderr}"
