"""03-ports-and-networks: port conflicts, a server bound to loopback inside, a missing network.

Fixtures: the root conftest.py (engine, build) and examples/troubleshooting/conftest.py
(docker: commands that may fail, and clean-up). Host ports are free ones picked by the
test, on 127.0.0.1 only.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def image(build):
    return build(HERE).tag


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(port: int, timeout: float = 15) -> bytes:
    """The page at 127.0.0.1:port, retrying while the server starts."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as resp:
                return resp.read()
        except (OSError, urllib.error.URLError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_a_second_container_on_a_taken_port_is_left_created(docker, image):
    port = free_port()
    first, second = docker.name("web-1"), docker.name("web-2")
    publish = ["-p", f"127.0.0.1:{port}:8000"]
    assert docker("run", "-d", "--name", first, *docker.labels(), *publish, image).returncode == 0
    cp = docker("run", "-d", "--name", second, *docker.labels(), *publish, image)
    assert cp.returncode == 125
    assert f"Bind for 127.0.0.1:{port} failed: port is already allocated" in cp.stderr
    assert docker.leftovers() == sorted([f"{first} running", f"{second} created"])
    holder = docker("ps", "--filter", f"publish={port}", "--format", "{{.Names}}").stdout.split()
    assert holder == [first]
    assert b"hello from ts-web" in fetch(port)  # the first one keeps the port


def test_a_port_held_by_a_host_program_is_already_in_use(docker, image):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        name = docker.name("web-3")
        cp = docker("run", "-d", "--name", name, *docker.labels(), "-p", f"127.0.0.1:{port}:8000", image)
    assert cp.returncode == 125
    assert f"failed to bind host port for 127.0.0.1:{port}:" in cp.stderr
    assert cp.stderr.rstrip().splitlines()[0].endswith(":8000/tcp: address already in use")
    assert docker.leftovers(running_only=True) == []


def test_a_server_bound_to_loopback_inside_gets_no_reply(docker, image):
    port = free_port()
    name = docker.name("local")
    cmd = ["python3", "-m", "http.server", "--bind", "127.0.0.1", "8000"]
    assert (
        docker("run", "-d", "--name", name, *docker.labels(), "-p", f"127.0.0.1:{port}:8000", image, *cmd).returncode
        == 0
    )
    probe = "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:8000/').read().decode())"
    deadline = time.monotonic() + 15
    while (inside := docker("exec", name, "python3", "-c", probe)).returncode != 0:  # up inside the container
        assert time.monotonic() < deadline, inside.stderr
        time.sleep(0.3)
    assert "hello from ts-web" in inside.stdout
    curl = subprocess.run(
        ["curl", "--silent", "--show-error", f"http://127.0.0.1:{port}/"], capture_output=True, text=True, timeout=30
    )
    assert (curl.returncode, curl.stderr.strip()) in {
        (52, "curl: (52) Empty reply from server"),
        (56, "curl: (56) Recv failure: Connection reset by peer"),
    }
    docker("rm", "-f", name)
    assert docker("run", "-d", "--name", name, *docker.labels(), "-p", f"127.0.0.1:{port}:8000", image).returncode == 0
    assert b"hello from ts-web" in fetch(port)  # the image's CMD listens on every address


def test_a_missing_network(docker, image):
    net = docker.name("net")
    cp = docker("run", "--rm", *docker.labels(), "--network", net, image, "true")
    assert cp.returncode == 125
    assert f"docker: Error response from daemon: failed to set up container networking: network {net} not found" in (
        cp.stderr
    )
    assert docker.leftovers() == []
    assert docker("network", "create", *docker.labels(), net).returncode == 0
    cp = docker("run", "--rm", *docker.labels(), "--network", net, image, "python3", "-c", "print('on ts-net')")
    assert (cp.returncode, cp.stdout) == (0, "on ts-net\n"), cp.stderr


def test_a_port_that_is_not_published_refuses_the_connection(docker, image):
    """The container runs and listens on 8000, but without -p nothing on the host forwards to it."""
    name = docker.name("no-host-port")
    assert docker("run", "-d", "--name", name, *docker.labels(), image).returncode == 0
    port = free_port()
    curl = subprocess.run(
        ["curl", "--silent", "--show-error", f"http://127.0.0.1:{port}/"], capture_output=True, text=True, timeout=30
    )
    assert curl.returncode == 7
    assert curl.stderr.startswith(f"curl: (7) Failed to connect to 127.0.0.1 port {port} after "), curl.stderr
    assert curl.stderr.rstrip().endswith("Couldn't connect to server"), curl.stderr
    assert docker("port", name).stdout == ""  # nothing published
    ports = docker("ps", "--filter", f"name=^{name}$", "--format", "{{.Ports}}").stdout.strip()
    assert ports == "8000/tcp"  # exposed, not published
