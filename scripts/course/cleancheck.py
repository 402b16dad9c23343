"""`make test-clean`: the README's commands on a fresh clone, as a new user would run them.

1. Clone the repository (its committed HEAD) into a throwaway folder.
2. There, with PATH reduced to the system folders: `make serve` until the home page
   answers, then `make test` (the whole suite; `--fast` runs `make test-fast`).
3. Where a Docker engine answers: the same clone in a bare Debian container (built from
   the debootstrap root of the `debian:trixie-slim` stand-in or the pulled image, plus
   the README's prerequisites from Debian's packages, no Chromium): `make serve`, the
   Pages workflow's build steps (`make build`, `make build-offline`) and `make test-fast`.

Prints the figures (seconds, pytest's summary line) and exits non-zero on the first failure.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from course.doctor import ROOT, SYSTEM_DIRS

BARE_IMAGE = "docker-basics-clean-machine:trixie"
# The README's prerequisites, from Debian's packages (no Chromium: builds and `make test-fast` need none).
BARE_DOCKERFILE = """\
FROM debian:trixie-slim
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 python3-venv make git nodejs npm ca-certificates curl \\
 && rm -rf /var/lib/apt/lists/*
"""
# Inside a container this machine's TLS-intercepting certificate is not trusted: hand the
# host's bundle to pip and npm there (absent elsewhere, and then not needed).
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
SUMMARY = re.compile(r"^=+ (.*(passed|failed|error).*) =+$", re.M)


def clean_env() -> dict[str, str]:
    """CI's environment with PATH reduced to the system folders (HOME stays: CI keeps it too)."""
    env = {"PATH": ":".join(SYSTEM_DIRS), "HOME": str(Path.home()), "CI": "true", "LANG": "C.UTF-8", "TERM": "dumb"}
    env["PYTHONUNBUFFERED"] = "1"  # the clone's output shows as it comes, not in blocks
    for name in ("http_proxy", "https_proxy", "no_proxy", "SSL_CERT_FILE", "PIP_CERT", "NODE_EXTRA_CA_CERTS"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_page(url: str, seconds: float, process: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if b"<title>Docker Basics</title>" in response.read():
                    return True
        except OSError:
            time.sleep(1)
    return False


def serve_check(clone: Path, env: dict, log: Path) -> float:
    """Seconds from `make serve` to the first page; RuntimeError when it does not answer."""
    port = free_port()
    start = time.monotonic()
    with open(log, "w") as out:
        server = subprocess.Popen(
            ["make", "serve", f"PORT={port}"], cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            ok = wait_for_page(f"http://127.0.0.1:{port}/", 600, server)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
    if not ok:
        raise RuntimeError(f"make serve did not answer on port {port}; its log: {log}")
    return time.monotonic() - start


def run_logged(command: list[str], cwd: Path, env: dict, log: Path) -> tuple[int, float, str]:
    """(exit code, seconds, pytest summary) of a command whose output goes to `log` and the terminal."""
    start = time.monotonic()
    with open(log, "w") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for line in process.stdout:
            out.write(line)
            sys.stdout.write("  | " + line)
        rc = process.wait()
    found = SUMMARY.findall(log.read_text())
    return rc, time.monotonic() - start, found[-1][0] if found else "no pytest summary"


def in_bare_debian(clone: Path, work: Path) -> list[str]:
    """make serve, make build (no Chromium) and make test-fast in a bare Debian container; the figures."""
    from course import baseimages
    from course.engine import SESSION_LABEL, TEST_LABEL, EngineUnavailable, get_engine

    try:
        engine = get_engine()
    except EngineUnavailable as exc:
        return [f"bare Debian container: not run, no engine answers ({str(exc).splitlines()[0]})"]
    baseimages.ensure(engine, ["debian:trixie-slim"], log=lambda m: print(f"  {m}"))
    context = work / "bare-context"
    context.mkdir(exist_ok=True)
    (context / "Dockerfile").write_text(BARE_DOCKERFILE)
    build = engine.build(context, BARE_IMAGE, labels=[], timeout=1800)
    ca = []
    if CA_BUNDLE.is_file():  # copied: the engine may not see the host's /etc at its own path
        shutil.copy(CA_BUNDLE, work / "host-ca.crt")
        ca = ["-v", f"{work / 'host-ca.crt'}:/etc/ssl/certs/host-ca.crt:ro"]
    ca_env = ["-e", "PIP_CERT=/etc/ssl/certs/host-ca.crt", "-e", "NODE_EXTRA_CA_CERTS=/etc/ssl/certs/host-ca.crt"]
    script = (
        "set -e; git clone -q /clone /home/learner/docker-basics; cd /home/learner/docker-basics; "
        "start=$(date +%s); (make serve PORT=8000 >/tmp/serve.log 2>&1 &); "
        "for _ in $(seq 600); do curl -fs http://127.0.0.1:8000/ | grep -q '<title>Docker Basics</title>' && break; "
        "sleep 1; done; curl -fs http://127.0.0.1:8000/ >/dev/null || { tail -n 20 /tmp/serve.log; exit 1; }; "
        'echo "serve-seconds $(( $(date +%s) - start ))"; pkill -f "mkdocs serve" || true; '
        # The Pages workflow's build steps, with no browser on the machine.
        "! command -v chromium; start=$(date +%s); make build; make build-offline; "
        'echo "build-seconds $(( $(date +%s) - start ))"; '
        'start=$(date +%s); make test-fast; echo "test-fast-seconds $(( $(date +%s) - start ))"'
    )
    labels = ["--label", TEST_LABEL, "--label", SESSION_LABEL]  # clean-ups of other runs leave it alone
    command = [*engine.docker_cmd, "run", "--rm", *labels, "-v", f"{clone}:/clone:ro", *ca, *(ca_env if ca else [])]
    command += ["-e", "CI=true", "--user", "0", BARE_IMAGE, "bash", "-c", script]
    rc, seconds, summary = run_logged(command, work, {**os.environ, **engine.env}, work / "bare-debian.log")
    log = (work / "bare-debian.log").read_text()
    serve = re.search(r"^serve-seconds (\d+)", log, re.M)
    fast = re.search(r"^test-fast-seconds (\d+)", log, re.M)
    built = re.search(r"^build-seconds (\d+)", log, re.M)
    lines = [
        f"bare Debian container ({BARE_IMAGE}, built in {build.seconds:.0f} s): "
        f"make serve first page after {serve[1] if serve else '?'} s; "
        f"make build and make build-offline without Chromium in {built[1] if built else '?'} s; "
        f"make test-fast: {summary} in {fast[1] if fast else '?'} s (exit {rc})"
    ]
    if rc != 0:
        raise RuntimeError(lines[0] + f"; log: {work / 'bare-debian.log'}")
    return lines


def _cmd(args) -> int:
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
    )
    if dirty.stdout.strip():
        print("clean-check: uncommitted changes are not in the clone (it takes the committed HEAD)")
    work = Path(tempfile.mkdtemp(prefix="docker-basics-clean-"))
    clone = work / "docker-basics"
    env = clean_env()
    figures = []
    try:
        start = time.monotonic()
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        figures.append(
            f"make serve on a fresh clone: first page after {serve_check(clone, env, work / 'serve.log'):.0f} s"
        )
        print(figures[-1], flush=True)
        target = "test-fast" if args.fast else "test"
        rc, seconds, summary = run_logged(["make", target], clone, env, work / f"{target}.log")
        figures.append(f"make {target} on the clone (PATH={env['PATH']}): {summary} in {seconds:.0f} s (exit {rc})")
        if rc != 0:
            raise RuntimeError(figures[-1] + f"; log: {work / (target + '.log')}")
        if not args.no_container:
            figures += in_bare_debian(clone, work)
        figures.append(f"clean-check: all done in {time.monotonic() - start:.0f} s (logs in {work})")
        return 0
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        figures.append(f"clean-check FAILED: {exc}")
        return 1
    finally:
        print("\n".join(["", "Figures:", *("  " + f for f in figures)]))


def register(subparsers) -> None:
    p = subparsers.add_parser("clean-check", help="run the README's commands on a fresh clone with system PATH only")
    p.add_argument("--fast", action="store_true", help="make test-fast instead of make test on the clone")
    p.add_argument("--no-container", action="store_true", help="skip the bare Debian container")
    p.set_defaults(func=_cmd)
