"""Example 02: a Node.js API with dev and prod targets (fixtures: see the root conftest.py)."""

import re
import time

import pytest


@pytest.fixture(scope="module")
def prod(build, example_dir_module):
    return build(example_dir_module, "prod")


@pytest.fixture(scope="module")
def dev(build, example_dir_module):
    return build(example_dir_module, "dev")


@pytest.fixture(scope="module")
def example_dir_module(request):
    return request.path.parent


@pytest.fixture(scope="module")
def api(module_container, prod):
    """One prod container shared by the API tests (waits for HEALTHCHECK healthy)."""
    return module_container(prod.tag)


def test_both_targets_build(prod, dev):
    assert prod.ok and dev.ok


def test_health_and_home(api):
    assert api.json("GET", "/health") == (200, {"status": "ok"})
    assert api.json("GET", "/") == (200, {"name": "node-api", "message": "Hello from a container!"})
    assert api.inspect()["State"]["Health"]["Status"] == "healthy"


def test_items_api_as_the_readme_says(api):
    status, item = api.json("POST", "/api/items", {"name": "apples"})
    assert status == 201 and item["name"] == "apples" and isinstance(item["id"], int)
    assert api.json("GET", f"/api/items/{item['id']}") == (200, item)
    status, items = api.json("GET", "/api/items")
    assert status == 200 and item in items


@pytest.mark.parametrize(
    "method, path, body, status",
    [
        ("POST", "/api/items", b'{"name":', 400),  # bad JSON
        ("POST", "/api/items", b'{"name": 42}', 400),  # wrong type
        ("GET", "/no/such/route", None, 404),  # unknown route
        ("GET", "/api/items/999999", None, 404),  # unknown item
        ("DELETE", "/health", None, 405),  # wrong method
        ("POST", "/api/items", b'{"name":"' + b"x" * 5000 + b'"}', 413),  # body over the limit
    ],
)
def test_malformed_requests_get_4xx_and_the_server_keeps_running(api, method, path, body, status):
    got, _, _ = api.http(method, path, body, headers={"Content-Type": "application/json"})
    assert got == status
    assert api.json("GET", "/health") == (200, {"status": "ok"})
    assert api.status == "running"


def test_prod_runs_as_non_root(api, engine, prod):
    assert api.exec("id", "-u").stdout.strip() != "0"
    assert api.exec("id", "-un").stdout.strip() == "node"
    user = engine.inspect(prod.tag)["Config"]["User"]
    assert user and user.split(":")[0] not in ("0", "root")


def test_prod_image_holds_only_what_runs(engine, prod):
    run = engine.run_container(prod.tag, ["find", "/app", "-not", "-path", "/app/node_modules*"], detach=False)
    assert run.returncode == 0, run.stderr
    files = sorted(run.stdout.split())
    assert files == [
        "/app",
        "/app/package-lock.json",
        "/app/package.json",
        "/app/src",
        "/app/src/app.js",
        "/app/src/server.js",
    ]


def test_docker_stop_ends_it_by_sigterm_quickly(container, prod):
    c = container(prod.tag)
    code, seconds = c.stop(timeout=10)
    assert code in (0, 143), f"exit {code}: not a clean SIGTERM shutdown (137 = SIGKILL)"
    assert seconds < 5, f"docker stop took {seconds:.1f}s"
    assert "SIGTERM received" in c.logs()


def test_unit_tests_pass_in_the_dev_image(engine, dev):
    run = engine.run_container(dev.tag, ["node", "--test"], detach=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"\bfail 0\b", run.stdout), run.stdout


def test_dev_target_reloads_bind_mounted_source(container, dev, example_copy, example_dir_module):
    src = example_copy(example_dir_module) / "src"
    c = container(dev.tag, volumes=[f"{src}:/app/src"])
    assert c.json("GET", "/")[1]["message"] == "Hello from a container!"
    app = src / "app.js"
    app.write_text(app.read_text().replace("Hello from a container!", "Hello, edited!"))
    deadline = time.monotonic() + 20
    message = None
    while time.monotonic() < deadline:
        try:
            message = c.json("GET", "/", timeout=2)[1]["message"]
        except OSError:  # restarting
            message = None
        if message == "Hello, edited!":
            break
        time.sleep(0.3)
    assert message == "Hello, edited!", c.logs()


def test_source_change_reuses_the_dependency_layer(build, example_copy, example_dir_module):
    copy = example_copy(example_dir_module)
    build(copy, "prod", fresh=True)  # same content as the example: warm cache
    app = copy / "src" / "app.js"
    # A change never built before (the build cache keeps earlier test runs' layers).
    app.write_text(app.read_text() + f"\n// a change to the source only: {time.time_ns()}\n")
    rebuilt = build(copy, "prod", fresh=True)
    assert rebuilt.was_cached("COPY package*.json"), rebuilt.log_tail()
    assert rebuilt.was_cached("npm ci"), rebuilt.log_tail()
    assert any("COPY src/" in step for step in rebuilt.rebuilt), rebuilt.rebuilt
