"""`docker compose up`: the live preview for contributors without Python (compose.yaml,
docs.Dockerfile). Built and run like the examples: the image builds, GET / answers, and
a change to a bind-mounted page is served after the reload.

Docker Compose v2 (`docker compose`, the plugin of the engine's client) runs the file, as
on a contributor's machine. pip and npm in the build get the host's CA bundle as the
optional BuildKit secret `ca` (docs.Dockerfile says why), as on any machine behind a
proxy that re-signs HTTPS; the file itself has nothing CI-specific.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from course.engine import SESSION_ID, SESSION_LABEL, TEST_LABEL
from site_checks.building import ROOT, copy_project

pytestmark = pytest.mark.docker
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 5) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except OSError as exc:
        return 0, str(exc)


def wait_for(url: str, text: str, seconds: float) -> tuple[int, str]:
    deadline = time.monotonic() + seconds
    status, body = get(url)
    while not (status == 200 and text in body) and time.monotonic() < deadline:
        time.sleep(0.5)
        status, body = get(url)
    return status, body


def compose_command(engine) -> list[str]:
    """Compose v2, the plugin (`docker compose`); v1 (`docker-compose`) is retired."""
    v2 = [*engine.docker_cmd, "compose"]
    cp = subprocess.run([*v2, "version"], env=engine.env, capture_output=True, text=True, check=False)
    assert cp.returncode == 0, f"`docker compose` (v2) does not run: {cp.stderr.strip()}"
    return v2


# What docs.Dockerfile's image is made of: its build is kept under a tag named by their hash,
# so a later run with the same inputs reuses it (143 s of pip and npm installs on a cold engine).
DOCS_IMAGE_INPUTS = ["docs.Dockerfile", "package.json", "package-lock.json", "requirements-site.txt", "scripts"]
CACHE_LABEL = "org.docker-basics.cache=docs-preview"

# The run's labels on the preview's container and network, from an override file (compose.yaml
# stays as a contributor runs it): a console page's clean-up running beside this test (another
# xdist group) leaves them alone, and the clean-up after a killed run finds them.
LABELS_FILE = "test-labels.yaml"
LABELS = f'["{TEST_LABEL}", "{SESSION_LABEL}"]'
LABELS_YAML = f"""\
services:
  docs:
    labels: {LABELS}
networks:
  default:
    labels: {LABELS}
"""


def docs_image_key(engine) -> str:
    digest = hashlib.sha256()
    for name in DOCS_IMAGE_INPUTS:
        path = ROOT / name
        files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for file in files if path.is_dir() else [path]:
            digest.update(file.relative_to(ROOT).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    for base in re.findall(r"^FROM\s+(\S+)", (ROOT / "docs.Dockerfile").read_text(encoding="utf-8"), re.M):
        digest.update(engine.out("image", "inspect", "--format", "{{.Id}}", base).strip().encode())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="module")
def docs_image(engine):
    """docs.Dockerfile built from the work tree, as `docker compose up --build` does (or that build, kept)."""
    tag = f"docker-basics-cache/docs:{docs_image_key(engine)}"
    if engine.run_cmd("image", "inspect", tag, check=False).returncode == 0:
        print(f"docs.Dockerfile: reusing {tag}, built from the same inputs")
        yield tag
        return
    secret = ["--secret", f"id=ca,src={CA_BUNDLE}"] if Path(CA_BUNDLE).is_file() else []
    # The session's label keeps the image from a console page's clean-up while it runs; without
    # the test label, no later run takes the kept image for a killed run's leftover.
    labels = ["--label", CACHE_LABEL, "--label", SESSION_LABEL]
    command = [*engine.docker_cmd, "build", "--progress=plain", *secret, *labels]
    command += ["-f", "docs.Dockerfile", "-t", tag, "."]
    with engine.build_lock():  # not beside another build (course.engine.Engine.build_lock)
        cp = subprocess.run(
            command,
            cwd=ROOT,
            env=engine.env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    assert cp.returncode == 0, f"docker build -f docs.Dockerfile failed:\n{(cp.stdout + cp.stderr)[-4000:]}"
    # Older builds of other inputs are of no more use.
    for old in engine.out(
        "image", "ls", "--filter", f"label={CACHE_LABEL}", "--format", "{{.Repository}}:{{.Tag}}"
    ).split():
        if old != tag:
            engine.run_cmd("rmi", old, check=False)
    yield tag


def test_the_kept_preview_image_is_named_by_every_input(engine, tmp_path, monkeypatch):
    """A change to any input of docs.Dockerfile (a script, the lock) names another image: it is built anew."""
    before = docs_image_key(engine)
    copy = tmp_path / "project"
    copy.mkdir()
    for name in DOCS_IMAGE_INPUTS:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, copy / name)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", copy)
    assert docs_image_key(engine) == before
    (copy / "scripts" / "course" / "vendor.py").write_text("# changed\n", encoding="utf-8")
    assert docs_image_key(engine) != before


@pytest.fixture
def compose_project(tmp_path, docs_image, engine):
    compose = compose_command(engine)
    project = copy_project(tmp_path / "tree")
    shutil.copy2(ROOT / "compose.yaml", project / "compose.yaml")
    (project / LABELS_FILE).write_text(LABELS_YAML, encoding="utf-8")
    port, name = free_port(), f"dbdocs{SESSION_ID}"
    env = {
        **engine.env,
        "DOCS_PORT": str(port),
        "DOCS_IMAGE": docs_image,
        "UID": str(os.getuid()),
        "GID": str(os.getgid()),
        "COMPOSE_PROJECT_NAME": name,
    }
    base = [*compose, "-f", "compose.yaml", "-f", LABELS_FILE]

    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*base, *args], cwd=project, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )

    up = run("up", "-d", "--no-build")
    assert up.returncode == 0, f"docker compose up failed:\n{up.stdout}{up.stderr}"
    try:
        # What lets this test run beside the console blocks (conftest.LABELLED_EXAMPLES).
        for kind in ("container", "network"):
            mine = ["--filter", f"label={SESSION_LABEL}", "--filter", f"label=com.docker.compose.project={name}"]
            listed = engine.out(kind, "ls", "-q", *mine)
            assert listed.split(), f"the preview's {kind} lacks the session's label ({LABELS_FILE})"
        yield project, f"http://127.0.0.1:{port}/", run
    finally:
        run("down", "--volumes", "--timeout", "2")


def test_compose_serves_the_site_and_reloads_a_changed_page(compose_project):
    project, base, run = compose_project
    status, body = wait_for(base, "Docker Basics", 120)
    logs = run("logs").stdout[-3000:]
    assert status == 200 and "Docker Basics" in body, f"GET / gave {status}:\n{body[:500]}\n{logs}"

    marker = f"Live reload marker {SESSION_ID}"
    page = project / "docs" / "how-to-use.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n{marker}\n", encoding="utf-8")
    status, body = wait_for(base + "how-to-use/", marker, 60)
    assert marker in body, f"the changed page was not served after 60 s:\n{run('logs').stdout[-3000:]}"
