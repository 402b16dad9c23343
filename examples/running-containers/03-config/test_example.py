"""03-config: ENV defaults, -e and --env-file, ARG only at build time, values visible in the image.

Each test proves one claim of the README and of docs/running-containers/configuration.md
on the engine (fixtures: see the root conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NOTE = "built by the test"


@pytest.fixture(scope="module")
def image(build):
    return build(HERE, build_args={"BUILD_NOTE": NOTE}).tag


@pytest.fixture(scope="module")
def default_app(module_container, image):
    return module_container(image, ports=(8000,), wait="port")


def test_env_defaults_come_from_the_image(default_app):
    assert default_app.json("GET", "/", port=8000) == (200, {"message": "Hello, world!", "mode": "production"})


def test_an_env_var_reaches_the_app(container, image):
    c = container(image, ports=(8000,), wait="port", env={"GREETING": "Hola"})
    assert c.json("GET", "/", port=8000)[1]["message"] == "Hola, world!"


def test_env_file_sets_several_values(container, image):
    c = container(image, ports=(8000,), wait="port", options=["--env-file", str(HERE / "dev.env")])
    assert c.json("GET", "/", port=8000) == (200, {"message": "Good morning, world!", "mode": "development"})
    assert 'GET / HTTP/1.1" 200' in c.logs()  # development mode logs each request


def test_an_arg_does_not_survive_into_the_running_container(default_app):
    config = default_app.json("GET", "/config", port=8000)[1]
    assert config["build_note_variable"] is None
    assert config["build_note_file"] == NOTE  # what the RUN made with it stays
    assert default_app.exec("printenv", "BUILD_NOTE", check=False).returncode == 1


def test_arg_default_applies_without_build_arg(build, container):
    plain = build(HERE).tag
    c = container(plain, ports=(8000,), wait="port")
    assert c.json("GET", "/config", port=8000)[1]["build_note_file"] == "built without a note"


def test_env_values_and_used_args_are_readable_from_the_image(engine, image):
    env = engine.inspect(image)["Config"]["Env"]
    assert "GREETING=Hello" in env and "APP_MODE=production" in env
    assert not any(e.startswith("BUILD_NOTE=") for e in env)
    history = " ".join(row["CreatedBy"] for row in engine.history(image))
    assert f"BUILD_NOTE={NOTE}" in history  # no place for a secret


def test_a_wrong_setting_stops_the_server_with_a_clear_message(engine, image):
    cp = engine.run_container(image, (), env={"APP_MODE": "staging"}, detach=False)
    assert cp.returncode == 1
    assert "APP_MODE must be one of production, development; got 'staging'" in cp.stderr


@pytest.mark.parametrize(
    "method, path, status",
    [("GET", "/nope", 404), ("POST", "/", 405), ("DELETE", "/config", 405), ("GET", "/%zz", 404)],
)
def test_bad_requests_get_4xx_and_the_server_keeps_running(default_app, method, path, status):
    assert default_app.http(method, path, port=8000)[0] == status
    assert default_app.json("GET", "/", port=8000)[0] == 200
    assert default_app.status == "running"


def test_env_file_values_are_taken_literally(container, image, tmp_path):
    env_file = tmp_path / "quoted.env"
    env_file.write_text("# a comment line\nGREETING='Hi there'\n")
    c = container(image, ports=(8000,), wait="port", options=["--env-file", str(env_file)])
    assert c.json("GET", "/", port=8000)[1]["message"] == "'Hi there', world!"  # quotes included


def test_history_shows_the_arg_value_in_the_arg_step_and_the_run_step(engine, image):
    steps = [row["CreatedBy"] for row in engine.history(image) if NOTE in row["CreatedBy"]]
    assert any(s.startswith("ARG BUILD_NOTE=") for s in steps), steps
    assert any(s.startswith("RUN |1 BUILD_NOTE=") for s in steps), steps
