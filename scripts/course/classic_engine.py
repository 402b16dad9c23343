"""A second engine beside the course's, with the classic image store: for a few captures only.

The course's engine uses the containerd image store, as fresh Docker Engine 29
installations and Docker Desktop do.  Engine 28 and older default to the
classic store (graph drivers: overlay2), and so do Engine 29 installations
upgraded from one (Debian 13's docker.io 26 too).  Where the two stores print
different things (a multi-platform build fails on the classic store; `docker
image ls` counts sizes differently), the course records both: this module runs
the classic one.

It is the same dockerd (Debian forky's, from course.provision_engine's root),
started a second time, in a mount namespace of its own:

* its own data-root: DATA, bound at /var/lib/docker in its namespace and emptied
  at every start and stop (nothing carries over from one run to the next);
* its own exec-root and containerd: dockerd starts a containerd of its own under
  /var/run/docker, which is its namespace's own tmpfs;
* its own socket (SOCKET, /run/docker-basics/classic.sock), pidfile and log;
* ``{"features": {"containerd-snapshotter": false}, "storage-driver": "overlay2"}``;
* no network set-up that could meet the course's engine's: a network namespace
  of its own (with ``--bridge none`` in the host's, dockerd deletes the host's
  docker0 and the course's engine can start no container), ``--bridge none``,
  ``--iptables=false``, ``--ip6tables=false`` (its captures need no network).

Starting it takes well under a second on a built root. It never touches the
course's engine: other socket, other namespace, other files.

Commands: ``python -m course engine classic up|down|status`` (course.engine).
Tests take it with the ``classic_engine`` fixture (conftest.py), which starts it
when it is not running and stops it after the tests that asked for it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
from collections.abc import Iterator

from course import provision_engine as pe

SOCKET = pe.RUN / "classic.sock"
DOCKER_HOST = f"unix://{SOCKET}"
CONFIG = pe.RUN / "classic-daemon.json"  # under RUN: its namespace sees RUN at the same path
DAEMON_JSON = {"features": {"containerd-snapshotter": False}, "storage-driver": "overlay2"}
DAEMON = pe.Daemon(
    "classic",
    SOCKET,
    pe.RUN / "classic.pid",
    pe.RUN / "classic.mntns",
    pe.CACHE / "classic-data",
    pe.CACHE / "classic-dockerd.log",
    ("--config-file", str(CONFIG), "--bridge", "none", "--iptables=false", "--ip6tables=false"),
    own_network=True,
)
LOCK = pe.RUN / "classic.lock"
UP_COMMAND = "sudo env PYTHONPATH=scripts python3 -m course engine classic up"


def running() -> bool:
    return pe.ping(SOCKET)


def _empty_data() -> None:
    shutil.rmtree(DAEMON.data, ignore_errors=True)


def start(log=print) -> float:
    """Start the classic engine from the course engine's root; seconds until it answered."""
    info = pe.root_info()
    if not info or info.get("pins") != pe.PINS:
        # Building it here would replace the root under the course's engine while it runs.
        raise pe.ProvisionError(f"the course engine's root is missing or not built with PINS: {pe.UP_COMMAND} first")
    if pe._pid(DAEMON.pidfile) or pe._processes_in_root(DAEMON.nsfile):
        pe.halt(DAEMON, log)
    _empty_data()
    pe.RUN.mkdir(parents=True, exist_ok=True)
    CONFIG.write_text(json.dumps(DAEMON_JSON, indent=2) + "\n", encoding="utf-8")
    return pe.launch(DAEMON, timeout=60)


def stop(log=print) -> bool:
    """Stop it and empty its data-root. False when it was not running."""
    stopped = pe.halt(DAEMON, log)
    _empty_data()
    return stopped


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    pe.RUN.mkdir(parents=True, exist_ok=True)
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@contextlib.contextmanager
def started(log=print) -> Iterator[bool]:
    """The classic engine answers inside the block. Started here (and stopped at its end) when it
    was not running; left as it was when it was. Yields whether this block started it.

    Root only (it runs dockerd); anyone else gets ProvisionError with the command to run."""
    with _locked():
        if running():
            ours = False
        elif os.geteuid() != 0:
            raise pe.ProvisionError(f"the classic-store engine is not running and starting it needs root: {UP_COMMAND}")
        else:
            start(log)
            ours = True
    try:
        yield ours
    finally:
        if ours:
            with _locked():
                stop(log)


# ---- commands (course.engine's `engine classic ...`) -------------------------------


def up() -> int:
    if running():
        print(f"classic-store engine already up: DOCKER_HOST={DOCKER_HOST} (log: {DAEMON.log})")
        return 0
    if os.geteuid() != 0:
        print(f"`engine classic up` needs root (it runs dockerd): {UP_COMMAND}", file=sys.stderr)
        return 1
    try:
        with _locked():
            seconds = start()
    except pe.ProvisionError as exc:
        print(f"engine classic up: {exc}", file=sys.stderr)
        return 1
    print(f"classic-store engine up in {seconds:.1f} s: DOCKER_HOST={DOCKER_HOST}\nlog: {DAEMON.log}")
    return 0


def down() -> int:
    if not pe._pid(DAEMON.pidfile) and not pe._processes_in_root(DAEMON.nsfile):
        print("classic-store engine is not running")
        return 0
    if os.geteuid() != 0:
        print(f"`engine classic down` needs root: {UP_COMMAND.replace(' up', ' down')}", file=sys.stderr)
        return 1
    try:
        with _locked():
            stop()
    except pe.ProvisionError as exc:
        print(f"engine classic down: {exc}", file=sys.stderr)
        return 1
    print("classic-store engine stopped; its data-root is emptied, nothing of it is running or mounted")
    return 0
