"""Find the Docker engine and drive it: builds, containers, clean-up.

Used by the examples harness (conftest.py), the console-block runner and the
base-image stand-ins.  Everything the tests create carries the label
``org.docker-basics.test=1`` (and ``org.docker-basics.session=<id>`` for the
run that created it) so it can be removed afterwards, also after a failure.

The engine: Docker Engine >= 28 with the containerd image store, as a learner
installs it today.  DOCKER_HOST or the default socket when that engine is
current (Docker Desktop, GitHub runners); else the course's own engine
(course.provision_engine, `python -m course engine up`).  The client: a CLI
>= 28 with buildx >= 0.29 and compose v2.  Every command, test and console
block gets the chosen engine through DOCKER_HOST.

Subcommand: ``python -m course engine [up|down|status]``; ``--clean`` removes
everything labelled by any test run.  ``python -m course engine classic
[up|down|status]``: a second engine with the classic image store, beside the
course's, for the captures that show what that store prints (course.classic_engine).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import dataclasses
import fcntl
import functools
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

TEST_LABEL = "org.docker-basics.test=1"
SESSION_LABEL_KEY = "org.docker-basics.session"
# One id per process: clean-up at the end of a run removes only what this run made,
# so two people testing on one engine do not remove each other's containers.
SESSION_ID = os.environ.get("DOCKER_BASICS_SESSION") or uuid.uuid4().hex[:12]
SESSION_LABEL = f"{SESSION_LABEL_KEY}={SESSION_ID}"

# Commands that build or remove images, as typed or as argv joined: they take the engine's
# build lock (Engine.build_lock).
BUILD_LOCKED = re.compile(
    r"\bdocker\s+(?:build|buildx\s+build|image\s+build|rmi|image\s+(?:rm|remove|prune)"
    r"|builder\s+prune|buildx\s+prune|system\s+prune)\b"
    r"|\bdocker\s+compose\b.*\bdown\b.*--rmi\b"
)
# Compose builds on `up`, `build`, `run` and `create` what a service's `build:` says, unless told
# `--no-build` (then `up --wait` does not hold the lock while health checks pass). A file with no
# `build:` builds nothing: takes_build_lock reads the Compose files of the folder it is given.
COMPOSE_MAY_BUILD = re.compile(r"\bdocker\s+compose\b(?!.*\s--no-build\b).*\b(?:up|build|run|create)\b")
# A `build:` key, or what could bring one in from elsewhere (`include:`, `extends:` another file).
COMPOSE_BUILD_KEY = re.compile(r"^[ \t-]*(?:build|include|extends)[ \t]*:", re.M)


def _compose_files_build(folder: Path) -> bool:
    """Whether a YAML file in `folder` or below may make Compose build (unreadable: it may)."""
    for path in [*folder.rglob("*.yaml"), *folder.rglob("*.yml")]:
        try:
            if COMPOSE_BUILD_KEY.search(path.read_text(encoding="utf-8", errors="replace")):
                return True
        except OSError:
            return True
    return False


def takes_build_lock(command: str, cwd: Path | None = None) -> bool:
    """Whether a shell command (or `shlex.join` of a docker argv) builds or removes images.

    A Compose command that may build (`up`, `build`, `run`, `create` without `--no-build`) does,
    unless `cwd` names the folder it runs in (its files as they are before it runs) and neither a
    YAML file there nor the command itself (a file it writes) has a `build:` key."""
    if BUILD_LOCKED.search(command):
        return True
    if not COMPOSE_MAY_BUILD.search(command):
        return False
    return cwd is None or bool(COMPOSE_BUILD_KEY.search(command)) or _compose_files_build(Path(cwd))


# Listings that add up snapshot sizes (`system df`, `image ls`) fail when a container or an
# image goes while they count, and its snapshot with it (containerd also collects snapshots a
# while after a removal, so no lock can cover it): such a listing is run again. Engine 28.5
# words it three ways: an image's snapshot (also one a build or pull beside it is still
# unpacking: `snapshot extract-594742396-QoTs sha256:… does not exist`), a container's
# read-write layer, or an image's content (a blob of an image removed while `docker images -a`
# read it: a page's clean-up listing failed so beside the labs' rounds).
SIZE_LISTING = re.compile(r"\bdocker\s+(?:system\s+df|images|image\s+(?:ls|list))\b")
SNAPSHOT_GONE = re.compile(
    r"NotFound: snapshot .+? does not exist|failed to retrieve container list: rw layer snapshot not found"
    r"|NotFound: content digest sha256:[0-9a-f]+: not found"
)
# Seconds before each try after the first. Run V lost the same snapshot three times in a row
# without a pause, while the other lane's removal of that container was still under way; CI at
# 1ba6ed9 lost one on each of three tries 4 s apart, during a burst of short-lived containers
# (one every 0.6 s for 12 s) in the other lane: the tries now span about 15 s and a listing.
LISTING_PAUSES = (1.0, 2.0, 4.0, 8.0)
LISTING_TRIES = len(LISTING_PAUSES) + 1
R = TypeVar("R")


def lost_a_snapshot(command: str, output: str) -> bool:
    """Whether a command was a size listing that failed because a snapshot went as it counted."""
    return bool(SIZE_LISTING.search(command) and SNAPSHOT_GONE.search(output))


def rerun_if_a_snapshot_went(command: str, run: Callable[[], R], status: Callable[[R], tuple[int | None, str]]) -> R:
    """`run()` for `command`, and again (LISTING_TRIES in all) while `status` of its result,
    (exit status, error output), says it was a size listing that lost a snapshot."""
    result = run()
    for pause in LISTING_PAUSES:
        rc, output = status(result)
        if not (rc and lost_a_snapshot(command, output)):
            break
        time.sleep(pause)
        result = run()
    return result


MIN_ENGINE = 28
MIN_BUILDX = (0, 29)
MIN_COMPOSE = 2
SNAPSHOTTER = "io.containerd.snapshotter.v1"  # driver-type of the containerd image store
DEFAULT_HOST = "unix:///var/run/docker.sock"
UP_HINT = "start the course's engine with `sudo env PYTHONPATH=scripts python3 -m course engine up` (or `make engine`)"

NO_ENGINE_MESSAGE = (
    "No Docker engine answers: "
    + UP_HINT
    + ", or start Docker Desktop 4.x / Docker Engine 28+ with the containerd image store."
)


def report(entry: dict) -> None:
    """Append a JSON line to $DOCKER_BASICS_REPORT (read by `python -m course examples`)."""
    path = os.environ.get("DOCKER_BASICS_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")


class DockerError(RuntimeError):
    """A docker command failed; carries the command and its output."""

    def __init__(self, cmd: Sequence[str], returncode: int | None, output: str):
        self.cmd = list(cmd)
        self.returncode = returncode
        self.output = output
        tail = "\n".join(output.rstrip().splitlines()[-25:])
        what = "timed out" if returncode is None else f"exited {returncode}"
        super().__init__(f"`{' '.join(self.cmd)}` {what}:\n{tail}")


class EngineUnavailable(RuntimeError):
    pass


def _quiet(cmd: Sequence[str], env: dict | None = None, timeout: float = 20) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except (OSError, subprocess.TimeoutExpired):
        return None


def _version(text: str) -> tuple[int, ...]:
    """(28, 5, 2) from "28.5.2+dfsg4", "v2.40.3" or "0.29.1+ds1"; () when there is none."""
    m = re.search(r"(\d+(?:\.\d+)*)", text or "")
    return tuple(int(x) for x in m.group(1).split(".")) if m else ()


@dataclasses.dataclass
class Client:
    """A docker CLI with the buildx and compose plugins, and the environment it needs."""

    path: str
    version: str
    buildx: str
    compose: str
    origin: str  # where it was found
    env: dict[str, str] = dataclasses.field(default_factory=dict)

    def describe(self) -> str:
        return f"{self.path} (CLI {self.version}, buildx {self.buildx}, compose {self.compose}; {self.origin})"


def _probe_client(path: str, env: dict[str, str], origin: str) -> tuple[Client | None, str]:
    """The client when it is current enough, else (None, why not)."""
    full_env = {**os.environ, **env}
    cp = _quiet([path, "--version"], env=full_env)
    if cp is None or cp.returncode != 0:
        return None, f"{path} does not run"
    version = re.search(r"version (\S+?),", cp.stdout)
    version = version.group(1) if version else cp.stdout.strip()
    if _version(version)[:1] < (MIN_ENGINE,):
        return None, f"{path} is CLI {version} (< {MIN_ENGINE})"
    bx = _quiet([path, "buildx", "version"], env=full_env)
    buildx = bx.stdout.split()[1] if bx and bx.returncode == 0 and len(bx.stdout.split()) > 1 else ""
    if _version(buildx)[:2] < MIN_BUILDX:
        return None, f"{path} has no buildx >= {'.'.join(map(str, MIN_BUILDX))} ({buildx or 'none'})"
    co = _quiet([path, "compose", "version", "--short"], env=full_env)
    compose = co.stdout.strip() if co and co.returncode == 0 else ""
    if _version(compose)[:1] < (MIN_COMPOSE,):
        return None, f"{path} has no compose v2 plugin ({compose or 'none'})"
    return Client(path, version, buildx, compose, origin, env), ""


def choose_client() -> Client:
    """A docker CLI >= 28 with buildx >= 0.29 and compose v2.

    The machine's own first (Docker Desktop, GitHub runners), then the course engine root's
    (Debian forky's docker-cli with its plugins, see course.provision_engine).
    """
    from course import provision_engine

    candidates: list[tuple[str, dict, str]] = []
    if os.environ.get("DOCKER_BASICS_CLIENT"):
        candidates.append((os.environ["DOCKER_BASICS_CLIENT"], {}, "DOCKER_BASICS_CLIENT"))
    for path in (shutil.which("docker"), "/usr/local/bin/docker", "/usr/bin/docker"):
        if path and os.path.exists(path):
            candidates.append((path, {}, "on this machine"))
    forky = provision_engine.client_paths()
    if forky:
        env = provision_engine.client_env(forky["plugins"])
        candidates.append((str(forky["docker"]), env, "the course engine's root"))
    tried, seen = [], set()
    for path, env, origin in candidates:
        if os.path.realpath(path) in seen:
            continue
        seen.add(os.path.realpath(path))
        client, why = _probe_client(path, env, origin)
        if client:
            return client
        tried.append(why)
    raise EngineUnavailable(
        f"No docker CLI >= {MIN_ENGINE} with buildx and compose v2 ({'; '.join(tried) or 'none found'}): " + UP_HINT
    )


@dataclasses.dataclass
class Step:
    """One vertex of a BuildKit build, from `--progress=plain`."""

    num: int
    name: str  # e.g. "[prod 3/6] COPY package*.json ./"
    cached: bool = False
    done: bool = False
    error: bool = False
    seconds: float | None = None

    @property
    def instruction(self) -> str:
        """The instruction without the "[stage n/m] " prefix."""
        return re.sub(r"^\[[^\]]*\]\s*", "", self.name)

    @property
    def stage(self) -> str | None:
        m = re.match(r"^\[(?:(\S+) )?\d+/\d+\]", self.name)
        return (m.group(1) or "") if m else None

    @property
    def is_instruction(self) -> bool:
        """True for Dockerfile steps ("[2/4] COPY …"), False for internal vertices."""
        return self.stage is not None


_STEP_START = re.compile(r"^#(\d+) (\[.*)$")
_STEP_STATUS = re.compile(r"^#(\d+) (CACHED|DONE (\d+(?:\.\d+)?)s|ERROR.*|CANCELED)\s*$")


def parse_build_steps(log: str) -> list[Step]:
    """Parse BuildKit plain progress output into steps (in order of appearance)."""
    steps: dict[int, Step] = {}
    for line in log.splitlines():
        m = _STEP_START.match(line)
        if m:
            num = int(m.group(1))
            if num not in steps:
                steps[num] = Step(num, m.group(2).strip())
            continue
        m = _STEP_STATUS.match(line)
        if m and int(m.group(1)) in steps:
            st = steps[int(m.group(1))]
            status = m.group(2)
            if status == "CACHED":
                st.cached = True
            elif status.startswith("DONE"):
                st.done = True
                st.seconds = float(m.group(3))
            elif status.startswith("ERROR"):
                st.error = True
    return list(steps.values())


@dataclasses.dataclass
class BuildResult:
    tag: str
    log: str
    ok: bool
    seconds: float
    steps: list[Step]
    command: list[str]

    @property
    def instruction_steps(self) -> list[Step]:
        return [s for s in self.steps if s.is_instruction]

    @property
    def cached(self) -> list[str]:
        """Names of Dockerfile steps that BuildKit took from the cache (FROM steps left out)."""
        return [s.name for s in self.instruction_steps if s.cached and not s.instruction.startswith("FROM ")]

    @property
    def rebuilt(self) -> list[str]:
        """Names of Dockerfile steps that ran (FROM steps, which only resolve, are left out)."""
        return [s.name for s in self.instruction_steps if not s.cached and not s.instruction.startswith("FROM ")]

    def was_cached(self, fragment: str) -> bool:
        """True if a step whose name contains `fragment` was CACHED (and none such rebuilt)."""
        hits = [s for s in self.instruction_steps if fragment in s.name]
        return bool(hits) and all(s.cached for s in hits)

    def log_tail(self, n: int = 30) -> str:
        return "\n".join(self.log.rstrip().splitlines()[-n:])


class Engine:
    """A docker client talking to an engine that answers."""

    def __init__(self, client: Client, server: Server):
        self.client = client
        self.server = server
        self.server_version = server.version
        self.env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_BUILDKIT", "DOCKER_CONTEXT")}
        self.env.update(client.env)
        self.env["DOCKER_HOST"] = server.host
        self.env["DOCKER_CLI_HINTS"] = "false"
        self._wrapper_dir: Path | None = None
        self._held = threading.local()  # how deep this thread holds the build lock

    # ---- plain commands -------------------------------------------------
    @property
    def docker_cmd(self) -> list[str]:
        return [self.client.path]

    def describe(self) -> str:
        return f"engine {self.server.describe()}; client {self.client.describe()}"

    def run_cmd(
        self, *args: str, timeout: float = 120, check: bool = True, input: str | None = None
    ) -> subprocess.CompletedProcess:
        """Run `docker ARGS`; stdout and stderr captured separately; DockerError on failure."""
        cmd = self.docker_cmd + [str(a) for a in args]
        try:
            joined = shlex.join(cmd)
            with self.build_lock() if takes_build_lock(joined) else contextlib.nullcontext():
                cp = rerun_if_a_snapshot_went(
                    joined,
                    functools.partial(
                        subprocess.run, cmd, capture_output=True, text=True, timeout=timeout, env=self.env, input=input
                    ),
                    lambda cp: (cp.returncode, cp.stderr),
                )
        except subprocess.TimeoutExpired as exc:
            out = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            raise DockerError(cmd, None, out) from None
        if check and cp.returncode != 0:
            raise DockerError(cmd, cp.returncode, cp.stdout + cp.stderr)
        return cp

    def out(self, *args: str, timeout: float = 120) -> str:
        """stdout of `docker ARGS`, stripped."""
        return self.run_cmd(*args, timeout=timeout).stdout.strip()

    def wrapper_dir(self) -> Path:
        """A directory holding a `docker` script that runs the chosen client against the chosen engine.

        Put it first on PATH so shell commands (console blocks) use the same client.
        """
        if self._wrapper_dir is None:
            import atexit
            import tempfile

            d = Path(tempfile.mkdtemp(prefix="docker-basics-bin-"))
            atexit.register(shutil.rmtree, d, True)
            script = d / "docker"
            exports = {"DOCKER_HOST": self.server.host, **self.client.env}
            lines = "".join(f"export {k}='{v}'\n" for k, v in exports.items())
            script.write_text(f'#!/bin/sh\n{lines}exec {self.client.path} "$@"\n')
            script.chmod(0o755)
            self._wrapper_dir = d
        return self._wrapper_dir

    # ---- images -----------------------------------------------------------
    def image_exists(self, ref: str) -> bool:
        return self.run_cmd("image", "inspect", ref, check=False, timeout=30).returncode == 0

    def image_size(self, ref: str) -> int:
        return int(self.out("image", "inspect", "--format", "{{.Size}}", ref))

    def inspect(self, ref: str) -> dict:
        return json.loads(self.out("inspect", ref))[0]

    def history(self, ref: str) -> list[dict]:
        """`docker history` rows (newest first) with CreatedBy, Size (bytes), Comment."""
        raw = self.out("history", "--no-trunc", "--human=false", "--format", "{{json .}}", ref)
        rows = [json.loads(line) for line in raw.splitlines() if line.strip()]
        for r in rows:
            try:
                r["SizeBytes"] = int(r.get("Size", "0"))
            except ValueError:
                r["SizeBytes"] = -1
        return rows

    def pull(self, ref: str, timeout: float = 60) -> bool:
        return self.run_cmd("pull", ref, check=False, timeout=timeout).returncode == 0

    def lock_path(self, kind: str) -> Path:
        """A lock file of this engine (whichever link to its socket was used), for `kind`."""
        host = self.server.host
        if host.startswith("unix://"):
            host = "unix://" + os.path.realpath(host[len("unix://") :])
        key = hashlib.sha256(host.encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"docker-basics-{kind}-{key}.lock"

    @contextlib.contextmanager
    def build_lock(self) -> Iterator[None]:
        """One build or image removal at a time on this engine, across test processes.

        BuildKit runs a step that two builds running at once have in common (the same
        instruction after the same steps) only once, and names it as the build that started
        it: `[1/3] FROM …` in the log of a four-step build, which would fail its transcript.
        And an image removed while a build unpacks a layer it shares can take the snapshot
        the build stands on (`parent snapshot … does not exist`). A thread that holds the
        lock may take it again (a removal inside a build's clean-up)."""
        depth = getattr(self._held, "depth", 0)
        with contextlib.ExitStack() as stack:
            if not depth:
                lock = stack.enter_context(open(self.lock_path("build"), "w"))
                fcntl.flock(lock, fcntl.LOCK_EX)
            self._held.depth = depth + 1
            try:
                yield
            finally:
                self._held.depth = depth

    def build(
        self,
        context: str | os.PathLike,
        tag: str,
        *,
        target: str | None = None,
        dockerfile: str | os.PathLike | None = None,
        build_args: dict | None = None,
        labels: Iterable[str] = (TEST_LABEL, SESSION_LABEL),
        no_cache: bool = False,
        secrets: dict | None = None,
        timeout: float = 900,
        check: bool = True,
    ) -> BuildResult:
        """`docker build --progress=plain` (BuildKit, through buildx); returns the log and the steps.

        `secrets` maps BuildKit secret ids to files (`--secret id=ID,src=FILE`).
        With check=True a failed build raises DockerError (the log tail in its message).
        """
        # `docker build` is buildx's build, as a learner types it.
        args = ["build", "--progress=plain", "-t", tag]
        if target:
            args += ["--target", target]
        if dockerfile:
            args += ["-f", str(dockerfile)]
        for k, v in (build_args or {}).items():
            args += ["--build-arg", f"{k}={v}"]
        for label in labels:
            args += ["--label", label]
        for secret_id, source in (secrets or {}).items():
            args += ["--secret", f"id={secret_id},src={source}"]
        if no_cache:
            args.append("--no-cache")
        args.append(str(context))
        cmd = self.docker_cmd + args
        start = time.monotonic()
        try:
            with self.build_lock():
                cp = subprocess.run(
                    cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout, env=self.env
                )
            log, rc = cp.stdout, cp.returncode
        except subprocess.TimeoutExpired as exc:
            log = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            rc = None
        seconds = time.monotonic() - start
        result = BuildResult(tag, log, rc == 0, seconds, parse_build_steps(log), cmd)
        if check and rc != 0:
            raise DockerError(cmd, rc, log)
        return result

    # ---- containers ---------------------------------------------------------
    def run_container(
        self,
        image: str,
        command: Sequence[str] = (),
        *,
        name: str | None = None,
        ports: Sequence[int] = (),
        env: dict | None = None,
        user: str | None = None,
        volumes: Sequence[str] = (),
        options: Sequence[str] = (),
        detach: bool = True,
        timeout: float = 120,
    ) -> Container | subprocess.CompletedProcess:
        """`docker run` with the test labels.

        detach=True: returns a Container (ports published on 127.0.0.1, random host ports).
        detach=False: runs with --rm to completion and returns the CompletedProcess.
        """
        args = ["run", "--label", TEST_LABEL, "--label", SESSION_LABEL]
        if name:
            args += ["--name", name]
        for p in ports:
            args += ["-p", f"127.0.0.1::{p}"]
        for k, v in (env or {}).items():
            args += ["-e", f"{k}={v}"]
        if user:
            args += ["--user", user]
        for v in volumes:
            args += ["-v", v]
        args += list(options)
        if detach:
            args.append("-d")
        else:
            args.append("--rm")
        args.append(image)
        args += list(command)
        report({"event": "run", "image": image, "detach": detach})
        if not detach:
            return self.run_cmd(*args, timeout=timeout, check=False)
        cid = self.out(*args, timeout=timeout)
        return Container(self, cid, image)

    def remove_labelled(self, label: str = SESSION_LABEL) -> list[str]:
        """Remove containers, volumes, networks and images carrying `label`. Returns what was removed."""
        removed: list[str] = []
        cids = self.run_cmd("ps", "-aq", "--filter", f"label={label}", check=False).stdout.split()
        if cids:
            self.run_cmd("rm", "-f", "-v", *cids, check=False, timeout=120)
            removed += [f"container {c}" for c in cids]
        volumes = self.run_cmd("volume", "ls", "-q", "--filter", f"label={label}", check=False).stdout.split()
        if volumes:
            self.run_cmd("volume", "rm", "-f", *volumes, check=False)
            removed += [f"volume {v}" for v in volumes]
        nets = self.run_cmd("network", "ls", "-q", "--filter", f"label={label}", check=False).stdout.split()
        if nets:
            self.run_cmd("network", "rm", *nets, check=False)
            removed += [f"network {n}" for n in nets]
        imgs = self.run_cmd("images", "-q", "--filter", f"label={label}", check=False).stdout.split()
        if imgs:
            self.run_cmd("rmi", "-f", *sorted(set(imgs)), check=False, timeout=120)
            removed += [f"image {i}" for i in sorted(set(imgs))]
        return removed

    def hold_session(self) -> None:
        """Hold this process's session lock on this engine until the process ends (its file
        goes then too): remove_abandoned_sessions leaves a session alone while its lock is held."""
        if getattr(self, "_session_lock", None):
            return
        path = self.lock_path(f"session-{SESSION_ID}")
        self._session_lock = open(path, "w")  # noqa: SIM115 - held while the process lives
        fcntl.flock(self._session_lock, fcntl.LOCK_EX)
        atexit.register(path.unlink, missing_ok=True)

    def labelled_sessions(self) -> set[str]:
        """The sessions that have test-labelled containers, volumes, networks or images here."""
        label = f'{{{{.Label "{SESSION_LABEL_KEY}"}}}}'
        sessions: set[str] = set()
        for listing in (("container", "ls", "--all"), ("volume", "ls"), ("network", "ls")):
            found = self.run_cmd(*listing, "--filter", f"label={TEST_LABEL}", "--format", label, check=False)
            sessions.update(found.stdout.split())
        images = self.run_cmd("images", "-q", "--filter", f"label={TEST_LABEL}", check=False).stdout.split()
        if images:
            labels = f'{{{{index .Config.Labels "{SESSION_LABEL_KEY}"}}}}'
            inspected = self.run_cmd("image", "inspect", "--format", labels, *sorted(set(images)), check=False)
            sessions.update(inspected.stdout.split())
        return sessions

    def remove_abandoned_sessions(self) -> list[str]:
        """Remove what test sessions left on this engine that no process runs any more (a run
        that was killed never cleans up; its leftovers slow every listing after it). A running
        session holds its lock (hold_session), so a session whose lock is free is over."""
        removed: list[str] = []
        for session in sorted(self.labelled_sessions() - {SESSION_ID}):
            path = self.lock_path(f"session-{session}")
            with open(path, "w") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # still running
                removed += self.remove_labelled(f"{SESSION_LABEL_KEY}={session}")
                path.unlink(missing_ok=True)
        return removed

    # ---- snapshots (for console blocks, which create things without labels) -
    def snapshot(self) -> dict[str, set[str]]:
        """Ids of every container, image, network and volume, and every image tag (the four
        listings run at once: each docker command takes a good part of a second under load).
        A listing that fails raises DockerError: taken as empty, it would make everything
        listed later look new to remove_since."""
        listings = {
            "containers": ("ps", "-aq", "--no-trunc"),
            "images": ("images", "-a", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}"),
            "networks": ("network", "ls", "-q", "--no-trunc"),
            "volumes": ("volume", "ls", "-q"),
        }
        with ThreadPoolExecutor(len(listings)) as pool:
            runs = pool.map(lambda args: self.run_cmd(*args).stdout, listings.values())
            outputs = dict(zip(listings, runs, strict=True))
        images = [line.split(" ", 1) for line in outputs.pop("images").splitlines() if " " in line]
        found = {kind: set(out.split()) for kind, out in outputs.items()}
        found["images"] = {image for image, _ in images}
        found["tags"] = {tag for _, tag in images if "<none>" not in tag}
        return found

    def remove_since(self, before: dict[str, set[str]], after: dict[str, set[str]] | None = None) -> list[str]:
        """Remove containers, networks, volumes, tags and images that appeared after `before`
        (and are in `after`, a snapshot taken now if not given)."""
        after = after or self.snapshot()
        removed = []
        new = after["containers"] - before["containers"]
        if new:
            self.run_cmd("rm", "-f", "-v", *new, check=False, timeout=120)
            removed += [f"container {c[:12]}" for c in new]
        new = after["networks"] - before["networks"]
        if new:
            self.run_cmd("network", "rm", *new, check=False)
            removed += [f"network {n[:12]}" for n in new]
        new = after["volumes"] - before["volumes"]
        if new:
            self.run_cmd("volume", "rm", "-f", *new, check=False)
            removed += [f"volume {v}" for v in new]
        new_tags = after["tags"] - before["tags"]
        if new_tags:
            self.run_cmd("rmi", *new_tags, check=False, timeout=120)
            removed += [f"tag {t}" for t in new_tags]
        new = after["images"] - before["images"]  # untagged above, or never tagged
        if new:
            self.run_cmd("rmi", "-f", *new, check=False, timeout=120)
            removed += [f"image {i[7:19]}" for i in new]
        return removed


class Container:
    """A running (or stopped) container started by Engine.run_container."""

    def __init__(self, engine: Engine, cid: str, image: str):
        self.engine = engine
        self.id = cid
        self.image = image

    def __repr__(self) -> str:
        return f"Container({self.id[:12]}, {self.image})"

    def inspect(self) -> dict:
        return self.engine.inspect(self.id)

    @property
    def status(self) -> str:
        return self.inspect()["State"]["Status"]

    def host_port(self, container_port: int) -> int:
        out = self.engine.out("port", self.id, f"{container_port}/tcp")
        # "127.0.0.1:49153" (one line per binding)
        return int(out.splitlines()[0].rsplit(":", 1)[1])

    def url(self, path: str = "/", port: int = 3000) -> str:
        return f"http://127.0.0.1:{self.host_port(port)}{path}"

    def http(
        self,
        method: str,
        path: str,
        body: bytes | str | dict | None = None,
        *,
        port: int = 3000,
        headers: dict | None = None,
        timeout: float = 30,
    ) -> tuple[int, dict, bytes]:
        """Send one HTTP request to the published port. Returns (status, headers, body); 4xx/5xx too.

        The timeout is generous because test machines are busy: an answer that merely comes late
        is no failure, and a server that does not answer still fails, only later."""
        data = body
        hdrs = dict(headers or {})
        if isinstance(body, dict):
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            data = body.encode()
        req = urllib.request.Request(self.url(path, port), data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def json(self, method: str, path: str, body=None, **kw) -> tuple[int, object]:
        status, _, raw = self.http(method, path, body, **kw)
        try:
            return status, json.loads(raw or b"null")
        except ValueError:
            return status, raw.decode(errors="replace")

    def exec(
        self, *cmd: str, user: str | None = None, check: bool = True, timeout: float = 60
    ) -> subprocess.CompletedProcess:
        args = ["exec"]
        if user:
            args += ["--user", user]
        return self.engine.run_cmd(*args, self.id, *cmd, check=check, timeout=timeout)

    def logs(self) -> str:
        cp = self.engine.run_cmd("logs", self.id, check=False)
        return cp.stdout + cp.stderr

    def wait_healthy(self, timeout: float = 60) -> None:
        """Wait until HEALTHCHECK reports healthy (DockerError with logs if unhealthy/exited)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.inspect()["State"]
            health = (state.get("Health") or {}).get("Status")
            if health == "healthy":
                return
            if not state.get("Running") or health == "unhealthy":
                break
            time.sleep(0.3)
        raise DockerError(
            ["wait-healthy", self.id[:12]], -1, f"not healthy: {self.inspect()['State']}\n--- logs ---\n{self.logs()}"
        )

    def wait_port(self, port: int = 3000, path: str = "/", timeout: float = 30) -> None:
        """Wait until an HTTP request to the published `port` gets any answer."""
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if not self.inspect()["State"].get("Running"):
                break
            try:
                self.http("GET", path, port=port, timeout=2)
                return
            except (OSError, ValueError) as exc:  # refused, reset, not yet listening
                last = repr(exc)
            time.sleep(0.3)
        raise DockerError(
            ["wait-port", self.id[:12], str(port)],
            -1,
            f"port {port} did not answer ({last})\n--- logs ---\n{self.logs()}",
        )

    def has_healthcheck(self) -> bool:
        return bool((self.inspect().get("Config") or {}).get("Healthcheck"))

    def stop(self, timeout: int = 10) -> tuple[int, float]:
        """`docker stop` it; returns (exit code, seconds the stop took)."""
        start = time.monotonic()
        self.engine.run_cmd("stop", "-t", str(timeout), self.id, timeout=timeout + 60)
        seconds = time.monotonic() - start
        return self.exit_code(), seconds

    def wait(self, timeout: float = 60) -> int:
        """Wait for it to exit by itself; returns the exit code."""
        return int(self.engine.out("wait", self.id, timeout=timeout))

    def exit_code(self) -> int:
        return int(self.inspect()["State"]["ExitCode"])

    def remove(self) -> None:
        self.engine.run_cmd("rm", "-f", "-v", self.id, check=False, timeout=60)


@dataclasses.dataclass
class Server:
    """An engine that answered: where, what, and why it was chosen."""

    host: str
    version: str
    api: str
    driver: str
    snapshotter: str
    origin: str

    @property
    def current(self) -> bool:
        return _version(self.version)[:1] >= (MIN_ENGINE,) and self.snapshotter == SNAPSHOTTER

    def describe(self) -> str:
        store = f"{self.driver}, {self.snapshotter or 'graph driver'}"
        return f"{self.version} (API {self.api}, {store}) at {self.host}: {self.origin}"


def _probe_server(client: Client, host: str, origin: str) -> Server | None:
    env = {**os.environ, **client.env, "DOCKER_HOST": host}
    env.pop("DOCKER_CONTEXT", None)
    fmt = "{{json .Server}}"
    cp = _quiet([client.path, "version", "--format", fmt], env=env, timeout=20)
    if cp is None or cp.returncode != 0 or not cp.stdout.strip().startswith("{"):
        return None
    server = json.loads(cp.stdout)
    info = _quiet([client.path, "info", "--format", "{{json .}}"], env=env, timeout=30)
    info = json.loads(info.stdout) if info and info.returncode == 0 else {}
    status = dict((k, v) for k, v in (info.get("DriverStatus") or []))
    return Server(
        host,
        server.get("Version", "?"),
        server.get("ApiVersion", "?"),
        info.get("Driver", "?"),
        status.get("driver-type", ""),
        origin,
    )


def _candidate_hosts() -> list[tuple[str, str]]:
    from course import provision_engine

    root, log = provision_engine.ROOT_DIR, provision_engine.LOG
    course = f"the course's engine (Debian {provision_engine.SUITE} root {root}, log {log})"
    default = DEFAULT_HOST[len("unix://") :]
    hosts = []
    if os.environ.get("DOCKER_HOST"):
        hosts.append((os.environ["DOCKER_HOST"], "DOCKER_HOST"))
    elif os.path.exists(default):
        # `engine up` links the default socket to the course's engine when it is free.
        ours = os.path.realpath(default) == str(provision_engine.SOCKET)
        hosts.append((DEFAULT_HOST, f"the default socket, linked to {course}" if ours else "the default socket"))
    if provision_engine.SOCKET.exists() and os.path.realpath(default) != str(provision_engine.SOCKET):
        hosts.append((provision_engine.DOCKER_HOST, course))
    return hosts


_ENGINE: Engine | None = None


def get_engine() -> Engine:
    """The engine the course uses (cached); EngineUnavailable with a one-line reason otherwise.

    DOCKER_HOST or the default socket when it is Engine >= 28 with the containerd image store
    (Docker Desktop, GitHub runners); else the course's own engine (`python -m course engine up`).
    """
    global _ENGINE
    if _ENGINE is not None:
        return _ENGINE
    client = choose_client()
    too_old = []
    for host, origin in _candidate_hosts():
        server = _probe_server(client, host, origin)
        if server and server.current:
            _ENGINE = Engine(client, server)
            _ENGINE.hold_session()
            return _ENGINE
        if server:
            too_old.append(server)
    if too_old:
        old = too_old[0]
        why = (
            f"older than {MIN_ENGINE}"
            if _version(old.version)[:1] < (MIN_ENGINE,)
            else "not using the containerd image store"
        )
        raise EngineUnavailable(f"Docker Engine {old.version} at {old.host} ({old.origin}) is {why}: {UP_HINT}.")
    raise EngineUnavailable(NO_ENGINE_MESSAGE)


def describe_choice() -> list[tuple[str, str, str]]:
    """(part, version, where found and why) for the engine and client the course uses, for `make doctor`.

    Raises EngineUnavailable (one-line reason) when there is none.
    """
    eng = get_engine()
    s, c = eng.server, eng.client
    return [
        (
            "Docker Engine",
            f"{s.version} (API {s.api})",
            f"{s.host}: {s.origin}; chosen as the first engine >= {MIN_ENGINE} with the containerd image store",
        ),
        (
            "image store",
            f"{s.driver} ({s.snapshotter})",
            "containerd image store" if s.snapshotter == SNAPSHOTTER else "graph driver",
        ),
        ("docker CLI", c.version, f"{c.path} ({c.origin})"),
        ("docker buildx", c.buildx, f"plugin of {c.path}"),
        ("docker compose", c.compose, f"plugin of {c.path}"),
    ]


def classic_engine() -> Engine:
    """The classic-store engine (course.classic_engine), driven by the course engine root's own
    CLI and plugins: the daemon and the client of its recordings come from one Debian root.
    EngineUnavailable when it does not answer."""
    from course import classic_engine as classic
    from course import provision_engine

    paths = provision_engine.client_paths()
    if paths is None:
        raise EngineUnavailable(f"the course engine's root is not built: {UP_HINT}")
    client, why = _probe_client(
        str(paths["docker"]), provision_engine.client_env(paths["plugins"]), "the course engine's root"
    )
    if client is None:
        raise EngineUnavailable(why)
    server = _probe_server(client, classic.DOCKER_HOST, f"the classic-store engine (log {classic.DAEMON.log})")
    if server is None:
        raise EngineUnavailable(f"no classic-store engine answers at {classic.DOCKER_HOST}: {classic.UP_COMMAND}")
    if server.snapshotter == SNAPSHOTTER:
        raise EngineUnavailable(f"{classic.DOCKER_HOST} answers with the containerd image store, not the classic one")
    return Engine(client, server)


def _classic(action: str) -> int:
    from course import classic_engine as classic

    if action == "up":
        return classic.up()
    if action == "down":
        return classic.down()
    try:
        eng = classic_engine()
    except EngineUnavailable as exc:
        print(f"classic-store engine down: {exc}", file=sys.stderr)
        return 1
    s = eng.server
    print(f"Docker Engine  {s.version} (API {s.api})  {s.host}: {s.origin}")
    print(f"image store    {s.driver} (classic: graph driver, containerd-snapshotter off)")
    print(f"docker CLI     {eng.client.version}  {eng.client.path} (buildx {eng.client.buildx})")
    return 0


def short_size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f}{unit}" if unit == "B" else f"{n:.1f}{unit}"
        n /= 1000
    return str(n)


def _status() -> int:
    from course import provision_engine

    try:
        rows = describe_choice()
    except EngineUnavailable as exc:
        print(f"engine down: {exc}", file=sys.stderr)
        return 1
    width = max(len(r[0]) for r in rows)
    for part, version, where in rows:
        print(f"{part:<{width}}  {version:<28}  {where}")
    host = get_engine().server.host
    if provision_engine.is_course_engine(host):
        info = provision_engine.root_info() or {}
        print(f"{'built':<{width}}  {info.get('built', '?'):<28}  Debian {info.get('suite')} from {info.get('mirror')}")
        print(f"{'log':<{width}}  {'':<28}  {provision_engine.LOG}")
    return 0


def _cmd_engine(args) -> int:
    from course import provision_engine

    if args.action == "classic":
        return _classic(args.classic_action or "status")
    if args.classic_action:
        print(f"engine {args.action} {args.classic_action}: did you mean `engine classic {args.classic_action}`?")
        return 2
    if args.action == "up":
        return provision_engine.up()
    if args.action == "down":
        return provision_engine.down()
    if args.clean:
        try:
            eng = get_engine()
        except EngineUnavailable as exc:
            print(exc, file=sys.stderr)
            return 2
        removed = eng.remove_labelled(TEST_LABEL)
        print(f"removed {len(removed)} labelled object(s)" + "".join(f"\n  {r}" for r in removed))
        return 0
    return _status()


def register(subparsers) -> None:
    p = subparsers.add_parser("engine", help="the Docker engine the course uses: up, down, status (default)")
    p.add_argument(
        "action",
        nargs="?",
        choices=["up", "down", "status", "classic"],
        default="status",
        help="up: build the course's engine once and start it (root); down: stop it; "
        "status (default): the engine, client and plugins the course uses, and why; "
        "classic [up|down|status]: the second engine, with the classic image store (root)",
    )
    p.add_argument("classic_action", nargs="?", choices=["up", "down", "status"], help=argparse.SUPPRESS)
    p.add_argument("--clean", action="store_true", help=f"remove all containers/images/networks labelled {TEST_LABEL}")
    p.set_defaults(func=_cmd_engine)


def engine_or_exit() -> Engine:
    """The engine for a command-line helper: print which one, or exit 2 with the reason."""
    try:
        engine = get_engine()
    except EngineUnavailable as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
    print(f"Docker: {engine.describe()}", flush=True)
    return engine
