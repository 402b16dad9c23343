"""02-running: errors met when starting, naming and checking containers, with Docker's exact words.

Fixtures: the root conftest.py (engine, build, example_copy) and
examples/troubleshooting/conftest.py (docker: commands that may fail, and clean-up).
Each test also checks that the failure left nothing running.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def image(build):
    return build(HERE).tag


def test_a_taken_name_conflicts_and_a_removed_one_is_not_found(docker, image):
    name = docker.name("hello")
    first = docker("run", "--name", name, *docker.labels(), image)
    assert (first.returncode, first.stdout) == (0, "hello from start.sh\n")
    second = docker("run", "--name", name, *docker.labels(), image)
    assert second.returncode == 125
    assert (
        f'docker: Error response from daemon: Conflict. The container name "/{name}" is already in use by container'
        in second.stderr
    )
    assert "You have to remove (or rename) that container to be able to reuse that name." in second.stderr
    assert docker.leftovers() == [f"{name} exited"]
    assert docker("rm", name).returncode == 0
    logs = docker("logs", name)
    assert (logs.returncode, logs.stderr.strip()) == (1, f"Error response from daemon: No such container: {name}")


def test_a_command_missing_from_the_image(docker, image):
    cp = docker("run", "--rm", *docker.labels(), image, "flask")
    assert cp.returncode == 127
    assert 'exec: "flask": executable file not found in $PATH' in cp.stderr
    assert docker.leftovers() == []


def test_a_container_whose_command_ends_exits_at_once(docker):
    name = docker.name("once")
    assert docker("run", "-d", "--name", name, *docker.labels(), "debian:trixie-slim").returncode == 0
    assert docker("wait", name).stdout.strip() == "0"
    assert docker.leftovers() == [f"{name} exited"]
    assert docker.leftovers(running_only=True) == []


def test_t_without_a_terminal(docker, image):
    cp = docker("run", "-it", "--rm", *docker.labels(), image, input="")
    assert (cp.returncode, cp.stderr.strip()) == (1, "the input device is not a TTY")
    cp = docker("run", "-i", "--rm", *docker.labels(), image, input="")
    assert (cp.returncode, cp.stdout) == (0, "hello from start.sh\n"), cp.stderr
    assert docker.leftovers() == []


def test_crlf_line_endings_make_the_script_not_found(image, docker, example_copy):
    """The script saved with Windows line endings, bound over the image's own (the README
    builds it in, and its transcript shows that build; the kernel reads the same bytes)."""
    copy = example_copy(HERE)
    script = copy / "start.sh"
    script.write_bytes(script.read_bytes().replace(b"\n", b"\r\n"))  # what an editor on Windows may save
    crlf = ["-v", f"{script}:/app/start.sh:ro"]
    cp = docker("run", "--rm", *docker.labels(), *crlf, image)
    assert (cp.returncode, cp.stderr.strip()) == (255, "exec /app/start.sh: no such file or directory")
    cp = docker("run", "--rm", *docker.labels(), *crlf, image, "bash", "-c", "/app/start.sh")
    assert cp.returncode == 127
    assert "/app/start.sh: cannot execute: required file not found" in cp.stderr
    script.write_bytes(script.read_bytes().replace(b"\r\n", b"\n"))  # the fix
    assert docker("run", "--rm", *docker.labels(), *crlf, image).stdout == "hello from start.sh\n"
    assert docker.leftovers() == []


@pytest.mark.parametrize(
    "first_bytes, describe",
    [(b"", "the #! line deleted"), (b"\xef\xbb\xbf", "a byte-order mark before #!"), (b"\n", "a blank line before #!")],
)
def test_a_script_that_does_not_start_with_hash_bang_is_an_exec_format_error(
    image, docker, example_copy, first_bytes, describe
):
    """The same CPU, the same file: only its first two bytes differ from `#!`. The changed
    script is bound over the image's own (the README builds it in; the kernel reads the same
    bytes either way, and one image serves the three cases without three builds)."""
    copy = example_copy(HERE)
    script = copy / "start.sh"
    body = script.read_bytes()
    assert body.startswith(b"#!/bin/sh\n")
    script.write_bytes(first_bytes + body if first_bytes else body.split(b"\n", 1)[1])
    assert script.read_bytes()[:2] != b"#!", describe
    assert docker("run", "--rm", *docker.labels(), image).stdout == "hello from start.sh\n"
    cp = docker("run", "--rm", *docker.labels(), "-v", f"{script}:/app/start.sh:ro", image)
    assert (cp.returncode, cp.stderr.strip()) == (255, "exec /app/start.sh: exec format error"), describe
    assert docker.leftovers() == []


def test_an_image_a_stopped_container_uses_cannot_be_removed(docker, image):
    name = docker.name("user")
    assert docker("run", "--name", name, *docker.labels(), image).returncode == 0
    cid = docker("inspect", "--format", "{{.Id}}", name).stdout.strip()[:12]
    iid = docker("image", "inspect", "--format", "{{.Id}}", image).stdout.strip().removeprefix("sha256:")[:12]
    cp = docker("rmi", image)
    assert cp.returncode == 1
    assert cp.stderr.strip() == (
        f"Error response from daemon: conflict: unable to delete {image} (must be forced) - "
        f"container {cid} is using its referenced image {iid}"
    )
    cp = docker("rmi", iid)
    assert cp.returncode == 1
    assert cp.stderr.strip() == (
        f"Error response from daemon: conflict: unable to delete {iid} (must be forced) - "
        f"image is being used by stopped container {cid}"
    )
    users = docker("ps", "-a", "--filter", f"ancestor={image}", "--format", "{{.Names}}").stdout.split()
    assert name in users
    assert docker("image", "inspect", image).returncode == 0  # still there


def test_a_client_asking_for_an_api_version_the_engine_does_not_speak(engine):
    low, high = engine.out("version", "--format", "{{.Server.MinAPIVersion}} {{.Server.APIVersion}}").split()
    older, newer = "1.23", "1.99"
    assert (low, older) == ("1.24", "1.23"), "this engine's minimum moved: change the versions on the page"

    def ps(version: str):
        return subprocess.run(
            [*engine.docker_cmd, "ps"], capture_output=True, text=True, timeout=30,
            env={**engine.env, "DOCKER_API_VERSION": version},
        )  # fmt: skip

    cp = ps(older)
    assert (cp.returncode, cp.stderr.strip()) == (
        1,
        f"Error response from daemon: client version {older} is too old. Minimum supported API version is {low}, "
        "please upgrade your client to a newer version",
    )
    cp = ps(newer)
    assert (cp.returncode, cp.stderr.strip()) == (
        1,
        f"Error response from daemon: client version {newer} is too new. Maximum supported API version is {high}",
    )


def test_over_the_memory_limit_is_oom_killed_with_137(docker):
    name = docker.name("oom")
    limits = ["--memory", "32m", "--memory-swap", "32m"]
    # A second before the allocation: containerd 2.1 (this engine's) can miss the OOM event of a
    # task killed right after it started, and then never sets OOMKilled (containerd/containerd#8180,
    # fixed upstream by #12714). Run U failed so; the README's own run allocates at once.
    hog = "import time; time.sleep(1); bytearray(200_000_000)"
    cp = docker("run", "--name", name, *docker.labels(), *limits, "python:3.13-slim", "python3", "-c", hog)
    assert cp.returncode == 137
    # The engine records OOMKilled from containerd's OOM event, which may come a moment after the exit.
    deadline = time.monotonic() + 5
    while (state := docker("inspect", "--format", "{{.State.OOMKilled}} {{.State.ExitCode}}", name).stdout.split()) != [
        "true",
        "137",
    ] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert state == ["true", "137"]
    assert docker.leftovers(running_only=True) == []


def test_a_health_check_without_its_tool_turns_unhealthy(docker, image):
    name = docker.name("sick")
    health = [
        "--health-cmd",
        "curl -f http://localhost:8000/ || exit 1",
        "--health-interval",
        "1s",
        "--health-retries",
        "1",
    ]
    assert docker("run", "-d", "--name", name, *docker.labels(), *health, image, "sleep", "60").returncode == 0
    deadline = time.monotonic() + 45  # a check a second; on a busy machine the first ones come late
    while (health := docker("inspect", "--format", "{{.State.Health.Status}}", name)).stdout.strip() != "unhealthy":
        assert time.monotonic() < deadline, f"never turned unhealthy: {health.stdout}{health.stderr}"
        time.sleep(0.5)
    status = docker("ps", "--filter", f"name=^{name}$", "--format", "{{.Status}}").stdout.strip()
    assert status.endswith("(unhealthy)")
    output = docker("inspect", "--format", "{{(index .State.Health.Log 0).Output}}", name).stdout
    assert output.strip() == "/bin/sh: 1: curl: not found"
    assert docker("rm", "-f", name).returncode == 0
    assert docker.leftovers() == []


def test_no_engine_at_the_address(docker, tmp_path):
    sock = tmp_path / "no-engine.sock"
    cp = docker("--host", f"unix://{sock}", "ps")
    assert cp.returncode == 1
    assert cp.stderr.strip() == f"Cannot connect to the Docker daemon at unix://{sock}. Is the docker daemon running?"


def test_a_user_without_access_to_the_socket_is_denied(engine, tmp_path):
    """As `nobody` (not root, not in the socket's group), with a copy of the course's client."""
    host = engine.server.host
    assert host.startswith("unix://"), f"the engine is not on a Unix socket: {host}"
    client = tmp_path / "docker"
    shutil.copy(engine.client.path, client)
    tmp_path.chmod(0o755)
    client.chmod(0o755)
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    cmd = [*prefix, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", str(client), "--host", host, "ps"]
    cp = subprocess.run(
        cmd, capture_output=True, text=True, timeout=30, env={"HOME": str(tmp_path), "PATH": os.defpath}
    )
    assert cp.returncode == 1, cp.stderr
    sock = host[len("unix://") :]
    assert f"permission denied while trying to connect to the Docker daemon socket at {host}" in cp.stderr
    assert f"dial unix {sock}: connect: permission denied" in cp.stderr


def test_a_tag_the_registry_does_not_have(docker, image, container):
    # Waits until the registry answers HTTP: while it starts, docker-proxy accepts and closes
    # at once, and a pull would fail with EOF instead of the error shown on the page.
    registry = container("registry:2", ports=(5000,), wait="port")
    ref = f"127.0.0.1:{registry.host_port(5000)}/ts-start-{docker.tag}:1.0"
    cp = docker("pull", ref)
    assert cp.returncode == 1
    assert cp.stderr.strip() == f'Error response from daemon: failed to resolve reference "{ref}": {ref}: not found'
    try:
        assert docker("tag", image, ref).returncode == 0
        assert docker("push", "--quiet", ref).returncode == 0
        assert docker("rmi", ref).returncode == 0
        cp = docker("pull", "--quiet", ref)
        assert (cp.returncode, cp.stdout.strip()) == (0, ref), cp.stderr
        assert docker("rmi", ref).returncode == 0
        cp = docker("pull", "--platform", "linux/arm64/v8", ref)  # the image was built here, for amd64 only
        assert cp.returncode == 1
        assert cp.stderr.strip() == (
            "Error response from daemon: no matching manifest for linux/arm64/v8 in the manifest list entries: "
            "no match for platform in manifest: not found"
        )
    finally:
        docker("rmi", ref)
