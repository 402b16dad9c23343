"""Nothing installed by hand can make the tests pass: every executable that the suite, the gates,
the Makefile and the pages' commands call comes from the project's environment or from the set-up
list in course/doctor.py; and a machine that lacks a part gets one message that says how to fix it."""

from __future__ import annotations

import ast
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import pytest

from course import console, doctor

ROOT = Path(__file__).resolve().parents[1]
SUBPROCESS_CALLS = {"run", "Popen", "check_output", "check_call", "call", "_run", "_quiet"}
# Words a shell runs itself (they resolve to no file).
SHELL_WORDS = set(
    "cd export echo printf for while if then do done fi set unset read source . [ test true false exit wait "
    "kill trap sleep local return eval exec time".split()
)
DOCKER = {"docker"}  # the engine's client: chosen and checked by course.engine, never taken from PATH


def python_files() -> list[Path]:
    tops = [ROOT / "scripts", ROOT / "tests", ROOT / "examples", ROOT / "conftest.py"]
    found = []
    for top in tops:
        found += [top] if top.is_file() else sorted(top.rglob("*.py"))
    return [p for p in found if "node_modules" not in p.parts]


def _literal(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def executables_in_python(path: Path) -> dict[str, list[str]]:
    """{executable: [file:line]} for tool("x") calls and subprocess calls whose command starts with a literal."""
    found: dict[str, list[str]] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        first = node.args[0]
        name = None
        if func == "tool":
            name = _literal(first)
        elif func in SUBPROCESS_CALLS and isinstance(first, ast.List) and first.elts:
            name = _literal(first.elts[0])
        if name and "/" not in name:
            found.setdefault(name, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def executables_in_makefile() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    continued = False
    for lineno, line in enumerate((ROOT / "Makefile").read_text().splitlines(), 1):
        recipe, continued = line.startswith("\t") and not continued, line.endswith("\\")
        if not recipe:
            continue
        for command in re.split(r"&&|\|\||;|\|", line.strip().lstrip("@-")):
            words = [w for w in command.split() if "=" not in w]
            if words and not words[0].startswith("$") and words[0] not in SHELL_WORDS:
                found.setdefault(words[0], []).append(f"Makefile:{lineno}")
    return found


def executables_on_pages() -> dict[str, list[str]]:
    """First words of the commands that the console-block runner executes."""
    found: dict[str, list[str]] = {}
    for page in console.pages(ROOT):
        for block in console.parse_file(page, ROOT):
            if block.skip:
                continue
            for command in block.commands:
                for part in re.split(r"&&|\|\||;|\||\$\(", command.text):
                    try:
                        words = shlex.split(part)
                    except ValueError:
                        words = part.split()
                    words = [w for w in words if not re.match(r"^\w+=", w)]
                    if words and re.match(r"^[a-z][\w.-]*$", words[0]) and words[0] not in SHELL_WORDS:
                        found.setdefault(words[0], []).append(command.where)
    return found


def called_executables() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    sources = [executables_in_python(p) for p in python_files()]
    for source in sources + [executables_in_makefile(), executables_on_pages()]:
        for name, where in source.items():
            found.setdefault(name, []).extend(where)
    return found


@cache
def debian_package(path: str) -> str | None:
    """The Debian package that installed `path` (usrmerge: also tried under /bin and /sbin)."""
    for candidate in {path, re.sub(r"^/usr/(s?bin)/", r"/\1/", path)}:
        cp = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True)
        if cp.returncode == 0:
            return cp.stdout.split(":")[0].strip()
    return None


@cache
def base_system(package: str) -> bool:
    """Packages of every Debian system (priority required), such as coreutils and tar."""
    cp = subprocess.run(["dpkg-query", "-W", "-f", "${Priority}", package], capture_output=True, text=True)
    return cp.stdout.strip() == "required"


def verdict(name: str, path: str | None) -> str | None:
    """None when `path` is where the project may take `name` from; else the reason it may not."""
    if path is None:
        return "not found"
    resolved = Path(path).resolve()
    if any(resolved.is_relative_to(folder.resolve()) for folder in doctor.PROJECT_BIN if folder.exists()):
        return None
    if str(Path(path).parent) not in doctor.SYSTEM_DIRS:
        return f"{path}: outside the project's environment and the system folders (installed by hand?)"
    package = debian_package(str(resolved))
    part = doctor.PARTS.get(name)
    if part in doctor.PREREQUISITES:  # the README's: present before make runs, from whichever package
        return None
    if part and part.package:
        return None if package == part.package else f"{path}: expected from Debian's {part.package}, not {package}"
    if package and base_system(package):
        return None
    return f"{path} (Debian package {package}): not in the set-up list of course/doctor.py"


def test_the_scan_finds_the_known_callers():
    found = called_executables()
    for name in ("hadolint", "ruff", "linkchecker", "pdftoppm", "npm", "debootstrap", "curl"):
        assert name in found, f"{name} is called by the project but the scan did not find it"


def test_every_executable_comes_from_the_project_or_the_setup_list():
    path = os.environ["PATH"]
    problems = {}
    for name, where in sorted(called_executables().items()):
        if name in DOCKER:
            continue
        located = doctor.locate(name) if name in doctor.PARTS else shutil.which(name, path=path)
        if located is None and doctor.PARTS.get(name) in doctor.SYSTEM:
            continue  # not installed yet: `make test`'s set-up installs it (and doctor fails without it)
        reason = verdict(name, str(located) if located else None)
        if reason:
            problems[name] = f"{reason} (called at {', '.join(sorted(set(where))[:3])})"
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_a_tool_installed_by_hand_is_refused(tmp_path):
    planted = tmp_path / "hadolint"
    planted.write_text("#!/bin/sh\nexit 0\n")
    planted.chmod(0o755)
    assert "outside the project's environment" in verdict("hadolint", str(planted))
    assert verdict("tar", shutil.which("tar", path=":".join(doctor.SYSTEM_DIRS))) is None
    undeclared = "no-such-tool"
    with pytest.raises(doctor.Missing, match="not a declared part"):
        doctor.tool(undeclared)


def test_the_makefile_puts_the_project_first_on_path():
    cp = subprocess.run(
        ["make", "--no-print-directory", "-s", "-f", "Makefile", "-f", "-", "show-path"],
        input="show-path:\n\t@echo $$PATH\n",
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    first = cp.stdout.strip().split(":")[:2]
    assert first == [str(ROOT / ".venv" / "bin"), str(ROOT / "node_modules" / ".bin")], cp.stdout + cp.stderr


def test_doctor_names_every_part_and_where_it_was_found():
    cp = subprocess.run([sys.executable, "-m", "course", "doctor"], cwd=ROOT, capture_output=True, text=True)
    for part in doctor.PARTS.values():
        row = next((line for line in cp.stdout.splitlines() if line.split()[1:2] == [part.name]), None)
        assert row, f"doctor prints no row for {part.name}:\n{cp.stdout}"
        assert "MISSING" in row or str(doctor.locate(part.name)) in row, row
    assert re.search(r"^\s+engine\s+(Docker Engine|docker)\s", cp.stdout, re.M), cp.stdout


def run_as_another_user(args: list[str], env: dict) -> subprocess.CompletedProcess:
    """Run as `nobody` when the tests run as root: a learner's account, not an administrator's."""
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + args, cwd="/", env=env, capture_output=True, text=True, timeout=120)


def test_a_user_without_chromium_gets_one_message_with_the_fix():
    # A copy of the helpers that the other user can read wherever the clone lies.
    scripts = Path(tempfile.mkdtemp(prefix="doctor-"))
    shutil.copytree(ROOT / "scripts" / "course", scripts / "course", ignore=shutil.ignore_patterns("__pycache__"))
    for path in [scripts, *scripts.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    env = {
        "PATH": ":".join(doctor.SYSTEM_DIRS),
        "PYTHONPATH": str(scripts),
        "CHROMIUM_PATH": "/nonexistent/chromium",
        "HOME": "/tmp",
        "DOCKER_HOST": "unix:///nonexistent/docker.sock",
    }
    try:
        cp = run_as_another_user(["python3", "-m", "course", "doctor", "--setup"], env)
    finally:
        shutil.rmtree(scripts)
    assert cp.returncode == 1, cp
    assert cp.stdout == "" and "Traceback" not in cp.stderr, cp.stderr
    assert "missing: chromium" in cp.stderr and "sudo apt-get install --no-install-recommends chromium" in cp.stderr
    assert len(cp.stderr.splitlines()) <= 8, cp.stderr


def test_make_serve_names_a_port_that_is_taken():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cp = subprocess.run(
            [sys.executable, "-m", "course", "doctor", "--port", str(port)], cwd=ROOT, capture_output=True, text=True
        )
    assert cp.returncode == 1 and f"127.0.0.1:{port} is taken" in cp.stderr and f"PORT={port + 1}" in cp.stderr
