"""04-data: container layer, named volumes, bind mounts, read-only mounts, tmpfs, backups.

Each test proves one claim of the README and of docs/running-containers/data.md on the
engine (fixtures: see the root conftest.py). Volumes the tests create carry the run's
labels and are removed afterwards.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from pathlib import Path

import pytest

from course.engine import SESSION_LABEL, TEST_LABEL

HERE = Path(__file__).resolve().parent
DEBIAN = "debian:trixie-slim"


@pytest.fixture(scope="module")
def image(build):
    return build(HERE).tag


@pytest.fixture
def volume(engine):
    """`volume()` creates a named volume with the test labels; all are removed after the test."""
    made: list[str] = []

    def create() -> str:
        name = f"docker-basics-test-{uuid.uuid4().hex[:10]}"
        engine.run_cmd("volume", "create", "--label", TEST_LABEL, "--label", SESSION_LABEL, name)
        made.append(name)
        return name

    yield create
    for name in made:
        engine.run_cmd("volume", "rm", "-f", name, check=False)


def notes(c) -> str:
    status, _, body = c.http("GET", "/notes", port=8000)
    assert status == 200
    return body.decode()


def add(c, note: str | bytes) -> tuple[int, str]:
    status, _, body = c.http("POST", "/notes", note, port=8000)
    return status, body.decode(errors="replace")


def shell(engine, *args: str) -> str:
    cp = engine.run_container(DEBIAN, ("sh", "-c", args[-1]), options=list(args[:-1]), detach=False)
    assert cp.returncode == 0, cp.stderr
    return cp.stdout


def test_container_layer_data_goes_with_the_container(container, image):
    first = container(image, ports=(8000,), wait="port")
    assert add(first, "buy milk") == (201, "saved: buy milk\n")
    assert notes(first) == "buy milk\n"
    first.remove()
    second = container(image, ports=(8000,), wait="port")
    assert notes(second) == "(no notes yet)\n"


def test_named_volume_survives_docker_rm_and_a_new_container_sees_it(engine, container, image, volume):
    vol = volume()
    first = container(image, ports=(8000,), wait="port", volumes=[f"{vol}:/data"])
    assert add(first, "buy milk")[0] == 201
    first.remove()
    assert vol in engine.out("volume", "ls", "--format", "{{.Name}}").split()  # still there
    # --mount mounts the same volume as -v
    second = container(image, ports=(8000,), wait="port", options=["--mount", f"type=volume,src={vol},dst=/data"])
    assert notes(second) == "buy milk\n"


def test_a_new_volume_takes_the_image_directory_owner(engine, image, volume):
    vol = volume()
    out = engine.run_container(image, ("stat", "-c", "%u:%g", "/data"), volumes=[f"{vol}:/data"], detach=False)
    assert out.stdout.strip() == "10001:10001"  # copied from the image's /data, so uid 10001 may write


def test_read_only_mount_refuses_writes(container, engine, image, volume):
    vol = volume()
    writer = container(image, ports=(8000,), wait="port", volumes=[f"{vol}:/data"])
    assert add(writer, "buy milk")[0] == 201  # notes.txt now belongs to uid 10001, who may write it ...
    writer.remove()
    ro = container(image, ports=(8000,), wait="port", volumes=[f"{vol}:/data:ro"])
    assert notes(ro) == "buy milk\n"
    status, body = add(ro, "sell milk")
    assert status == 503 and "cannot write /data/notes.txt: Read-only file system" in body  # ... but not here
    assert ro.status == "running"
    read_only = ["--mount", f"src={vol},dst=/data,readonly"]
    cp = engine.run_container(DEBIAN, ("touch", "/data/x"), options=read_only, detach=False)
    assert cp.returncode == 1 and "Read-only file system" in cp.stderr


def test_bind_mounted_edit_is_seen_inside_at_once(container, image, tmp_path):
    host_dir = tmp_path / "notes-dir"
    host_dir.mkdir()
    user = f"{os.getuid()}:{os.getgid()}"
    c = container(image, ports=(8000,), wait="port", user=user, volumes=[f"{host_dir}:/data"])
    assert add(c, "buy milk")[0] == 201
    assert (host_dir / "notes.txt").read_text() == "buy milk\n"  # the container wrote to the host
    with (host_dir / "notes.txt").open("a") as f:
        f.write("written on the host\n")
    assert notes(c) == "buy milk\nwritten on the host\n"  # no restart, no copy


def test_bind_mount_needs_write_permission_for_the_container_user(container, image, tmp_path):
    host_dir = tmp_path / "notes-dir"
    host_dir.mkdir(mode=0o755)
    c = container(image, ports=(8000,), wait="port", volumes=[f"{host_dir}:/data"])
    status, body = add(c, "buy milk")
    assert status == 503 and "Permission denied" in body  # uid 10001 in a directory owned by someone else
    assert c.status == "running"


def test_v_creates_a_missing_host_directory_and_mount_refuses(engine, tmp_path):
    made = tmp_path / "made-by-docker"
    cp = engine.run_container(DEBIAN, ("true",), volumes=[f"{made}:/data"], detach=False)
    assert cp.returncode == 0 and made.is_dir()
    assert made.stat().st_uid == 0  # created by the engine, as root
    missing = tmp_path / "also-missing"
    mount = ["--mount", f"type=bind,src={missing},dst=/data"]
    cp = engine.run_container(DEBIAN, ("true",), options=mount, detach=False)
    assert cp.returncode != 0
    assert f"bind source path does not exist: {missing}" in cp.stderr
    assert not missing.exists()


def test_tmpfs_is_empty_after_a_restart_and_the_container_layer_is_not(engine, container):
    c = container(DEBIAN, "sleep", "infinity", ports=(), wait=None, options=["--tmpfs", "/scratch"])
    c.exec("sh", "-c", "echo draft > /scratch/draft.txt && echo kept > /kept.txt")
    assert c.exec("cat", "/scratch/draft.txt").stdout == "draft\n"
    engine.run_cmd("restart", "-t", "0", c.id)
    assert c.exec("ls", "-A", "/scratch").stdout == ""
    assert c.exec("cat", "/kept.txt").stdout == "kept\n"
    mounts = {m["Destination"]: m["Type"] for m in c.inspect()["Mounts"]}
    assert "/scratch" not in mounts or mounts["/scratch"] == "tmpfs"
    assert "/scratch" in c.inspect()["HostConfig"]["Tmpfs"]


def test_backup_and_restore_a_volume_with_a_throwaway_container(engine, volume, tmp_path):
    source, restored = volume(), volume()
    shell(engine, "-v", f"{source}:/data", "echo 'buy milk' > /data/notes.txt; mkdir /data/sub; echo x > /data/sub/y")
    backup_dir = tmp_path / "backup"
    backup_dir.mkdir()
    backup = f"{backup_dir}:/backup"
    shell(engine, "-v", f"{source}:/data:ro", "-v", backup, "tar -czf /backup/notes-data.tar.gz -C /data .")
    assert (backup_dir / "notes-data.tar.gz").stat().st_size > 0
    shell(engine, "-v", f"{restored}:/data", "-v", f"{backup}:ro", "tar -xzf /backup/notes-data.tar.gz -C /data")
    assert shell(engine, "-v", f"{restored}:/data:ro", "cat /data/notes.txt /data/sub/y") == "buy milk\nx\n"


@pytest.fixture(scope="module")
def notes_app(module_container, image):
    """One notes server shared by the bad-input tests."""
    return module_container(image, ports=(8000,), wait="port")


@pytest.mark.parametrize(
    "body, headers, status",
    [
        (b"", {}, 400),  # empty note
        (b"two\nlines", {}, 400),
        (b"\xff\xfe", {}, 400),  # not UTF-8
        (b"x" * 201, {}, 413),  # over 200 bytes
        (b"x", {"Content-Length": "lots"}, 400),
    ],
)
def test_bad_notes_get_4xx_and_the_server_keeps_running(notes_app, body, headers, status):
    c = notes_app
    got = send_raw(c.host_port(8000), body, headers)
    assert got == status
    assert notes(c).endswith("\n") and c.status == "running"


def send_raw(port: int, body: bytes, headers: dict) -> int:
    """POST /notes with exactly these bytes and headers (urllib would fix a bad Content-Length)."""
    head = {"Host": "127.0.0.1", "Content-Length": str(len(body)), **headers}
    request = b"POST /notes HTTP/1.1\r\n" + b"".join(f"{k}: {v}\r\n".encode() for k, v in head.items()) + b"\r\n" + body
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(request)
        deadline = time.monotonic() + 5
        data = b""
        while b"\r\n" not in data and time.monotonic() < deadline:
            data += s.recv(100)
    return int(data.split(b" ")[1])
