"""What `make test` needs on this machine, where each part comes from, and setting it up.

``python -m course doctor`` prints every part the tests and gates use: its
version and the file that was found.  ``--setup`` (run first by ``make test``)
installs the missing system parts from Debian's packages and starts the
course's Docker engine when the user is root; any other user gets one message
with the exact commands, and nothing is left half-done.

Only three places count, so that nothing installed by hand elsewhere on a
machine can make the tests pass:

* the project's own environment: ``.venv/bin`` (requirements.txt) and
  ``node_modules/.bin`` (package-lock.json);
* the system folders (``/usr/sbin:/usr/bin:/sbin:/bin``), for the Debian
  packages named in SYSTEM (installed by ``--setup``) and PREREQUISITES (the
  README's: present before ``make`` runs);
* the Docker engine chosen by ``course.engine``.

It also says whether Debian's suites hold newer engine packages than the
ones the course records with (course.debian_updates: read at most once a
day, "could not check" when offline); ``--debian`` checks only that, now.

This module uses only the standard library: ``make test`` runs it with the
system's ``python3`` before ``.venv`` exists.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT_BIN = (ROOT / ".venv" / "bin", ROOT / "node_modules" / ".bin")
SYSTEM_DIRS = ("/usr/sbin", "/usr/bin", "/sbin", "/bin")


@dataclass(frozen=True)
class Part:
    name: str  # the executable
    used_for: str
    package: str = ""  # Debian package ("" = from the project's environment)
    version_args: tuple[str, ...] = ("--version",)


# The README's prerequisites: `make` itself needs them before anything runs.
PREREQUISITES = (
    Part("python3", "the helpers and .venv", "python3"),
    Part("make", "the targets", "make"),
    Part("git", "the clean-clone check, .gitattributes tests", "git"),
    Part("node", "npm packages (Mermaid, axe-core, Lighthouse)", "nodejs"),
    Part("npm", "package-lock.json", "npm"),
)
# Installed by `--setup` from Debian's packages when they are missing.
SYSTEM = (
    Part("chromium", "browser tests, PDF, drawing diagrams (make diagrams)", "chromium"),
    Part("firefox-esr", "browser tests in Firefox (tests/test_firefox.py, over WebDriver BiDi)", "firefox-esr"),
    Part("pdftoppm", "PDF tests", "poppler-utils", ("-v",)),
    Part("pdfinfo", "PDF tests", "poppler-utils", ("-v",)),
    Part("pdftotext", "PDF tests", "poppler-utils", ("-v",)),
    Part("debootstrap", "the course engine's root, base-image stand-ins", "debootstrap"),
    Part("curl", "commands on the pages", "curl"),
    Part("file", "troubleshooting transcripts (what a binary or script is)", "file"),
    Part("ip", "the classic-store engine's own network namespace, the Podman capture's", "iproute2", ("-V",)),
)
# Installed only by the helper that needs them, when asked (`python -m course podman --install`):
# the tests never run them, so a missing one is no problem.
ON_REQUEST = (Part("podman", "capturing Podman's output (python -m course podman --install)", "podman"),)
# From requirements.txt (.venv/bin) or package-lock.json (node_modules/.bin).
PROJECT = (
    Part("pytest", "the test runner"),
    Part("mkdocs", "the site"),
    Part("playwright", "driving Chromium"),
    Part("pymarkdown", "Markdown gate", version_args=("version",)),
    Part("codespell", "spelling gate"),
    Part("hadolint", "Dockerfile gate"),
    Part("shellcheck", "shell gate"),
    Part("ruff", "Python gate"),
    Part("lint-imports", "import layers gate (.importlinter)"),
    Part("check-jsonschema", "workflow gate"),
    Part("zizmor", "workflow gate"),
    Part("linkchecker", "link gate"),
    Part("pre-commit", "git hooks"),
)
PARTS = {p.name: p for p in PREREQUISITES + SYSTEM + ON_REQUEST + PROJECT}


class Missing(RuntimeError):
    """A part the tests need is not where the project takes it from."""


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def locate(name: str) -> Path | None:
    """The file that the project uses for `name`, or None: never a copy installed by hand elsewhere."""
    part = PARTS.get(name)
    # GitHub's runners bring Chrome and Firefox, not Debian's chromium and firefox-esr.
    override = {"chromium": "CHROMIUM_PATH", "firefox-esr": "FIREFOX_PATH"}.get(name)
    if override and os.environ.get(override):
        path = Path(os.environ[override])
        return path if _executable(path) else None
    if part is None or not part.package:
        folders = PROJECT_BIN
    else:
        folders = tuple(Path(d) for d in SYSTEM_DIRS)
    return next((folder / name for folder in folders if _executable(folder / name)), None)


def tool(name: str) -> str:
    """Path of a tool the project runs; Missing (with the fix) when it is not where it belongs."""
    found = locate(name)
    if found:
        return str(found)
    part = PARTS.get(name)
    if part is None:
        raise Missing(f"{name}: not a declared part of the project (add it to course/doctor.py)")
    if part.package:
        raise Missing(f"{name} is missing ({part.used_for}): run `make test` as root, or {install_line([part])}")
    raise Missing(f"{name} is missing from .venv/bin or node_modules/.bin ({part.used_for}): run `make deps`")


def install_line(parts) -> str:
    packages = sorted({p.package for p in parts})
    return "sudo apt-get install --no-install-recommends " + " ".join(packages)


def version(path: Path, part: Part) -> str:
    try:
        cp = subprocess.run([str(path), *part.version_args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"does not run: {exc}"
    found = re.search(r"\d+(?:\.\d+)+[^\s,]*", cp.stdout + cp.stderr)
    return found[0] if found else f"exit {cp.returncode}, no version printed"


def missing_system() -> list[Part]:
    return [p for p in SYSTEM if locate(p.name) is None]


def _engine_state() -> tuple[list[tuple[str, str, str]], str, bool]:
    """(rows of part, version, where; the reason when there is none; usable) for the Docker engine."""
    from course import engine

    try:
        return engine.describe_choice(), "", True
    except engine.EngineUnavailable as exc:
        return [], str(exc).splitlines()[0], False


def report() -> int:
    """Print every part; 0 when all are there."""
    rows, problems = [], 0
    groups = (("prerequisite", PREREQUISITES), ("system", SYSTEM), ("on-request", ON_REQUEST), ("project", PROJECT))
    for group, parts in groups:
        for part in parts:
            path = locate(part.name)
            if path is None:
                problems += group != "on-request"
                rows.append((group, part.name, "MISSING", part.package or "make deps", part.used_for))
            else:
                rows.append((group, part.name, version(path, part), str(path), part.used_for))
    engine_rows, why, usable = _engine_state()
    problems += not usable
    rows += [("engine", part, ver, where, "") for part, ver, where in engine_rows]
    rows += [] if usable else [("engine", "docker", "MISSING", "-", why)]
    widths = [max(len(r[i]) for r in rows if r[0] != "engine" or i < 3) for i in range(4)]
    print("doctor: what the tests use (part, version, where it was found, what for)")
    for row in rows:
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True)) + "  " + row[4])
    print(f"doctor: {'all parts found' if not problems else f'{problems} part(s) missing'}")
    print(f"doctor: {debian_line()}")
    return 1 if problems else 0


def debian_line() -> str:
    """Whether Debian's suites hold newer engine packages than the course's pins (course.debian_updates):
    read at most once a day, never a failure. In CI the weekly workflow asks instead (doctor --debian)."""
    if os.environ.get("CI"):
        return "Debian: not checked in CI (the weekly workflow runs `python -m course doctor --debian`)"
    from course import debian_updates

    if os.environ.get("DOCKER_BASICS_DEBIAN_CHECK") == "off":  # the tests: no network
        answer = debian_updates.load(debian_updates.CACHE_FILE)
        return "Debian: not checked (DOCKER_BASICS_DEBIAN_CHECK=off)" + (
            f"; the last answer: {answer.line()}" if answer and answer.checked else ""
        )
    return debian_updates.check().line()


def debian_report() -> int:
    """`doctor --debian`: check now; 1 when a suite holds something newer than the pins, 2 when it
    could not check, 0 when the pins are the newest."""
    from course import debian_updates

    answer = debian_updates.check(force=True)
    print(answer.line())
    return debian_updates.exit_status(answer)


def setup() -> int:
    """Install what is missing (root) or print the one message that says how (anyone else)."""
    missing = missing_system()
    _, why, usable = _engine_state()
    if not missing and usable:
        return _keep_own_engine_current()
    if os.geteuid() != 0:
        lines = ["make test cannot start: this machine lacks what the tests need."]
        if missing:
            lines.append("  missing: " + ", ".join(f"{p.name} ({p.used_for})" for p in missing))
            lines.append(f"  fix:     {install_line(missing)}")
        if not usable:
            lines.append(f"  engine:  {why}")
            lines.append(
                "  fix:     start Docker Engine >= 28 with the containerd image store (Docker Desktop 4.34+), "
                "or: sudo env PATH=/usr/sbin:/usr/bin:/sbin:/bin make engine"
            )
        lines.append("Then run make test again.")
        print("\n".join(lines), file=sys.stderr)
        return 1
    if missing:
        packages = sorted({p.package for p in missing})
        print(f"setup: installing Debian packages {' '.join(packages)}", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
        ):
            cp = subprocess.run(command, env=env, capture_output=True, text=True)
            if cp.returncode != 0:
                tail = "\n".join((cp.stdout + cp.stderr).strip().splitlines()[-5:])
                print(f"setup: `{shlex.join(command)}` failed (exit {cp.returncode}):\n{tail}", file=sys.stderr)
                return 1
    if not usable:
        print(f"setup: {why}; starting the course engine", flush=True)
        cp = subprocess.run([sys.executable, "-m", "course", "engine", "up"], cwd=ROOT)
        if cp.returncode != 0:
            print("setup: the course engine did not start (its log is named above)", file=sys.stderr)
            return 1
    return 0


def _keep_own_engine_current() -> int:
    """When the course's own engine is the one in use (and we are root): restart it if it runs
    with an older configuration (provision_engine.up)."""
    from course import engine, provision_engine

    if os.geteuid() != 0 or not provision_engine.is_course_engine(engine.get_engine().server.host):
        return 0
    return provision_engine.up()


def port_is_free(host: str, port: int) -> int:
    """0 when `make serve` can listen on host:port; else one line naming the fix."""
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError as exc:
            print(
                f"make serve: {host}:{port} is taken ({exc.strerror}): stop the other server, "
                f"or choose another port: make serve PORT={port + 1}",
                file=sys.stderr,
            )
            return 1
    return 0


def _cmd(args) -> int:
    if args.port is not None:
        return port_is_free(args.host, args.port)
    if args.setup:
        return setup()
    if args.debian:
        return debian_report()
    return report()


def register(subparsers) -> None:
    p = subparsers.add_parser("doctor", help="show every part the tests use, its version and where it was found")
    p.add_argument("--setup", action="store_true", help="install what is missing (root) or say how (others)")
    p.add_argument("--port", type=int, help="only check that HOST:PORT is free for make serve")
    p.add_argument(
        "--debian",
        action="store_true",
        help="only check now whether Debian holds newer engine packages than the pins "
        "(exit 1: it does, re-record; 2: could not check)",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.set_defaults(func=_cmd)
