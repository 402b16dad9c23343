"""03-cmd-forms: shell form vs exec form, ENTRYPOINT + CMD, and the last CMD wins.

Every claim of the README and of docs/building-images/cmd-and-entrypoint.md is
checked here by building the images and running containers.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.docker

HERE = Path(__file__).resolve().parent
READY = "app.py: running, waiting for SIGTERM"
GOT_SIGTERM = "app.py: received SIGTERM, shutting down"
GRACE = 2  # seconds: `docker stop -t 2`, as in the README


@pytest.fixture(scope="module")
def images(build):
    """Build the four images once for the whole module."""
    return {
        name: build(HERE, dockerfile=HERE / dockerfile).tag
        for name, dockerfile in {
            "exec": "Dockerfile",
            "shell": "Dockerfile.shell",
            "entrypoint": "Dockerfile.entrypoint",
            "two-cmds": "Dockerfile.two-cmds",
        }.items()
    }


def wait_for_log(c, text: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in c.logs():
            return
        if c.status != "running":
            break
        time.sleep(0.1)
    pytest.fail(f"{text!r} never appeared; logs:\n{c.logs()}")


def pid1(c) -> str:
    """The name of the container's PID 1, read from /proc inside the container."""
    return c.exec("cat", "/proc/1/comm").stdout.strip()


def run(engine, image, *args, options=()):
    cp = engine.run_container(image, args, options=options, detach=False)
    assert cp.returncode == 0, cp.stderr
    return cp.stdout


def test_shell_form_is_stored_as_sh_c(engine, images):
    shell_cmd = engine.inspect(images["shell"])["Config"]["Cmd"]
    exec_cmd = engine.inspect(images["exec"])["Config"]["Cmd"]
    assert shell_cmd[:2] == ["/bin/sh", "-c"]
    assert shell_cmd[2].startswith("python3 app.py;")
    assert exec_cmd == ["python3", "app.py"]


def test_shell_form_sh_is_pid1_and_sigterm_never_reaches_the_app(images, container):
    c = container(images["shell"], ports=(), wait=None)
    wait_for_log(c, READY)
    assert pid1(c) == "sh"
    code, seconds = c.stop(timeout=GRACE)
    assert code == 137, "sh ignored SIGTERM, so docker stop had to SIGKILL (128 + 9)"
    assert seconds >= GRACE
    logs = c.logs()
    assert GOT_SIGTERM not in logs
    assert "app.py exited" not in logs  # SIGKILL: the shell never ran its echo


def test_exec_form_app_is_pid1_and_stops_cleanly(images, container):
    c = container(images["exec"], ports=(), wait=None)
    wait_for_log(c, READY)
    assert pid1(c) == "python3"
    code, seconds = c.stop(timeout=GRACE)
    assert code == 0  # app.py's SIGTERM handler exits with status 0
    assert seconds < GRACE, "the app stopped on SIGTERM, before the grace period ended"
    assert GOT_SIGTERM in c.logs()


@pytest.mark.parametrize(
    "shell, expected_pid1, expected_exit",
    [
        # Debian's dash keeps running as PID 1 even for a single command ...
        ("sh", "sh", 137),
        # ... while bash replaces itself with a single command (exec), so the app is PID 1.
        ("bash", "python3", 0),
    ],
)
def test_single_command_under_sh_c_depends_on_the_shell(images, container, shell, expected_pid1, expected_exit):
    c = container(images["exec"], shell, "-c", "python3 app.py", ports=(), wait=None)
    wait_for_log(c, READY)
    assert pid1(c) == expected_pid1
    code, _ = c.stop(timeout=GRACE)
    assert code == expected_exit
    assert (GOT_SIGTERM in c.logs()) == (expected_exit == 0)


def test_entrypoint_with_default_cmd(engine, images):
    config = engine.inspect(images["entrypoint"])["Config"]
    assert config["Entrypoint"] == ["python3", "greet.py"]
    assert config["Cmd"] == ["world"]
    assert run(engine, images["entrypoint"]) == "Hello, world!\n"


def test_run_arguments_replace_cmd(engine, images):
    # With an ENTRYPOINT, the arguments replace CMD and are appended to the ENTRYPOINT ...
    assert run(engine, images["entrypoint"], "Ada", "Grace") == "Hello, Ada and Grace!\n"
    # ... without one, they replace CMD: here the whole command.
    assert run(engine, images["exec"], "python3", "greet.py", "Docker") == "Hello, Docker!\n"


def test_entrypoint_flag_replaces_the_entrypoint(engine, images):
    out = run(engine, images["entrypoint"], "--version", options=["--entrypoint", "python3"])
    assert out.startswith("Python 3.13.")


def test_only_the_last_cmd_takes_effect(engine, images):
    assert engine.inspect(images["two-cmds"])["Config"]["Cmd"] == ["echo", "This is the second CMD"]
    assert run(engine, images["two-cmds"]) == "This is the second CMD\n"


def test_cmd_adds_no_layer(engine, images):
    base = engine.inspect("python:3.13-slim")["RootFS"]["Layers"]
    two_cmds = engine.inspect(images["two-cmds"])["RootFS"]["Layers"]
    assert two_cmds == base


def test_readme_shows_the_real_output(engine, images):
    """The README's exact output is what the images print."""
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    printed = (
        run(engine, images["entrypoint"])
        + run(engine, images["entrypoint"], "Ada", "Grace")
        + run(engine, images["exec"], "python3", "greet.py", "Docker")
        + run(engine, images["two-cmds"])
    )
    assert "```text\n" + printed + "```" in readme
