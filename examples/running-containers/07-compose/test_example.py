"""Example 07: an API and Redis with Compose (fixtures: see the root conftest.py).

Each test module run uses its own Compose project (`-p`), a free host port
(API_PORT) and the run's labels on everything it makes, and removes the project with
`down -v --rmi local` at the end.
"""

from __future__ import annotations

import contextlib
import json
import re
import shlex
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime

import pytest

from course.engine import SESSION_ID, SESSION_LABEL, SESSION_LABEL_KEY, TEST_LABEL, takes_build_lock


class Project:
    def __init__(self, engine, folder, name: str, port: int):
        self.engine, self.folder, self.name, self.port = engine, folder, name, port

    def compose(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
        cmd = self.engine.docker_cmd + ["compose", "-p", self.name, "-f", "compose.yaml", "-f", LABELS_FILE, *args]
        env = {**self.engine.env, "API_PORT": str(self.port)}
        with self.engine.build_lock() if takes_build_lock(shlex.join(cmd)) else contextlib.nullcontext():
            cp = subprocess.run(cmd, cwd=self.folder, env=env, capture_output=True, text=True, timeout=timeout)
        if check and cp.returncode != 0:
            pytest.fail(f"`docker compose {' '.join(args)}` exited {cp.returncode}:\n{cp.stdout}{cp.stderr}")
        return cp

    def container(self, service: str) -> dict:
        cid = self.compose("ps", "-a", "-q", service).stdout.strip()
        return self.engine.inspect(cid)

    def http(self, method: str, path: str, body: bytes | None = None) -> tuple[int, object]:
        url = f"http://127.0.0.1:{self.port}{path}"
        req = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")

    def volumes(self) -> list[str]:
        out = self.engine.out("volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={self.name}")
        return out.split()


# The run's labels on every container, image, network and volume, as on everything the tests
# create: the clean-up after a failure finds them, and a console page's clean-up running beside
# these tests (another xdist group) leaves them alone.
LABELS_FILE = "test-labels.yaml"
LABELS = f'["{TEST_LABEL}", "{SESSION_LABEL}"]'
LABELS_YAML = f"""\
services:
  api:
    labels: {LABELS}
    build:
      labels: {LABELS}
  redis:
    labels: {LABELS}
volumes:
  redis-data:
    labels: {LABELS}
networks:
  backend:
    labels: {LABELS}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def project(engine, request, tmp_path_factory):
    # A copy, so that the watch test can edit src/ without touching the example.
    folder = tmp_path_factory.mktemp("compose") / "07-compose"
    shutil.copytree(request.path.parent, folder, ignore=shutil.ignore_patterns("__pycache__", "output"))
    (folder / LABELS_FILE).write_text(LABELS_YAML)
    p = Project(engine, folder, f"test-notebook-{uuid.uuid4().hex[:8]}", free_port())
    # Built first, so that `up` (--no-build) does not hold the engine's build lock.
    p.compose("build")
    p.compose("up", "-d", "--no-build")
    # Right after `up`, while Docker still keeps every health check result (it keeps the last five).
    p.after_up = {service: p.container(service) for service in ("redis", "api")}
    # Then until the API answers its health check: started is not yet listening, and a request
    # before that is reset by docker-proxy.
    p.compose("up", "-d", "--no-build", "--wait")
    yield p
    p.compose("down", "-v", "--rmi", "local", "--timeout", "2", check=False)


def _time(stamp: str) -> datetime:
    """Docker's RFC 3339 time with nanoseconds, e.g. 2026-11-30T18:40:02.123456789Z."""
    return datetime.fromisoformat(re.sub(r"(\.\d{6})\d*", r"\1", stamp).replace("Z", "+00:00"))


def test_everything_the_project_made_carries_the_run_label(project):
    """What lets these tests run beside the console pages (conftest.LABELLED_EXAMPLES)."""
    of_project = f"label=com.docker.compose.project={project.name}"
    made = {
        "container": project.engine.out("ps", "-aq", "--filter", of_project).split(),
        "network": project.engine.out("network", "ls", "-q", "--filter", of_project).split(),
        "volume": project.volumes(),
        "image": [project.container("api")["Image"]],
    }
    labels_of = {"container": ".Config.Labels", "image": ".Config.Labels", "network": ".Labels", "volume": ".Labels"}
    unlabelled = []
    for kind, ids in made.items():
        assert ids, f"the project made no {kind}"
        for i in ids:
            labels = json.loads(project.engine.out(kind, "inspect", "--format", f"{{{{json {labels_of[kind]}}}}}", i))
            if (labels or {}).get(SESSION_LABEL_KEY) != SESSION_ID:
                unlabelled.append(f"{kind} {i[:19]}")
    assert unlabelled == []


def test_up_waits_for_the_data_store_health_check(project):
    redis, api = project.after_up["redis"], project.after_up["api"]
    assert redis["State"]["Health"]["Status"] == "healthy"
    first_healthy = min(_time(r["End"]) for r in redis["State"]["Health"]["Log"] if r["ExitCode"] == 0)
    assert _time(api["State"]["StartedAt"]) >= first_healthy, (api["State"]["StartedAt"], first_healthy)


def test_the_api_stores_notes_in_redis(project):
    text = f"note {uuid.uuid4().hex[:6]}"
    status, note = project.http("POST", "/api/notes", json.dumps({"text": text}).encode())
    assert status == 201 and note["text"] == text
    status, notes = project.http("GET", "/api/notes")
    assert status == 200 and note in notes
    stored = project.compose("exec", "-T", "redis", "redis-cli", "LRANGE", "notes", "0", "-1").stdout
    assert json.dumps(note, separators=(",", ":")) in stored.splitlines()


def test_redis_is_reachable_by_name_but_not_published(project):
    assert project.container("redis")["NetworkSettings"]["Ports"] == {"6379/tcp": None}
    networks = project.container("api")["NetworkSettings"]["Networks"]
    assert list(networks) == [f"{project.name}_backend"]


@pytest.mark.parametrize(
    "method, path, body, status",
    [
        ("POST", "/api/notes", b'{"text":', 400),
        ("POST", "/api/notes", b'{"text": 42}', 400),
        ("GET", "/nope", None, 404),
        ("DELETE", "/api/notes", None, 405),
        ("POST", "/api/notes", b'{"text":"' + b"x" * 5000 + b'"}', 413),
    ],
)
def test_malformed_requests_get_4xx_and_the_api_keeps_running(project, method, path, body, status):
    assert project.http(method, path, body)[0] == status
    assert project.http("GET", "/health") == (200, {"status": "ok", "store": "ok"})


def test_data_store_down_gives_503_not_a_crash(project):
    project.compose("stop", "redis")
    try:
        status, body = project.http("GET", "/api/notes")
        assert (status, body) == (503, {"error": "data store unavailable, try again later"})
        assert project.http("POST", "/api/notes", b'{"text":"lost?"}')[0] == 503
        assert project.container("api")["State"]["Running"] is True
    finally:
        project.compose("start", "redis")
    deadline = time.monotonic() + 30
    while project.http("GET", "/api/notes")[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert project.http("GET", "/api/notes")[0] == 200


def test_down_keeps_the_volume_and_down_v_removes_it(project):
    status, note = project.http("POST", "/api/notes", b'{"text":"survives down"}')
    assert status == 201
    project.compose("down")
    assert project.volumes() == [f"{project.name}_redis-data"]
    project.compose("up", "-d", "--no-build", "--wait")
    assert note in project.http("GET", "/api/notes")[1]
    project.compose("down", "-v")
    assert project.volumes() == []
    project.compose("up", "-d", "--no-build", "--wait")
    assert project.http("GET", "/api/notes") == (200, [])


def test_watch_syncs_an_edit_and_restarts_the_api(project):
    watch = subprocess.Popen(
        project.engine.docker_cmd
        + ["compose", "-p", project.name, "-f", "compose.yaml", "-f", LABELS_FILE]
        + ["watch", "--no-up"],
        cwd=project.folder,
        env={**project.engine.env, "API_PORT": str(project.port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    answer = None
    try:
        time.sleep(3)  # let watch start watching
        app = project.folder / "src" / "app.js"
        app.write_text(app.read_text().replace("status: 'ok', store: 'ok'", "status: 'ok', store: 'ok', edited: true"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                answer = project.http("GET", "/health")[1]
            except OSError:  # restarting
                answer = None
            if isinstance(answer, dict) and answer.get("edited"):
                break
            time.sleep(0.5)
    finally:
        watch.terminate()
        try:
            output, _ = watch.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            watch.kill()
            output, _ = watch.communicate()
    assert answer == {"status": "ok", "store": "ok", "edited": True}, f"last answer {answer}; watch said:\n{output}"
