"""01-run-inspect: docker run modes, -i and -t, logs, exec, inspect, restart policies, exit codes.

Each test proves one claim of the README and of docs/running-containers/running-and-inspecting.md
and restarts-and-exit-statuses.md
on the engine (fixtures: see the root conftest.py).
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from course.engine import SESSION_LABEL, TEST_LABEL

HERE = Path(__file__).resolve().parent
DEBIAN = "debian:trixie-slim"


@pytest.fixture(scope="module")
def image(build):
    return build(HERE).tag


def wait_until(check, timeout: float = 30, every: float = 0.2):
    """Poll `check()` until it returns something truthy; fail with its last value."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"condition not met after {timeout}s (last value: {value!r})")


def state(c) -> dict:
    return c.inspect()["State"]


# ---------------------------------------------------------------- foreground, detached, --rm, --name
def test_foreground_run_prints_and_returns_the_exit_status(engine, image):
    cp = engine.run_container(image, (), options=["-e", "CRASH_AFTER=3"], detach=False)
    assert cp.stdout.splitlines() == ["worker started", "tick 1", "tick 2", "tick 3", "crashing on purpose"]
    assert cp.returncode == 1  # docker run passes the container's exit status on


def test_rm_removes_the_container_when_it_exits(engine, image):
    name = f"rm-demo-{uuid.uuid4().hex[:8]}"
    cp = engine.run_container(image, (), name=name, options=["-e", "CRASH_AFTER=1"], detach=False)
    assert cp.returncode == 1
    gone = engine.run_cmd("container", "inspect", name, check=False)
    assert gone.returncode != 0 and "No such container" in gone.stderr


def test_detached_run_returns_at_once_and_keeps_running(engine, image, container):
    name = f"test-detached-{uuid.uuid4().hex[:8]}"  # not "ticker": a page lists `--filter name=ticker`
    c = container(image, ports=(), wait=None, options=["--name", name])
    assert len(c.id) == 64  # `docker run -d` printed the full container ID
    listed = engine.out("ps", "--filter", f"name={name}", "--format", "{{.Names}} {{.Status}}")
    assert listed.startswith(f"{name} Up")
    wait_until(lambda: "tick 2" in c.logs())
    assert c.status == "running"


def test_a_bad_crash_after_value_is_a_clear_error(engine, image):
    cp = engine.run_container(image, (), options=["-e", "CRASH_AFTER=soon"], detach=False)
    assert cp.returncode == 1
    assert "CRASH_AFTER must be a whole number of ticks, got 'soon'" in cp.stderr


# ---------------------------------------------------------------- -i and -t
def in_terminal(engine, args: list[str], typed: bytes, wait_for: bytes | None, read_for: float):
    """Run `docker ARGS` with a pseudo-terminal as its stdin/stdout, as a learner's terminal would.

    Waits until `wait_for` appears (e.g. the shell prompt), types `typed`, then reads for
    `read_for` seconds. Returns (everything the terminal showed, exit status or None if still running).
    """
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        engine.docker_cmd + args, stdin=slave, stdout=slave, stderr=slave, env=engine.env, start_new_session=True
    )
    os.close(slave)
    shown = b""

    def read(seconds: float, until: bytes | None = None) -> None:
        nonlocal shown
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not (until and until in shown):
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    shown += os.read(master, 4096)
                except OSError:  # the process closed the terminal
                    return

    try:
        if wait_for:
            read(60, wait_for)
            assert wait_for in shown, f"never saw {wait_for!r}; the terminal showed {shown!r}"
        else:
            time.sleep(3)  # no prompt to wait for: give the container time to start
        os.write(master, typed)
        read(read_for)
        try:
            code = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        return shown.decode(errors="replace"), code
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)


def terminal_lines(shown: str) -> list[str]:
    """The lines a terminal would show: without carriage returns and escape sequences (bash's bracketed paste)."""
    return [re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", ln).strip() for ln in shown.replace("\r", "").splitlines()]


def shell_args(name: str, *flags: str) -> list[str]:
    return ["run", "--rm", "--name", name, "--label", TEST_LABEL, "--label", SESSION_LABEL, *flags, DEBIAN, "bash"]


def test_it_gives_an_interactive_shell(engine):
    name = f"it-{uuid.uuid4().hex[:8]}"
    shown, code = in_terminal(engine, shell_args(name, "-it"), b"echo $((6 * 7))\rexit\r", b"# ", read_for=10)
    assert "42" in terminal_lines(shown), shown  # the command ran, its output came back
    assert code == 0


def test_t_without_i_shows_a_prompt_but_never_gets_the_input(engine):
    name = f"t-only-{uuid.uuid4().hex[:8]}"
    try:
        shown, code = in_terminal(engine, shell_args(name, "-t"), b"echo $((6 * 7))\r", b"# ", read_for=4)
        assert "42" not in terminal_lines(shown), shown  # typed, echoed by the local terminal, never run
        assert code is None  # the shell still waits for input that never comes
    finally:
        engine.run_cmd("rm", "-f", name, check=False)


def test_i_without_t_runs_the_input_without_prompt_or_terminal(engine):
    name = f"i-only-{uuid.uuid4().hex[:8]}"
    shown, code = in_terminal(engine, shell_args(name, "-i"), b"tty; echo $((6 * 7))\nexit\n", None, read_for=8)
    lines = terminal_lines(shown)
    assert "not a tty" in lines and "42" in lines, shown
    assert "root@" not in shown  # no prompt: bash is not interactive without a terminal
    assert code == 0


def test_no_flags_bash_gets_no_input_and_exits(engine):
    cp = engine.run_container(DEBIAN, ("bash",), detach=False, timeout=60)
    assert cp.returncode == 0 and cp.stdout == ""


def test_it_without_a_terminal_is_refused(engine):
    cp = engine.run_cmd("run", "--rm", "-it", DEBIAN, "bash", check=False, input="")
    assert cp.returncode != 0
    assert "not a TTY" in cp.stderr, cp.stderr


# ---------------------------------------------------------------- logs, exec, inspect, stats
def test_logs_since_shows_only_the_lines_after_that_time(engine, image, container):
    c = container(image, ports=(), wait=None)
    wait_until(lambda: "tick 2" in c.logs())
    since = datetime.now(UTC).isoformat()  # the daemon runs on this host: same clock
    wait_until(lambda: "tick 4" in c.logs())
    recent = engine.run_cmd("logs", "--since", since, c.id).stdout.splitlines()
    assert "tick 4" in recent
    assert "worker started" not in recent and "tick 1" not in recent
    assert "worker started" in c.logs()  # without --since: everything


def test_logs_follow_streams_until_the_container_exits(engine, image, container):
    c = container(image, ports=(), wait=None, options=["-e", "CRASH_AFTER=3"])
    follow = subprocess.run(
        engine.docker_cmd + ["logs", "-f", c.id], capture_output=True, text=True, timeout=60, env=engine.env
    )
    # `logs -f` returned only when the container exited, with every line up to the crash
    assert follow.stdout.splitlines()[-2:] == ["tick 3", "crashing on purpose"]
    assert c.status == "exited"


def test_exec_runs_a_shell_next_to_pid_1(engine, image, container):
    c = container(image, ports=(), wait=None)
    wait_until(lambda: "tick 1" in c.logs())
    shell = engine.run_cmd("exec", "-i", c.id, "sh", input="echo $$; id -u; cat /proc/1/cmdline | tr '\\0' ' '\n")
    pid, uid, pid1 = shell.stdout.splitlines()
    assert int(pid) != 1  # a second process ...
    assert uid == "10001"  # ... as the image's user ...
    assert pid1.strip() == "python3 worker.py"  # ... next to the container's main process
    assert c.status == "running"


def test_inspect_format_picks_fields(engine, image, container):
    c = container(image, ports=(), wait=None)
    out = engine.out("inspect", "--format", "{{.State.Status}} {{.RestartCount}} {{json .Config.Cmd}}", c.id)
    assert out == 'running 0 ["python3","worker.py"]'


def test_stats_reports_one_process(engine, image, container):
    c = container(image, ports=(), wait=None)
    wait_until(lambda: "tick 1" in c.logs())
    out = engine.out("stats", "--no-stream", "--format", "{{.PIDs}} {{.MemUsage}}", c.id)
    pids, usage = out.split(" ", 1)
    assert pids == "1" and "/" in usage


# ---------------------------------------------------------------- restart policies
def test_unless_stopped_brings_a_crashed_process_back(engine, image, container):
    c = container(image, ports=(), wait=None, options=["--restart", "unless-stopped", "-e", "CRASH_AFTER=2"])
    wait_until(lambda: c.inspect()["RestartCount"] >= 2, timeout=60)
    # The third start's first line, not an earlier run's "tick 1": each restart is a new process.
    wait_until(lambda: c.logs().count("worker started") >= 3, timeout=30)
    assert c.logs().count("worker started") >= 3  # a new process each time, in the same container
    c.stop(timeout=2)
    count = c.inspect()["RestartCount"]
    time.sleep(3)
    assert state(c)["Status"] == "exited" and c.inspect()["RestartCount"] == count  # stopped by hand: stays stopped


def test_on_failure_gives_up_after_its_retries(engine, image, container):
    c = container(image, ports=(), wait=None, options=["--restart", "on-failure:3", "-e", "CRASH_AFTER=1"])
    wait_until(lambda: state(c)["Status"] == "exited" and c.inspect()["RestartCount"] == 3, timeout=60)
    time.sleep(2)
    assert state(c)["Status"] == "exited" and c.inspect()["RestartCount"] == 3
    assert state(c)["ExitCode"] == 1
    assert c.logs().count("crashing on purpose") == 4  # the first run and three restarts


def test_no_policy_means_no_restart(engine, image, container):
    c = container(image, ports=(), wait=None, options=["-e", "CRASH_AFTER=1"])
    assert c.wait() == 1
    time.sleep(2)
    assert state(c)["Status"] == "exited" and c.inspect()["RestartCount"] == 0


# ---------------------------------------------------------------- exit codes
def test_docker_kill_is_137(image, container, engine):
    c = container(image, ports=(), wait=None)
    engine.run_cmd("kill", c.id)
    assert c.wait() == 137  # 128 + 9 (SIGKILL)


def test_stop_without_handler_waits_for_the_grace_period_then_137(image, container):
    c = container(image, ports=(), wait=None)
    wait_until(lambda: "tick 1" in c.logs())
    code, seconds = c.stop(timeout=2)
    assert code == 137  # PID 1 ignored SIGTERM, so Docker sent SIGKILL
    assert seconds >= 2


def test_stop_with_init_is_143_at_once(image, container):
    c = container(image, ports=(), wait=None, options=["--init"])
    wait_until(lambda: "tick 1" in c.logs())
    assert c.exec("cat", "/proc/1/comm").stdout.strip() == "docker-init"
    code, seconds = c.stop(timeout=10)
    assert code == 143  # 128 + 15: the worker died of SIGTERM, the init process reports it
    assert seconds < 5
