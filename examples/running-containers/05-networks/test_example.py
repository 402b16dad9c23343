"""Example 05: networks (fixtures: see the root conftest.py).

Every container and network gets the run's labels and a unique name, so the
session's clean-up removes them, also after a failure.
"""

import socket
import uuid

import pytest

from course.engine import SESSION_LABEL, TEST_LABEL

LABELS = ["--label", TEST_LABEL, "--label", SESSION_LABEL]


@pytest.fixture(scope="module")
def image(build, request):
    return build(request.path.parent)


@pytest.fixture(scope="module")
def net(engine):
    name = f"test-net-{uuid.uuid4().hex[:8]}"
    engine.out("network", "create", *LABELS, name)
    yield name
    engine.run_cmd("network", "rm", name, check=False)


@pytest.fixture(scope="module")
def server(engine, image, net):
    """A server on the user-defined network, not published."""
    name = f"test-hello-{uuid.uuid4().hex[:8]}"
    engine.out("run", "-d", *LABELS, "--name", name, "--network", net, image.tag)
    yield name
    engine.run_cmd("rm", "-f", name, check=False)


def fetch(engine, image, url, *options):
    """Run fetch.py in a throw-away container: (exit status, output)."""
    cp = engine.run_container(image.tag, ["python", "fetch.py", url], options=list(options), detach=False)
    return cp.returncode, cp.stdout + cp.stderr


def wait_until_answers(engine, image, url, *options, tries=30):
    for _ in range(tries):
        rc, out = fetch(engine, image, url, *options)
        if rc == 0:
            return out
    pytest.fail(f"{url} never answered: {out}")


def test_user_defined_network_resolves_container_names(engine, image, net, server):
    out = wait_until_answers(engine, image, f"http://{server}:8000/", "--network", net)
    server_id = engine.inspect(server)["Id"]
    assert out == f"Hello from container {server_id[:12]}\n"


def test_default_bridge_has_no_names_only_addresses(engine, image):
    name = f"test-hello-default-{uuid.uuid4().hex[:8]}"
    engine.out("run", "-d", *LABELS, "--name", name, image.tag)
    try:
        ip = engine.inspect(name)["NetworkSettings"]["Networks"]["bridge"]["IPAddress"]
        assert wait_until_answers(engine, image, f"http://{ip}:8000/").startswith("Hello from container")
        rc, out = fetch(engine, image, f"http://{name}:8000/")
        assert rc == 1 and out.startswith("Error:"), out
        assert "Name or service not known" in out or "Temporary failure in name resolution" in out, out
    finally:
        engine.run_cmd("rm", "-f", name, check=False)


def test_network_none_has_only_loopback(engine, image, server):
    ls = engine.run_container(image.tag, ["ls", "/sys/class/net"], options=["--network", "none"], detach=False)
    assert ls.stdout.split() == ["lo"]
    default = engine.run_container(image.tag, ["ls", "/sys/class/net"], detach=False)
    assert sorted(default.stdout.split()) == ["eth0", "lo"]
    rc, out = fetch(engine, image, f"http://{server}:8000/", "--network", "none")
    assert rc == 1 and out.startswith("Error:"), out


def test_unpublished_container_has_no_host_port_but_answers_on_its_network(engine, image, net, server):
    assert engine.inspect(server)["NetworkSettings"]["Ports"] == {"8000/tcp": None}
    assert engine.run_cmd("port", server).stdout.strip() == ""
    assert wait_until_answers(engine, image, f"http://{server}:8000/", "--network", net)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_published_port_is_for_the_host_container_port_for_containers(engine, image, net):
    name = f"test-hello-published-{uuid.uuid4().hex[:8]}"
    port = free_port()
    engine.out("run", "-d", *LABELS, "--name", name, "--network", net, "-p", f"127.0.0.1:{port}:8000", image.tag)
    try:
        # From the host: the host port.
        wait_until_answers(engine, image, f"http://127.0.0.1:{port}/", "--network", "host")
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.read().decode().startswith("Hello from container")
        # From another container on the network: the container port; the host port means nothing there.
        assert wait_until_answers(engine, image, f"http://{name}:8000/", "--network", net)
        rc, out = fetch(engine, image, f"http://{name}:{port}/", "--network", net)
        assert rc == 1 and "Connection refused" in out, out
        # The container's own loopback is not the host's.
        rc, out = fetch(engine, image, f"http://127.0.0.1:{port}/")
        assert rc == 1 and "Connection refused" in out, out
    finally:
        engine.run_cmd("rm", "-f", name, check=False)


def test_host_network_shares_the_hosts_network_stack(engine, image):
    ls = engine.run_container(image.tag, ["ls", "/sys/class/net"], options=["--network", "host"], detach=False)
    assert "docker0" in ls.stdout.split(), ls.stdout  # the host's bridge, seen from inside
    hostname = ["python", "-c", "import socket; print(socket.gethostname())"]
    inside = engine.run_container(image.tag, hostname, options=["--network", "host"], detach=False)
    assert inside.stdout.strip() == socket.gethostname()
