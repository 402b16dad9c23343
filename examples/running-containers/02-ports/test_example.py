"""02-ports: EXPOSE documents, -p publishes, loopback binding, port conflicts, -P and docker port.

Each test proves one claim of the README and of docs/running-containers/ports.md on the
engine (fixtures: see the root conftest.py). The only addresses contacted are the
host's own: 127.0.0.1, 127.0.0.2 (loopback too) and the host's non-loopback address.
"""

from __future__ import annotations

import fcntl
import json
import re
import socket
import struct
import urllib.request
from pathlib import Path

import pytest

from course.engine import DockerError

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def image(build):
    return build(HERE).tag


def get(address: str, port: int, path: str = "/") -> tuple[int, dict]:
    with urllib.request.urlopen(f"http://{address}:{port}{path}", timeout=5) as resp:
        return resp.status, json.loads(resp.read())


def answers(address: str, port: int) -> bool:
    try:
        return get(address, port)[0] == 200
    except OSError:
        return False


def host_address() -> str | None:
    """An IPv4 address of the host's own network interfaces other than loopback and Docker's bridges."""
    SIOCGIFADDR = 0x8915
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for _, name in socket.if_nameindex():
            if name == "lo" or name.startswith(("docker", "br-", "veth")):
                continue
            try:
                raw = fcntl.ioctl(s.fileno(), SIOCGIFADDR, struct.pack("256s", name.encode()[:15]))
            except OSError:  # no IPv4 address on this interface
                continue
            return socket.inet_ntoa(raw[20:24])
    return None


def published(engine, c, port: int = 8000) -> list[str]:
    return engine.out("port", c.id, f"{port}/tcp").splitlines()


def test_expose_alone_publishes_nothing(engine, image, container):
    assert "8000/tcp" in engine.inspect(image)["Config"]["ExposedPorts"]
    c = container(image, ports=(), wait=None)
    assert engine.out("port", c.id) == ""
    assert engine.out("ps", "--filter", f"id={c.id}", "--format", "{{.Ports}}") == "8000/tcp"


def test_port_bound_to_loopback_answers_on_127_0_0_1_only(engine, image, container):
    c = container(image, ports=(8000,), wait="port")  # the fixture publishes on 127.0.0.1::8000
    (binding,) = published(engine, c)
    assert binding.startswith("127.0.0.1:")
    port = c.host_port(8000)
    status, body = get("127.0.0.1", port)
    assert status == 200 and body["container"] == c.id[:12]
    assert not answers("127.0.0.2", port)  # another loopback address of the same host
    other = host_address()
    if other:
        assert not answers(other, port)


def test_port_published_on_all_addresses_answers_on_other_addresses(engine, image, container):
    c = container(image, ports=(), wait=None, options=["-p", "8000"])  # random host port, all addresses
    bindings = published(engine, c)
    assert any(b.startswith("0.0.0.0:") for b in bindings), bindings
    port = int(bindings[0].rsplit(":", 1)[1])
    c.wait_port(8000, timeout=30)
    assert answers("127.0.0.2", port)
    other = host_address()
    if other:
        assert answers(other, port)


def test_a_second_container_cannot_take_the_same_host_port(engine, image, container):
    first = container(image, ports=(8000,), wait="port")
    port = first.host_port(8000)
    with pytest.raises(DockerError) as err:
        engine.run_container(image, options=["-p", f"127.0.0.1:{port}:8000"])
    assert "port is already allocated" in str(err.value)
    assert get("127.0.0.1", port)[1]["container"] == first.id[:12]  # the first one still has it


def test_capital_p_publishes_exposed_ports_on_random_host_ports(engine, image, container):
    c = container(image, ports=(), wait=None, options=["-P"])
    bindings = published(engine, c)
    assert bindings and all(int(b.rsplit(":", 1)[1]) > 1024 for b in bindings)
    host_ports = {b.rsplit(":", 1)[1] for b in bindings}
    assert len(host_ports) == 1  # the same port on IPv4 and IPv6
    c.wait_port(8000, timeout=30)
    assert answers("127.0.0.1", int(host_ports.pop()))


def raw_status(port: int, data: bytes) -> bytes:
    """Send raw bytes; return the status code of the answer.

    For a request line it cannot parse, http.server answers the HTTP/0.9 way, without a
    status line: then the code is in its error page ("Error code: 400")."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(data)
        answer = b""
        while len(answer) < 2000 and (chunk := s.recv(2000)):
            answer += chunk
    if answer.startswith(b"HTTP/"):
        return answer.split(b" ", 2)[1]
    return re.search(rb"Error code: (\d+)", answer).group(1)


@pytest.mark.parametrize(
    "request_bytes, status",
    [
        (b"GARBAGE\r\n\r\n", b"400"),  # not an HTTP request line
        (b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", b"404"),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", b"405"),
        (b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n", b"431"),  # too many headers
    ],
)
def test_malformed_requests_get_4xx_and_the_server_keeps_running(image, container, request_bytes, status):
    c = container(image, ports=(8000,), wait="port")
    port = c.host_port(8000)
    assert raw_status(port, request_bytes) == status
    assert get("127.0.0.1", port)[0] == 200
    assert c.status == "running"
