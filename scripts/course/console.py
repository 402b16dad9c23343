"""Run the pages' ```console blocks against the Docker engine, and capture transcripts.

Block format
------------
Inside a ```console fence, a line starting with ``$ `` is a command (a trailing
`` \\`` continues it on the next line); the lines after it, up to the next
command, are its expected output.  ``--8<-- "path"`` lines (pymdownx.snippets,
paths relative to the repository root) are expanded first, anywhere in the page.

* No expected output: only the exit status is checked (it must be 0).
* Expected output whose first line starts with ``Error``, ``docker: Error``,
  ``ERROR`` or ``error:`` documents a failure: the command must exit non-zero.
* Output is compared loosely: IDs (12/64 hex), digests, sizes, durations and
  ages, dates and times, version numbers and runs of whitespace are normalised,
  and a line ``...`` matches any number of lines.
* ``docker build`` output is compared by its Dockerfile steps only
  (``[stage n/m] INSTRUCTION`` lines, in order): the rest differs between
  BuildKit versions and between cold and cached builds.

Directives (an HTML comment on the line before the fence):

* ``<!-- console: skip (reason) -->``: the block is not run; the reason is required.
* ``<!-- capture: NAME -->`` (example READMEs): ``python -m course capture EXAMPLE``
  writes the block's commands and their real output to ``EXAMPLE/output/NAME.txt``,
  for pages to include with ``--8<--``.

A page's commands run in order in one persistent ``bash`` (so ``cd`` and
variables carry over), starting in the repository root (a scratch copy of it:
examples/ is copied, the rest symlinked, so pages that edit example files
never change the repository; ``capture`` makes that copy at the fixed
``CAPTURE_ROOT``, /tmp/docker-basics, so that a path a command prints is the same
in every transcript), with ``docker`` being
the client chosen by course.engine (talking to its engine through DOCKER_HOST).  Containers, images,
networks and volumes created while a page runs are removed afterwards.

Subcommands: ``python -m course console [PAGE ...]``,
``python -m course capture EXAMPLE_DIR [--check]``.  Capture also writes
``output/recorded.json`` and the note ``output/recorded.md`` (course.recording);
``console --record`` writes a page's own note.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import fcntl
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from course import recording
from course.engine import engine_or_exit, rerun_if_a_snapshot_went, takes_build_lock

ROOT = Path(__file__).resolve().parents[2]
# Where `capture` runs an example's blocks: a scratch copy of the repository at a fixed path, as
# a command may print it (Compose names a compose file by its absolute path in a warning).
CAPTURE_ROOT = Path(tempfile.gettempdir()) / "docker-basics"
CAPTURE_MARK = ".docker-basics-capture"  # a folder at CAPTURE_ROOT without it is not ours: left alone

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*)$")
SNIPPET_LINE = re.compile(r'^(?P<indent>[ \t]*)(?P<escape>;?)--8<--[ \t]+(?P<q>["\'])(?P<path>[^"\']+)(?P=q)[ \t]*$')
SNIPPET_BLOCK = re.compile(r"^(?P<indent>[ \t]*)--8<--[ \t]*$")
DIRECTIVE = re.compile(r"^\s*<!--\s*(?P<kind>console|capture)\s*:\s*(?P<body>.*?)\s*-->\s*$")
ERROR_START = re.compile(r"^(Error|docker: Error|ERROR|error:)")
BUILD_CMD = re.compile(r"\bdocker\s+(?:buildx\s+build|image\s+build|build)\b")
STEP_LINE = re.compile(r"^#\d+ (\[[^\]]*\d+/\d+\] .*)$")
PLATFORM_LABEL = re.compile(r"^\[\w+/[\w/]+(?:->[\w/]+)? (?=\S+ \d+/\d+\])")


class ConsoleSyntaxError(ValueError):
    def __init__(self, file: str, line: int, message: str):
        self.file, self.line, self.message = file, line, message
        super().__init__(f"{file}:{line}: {message}")


@dataclasses.dataclass
class Line:
    text: str
    file: str  # repo-relative path of the file the line comes from
    lineno: int
    via: str = ""  # "page.md:12" when the line came in through a snippet


@dataclasses.dataclass
class Command:
    text: str
    line: Line
    expected: list[str]

    @property
    def must_fail(self) -> bool:
        first = next((e for e in self.expected if e.strip()), "")
        return bool(ERROR_START.match(first.strip()))

    @property
    def where(self) -> str:
        here = f"{self.line.file}:{self.line.lineno}"
        return f"{self.line.via} (from {here})" if self.line.via else here


@dataclasses.dataclass
class Block:
    file: str
    lineno: int
    commands: list[Command]
    skip: str | None = None
    capture: str | None = None


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- snippets
def expand(path: Path, root: Path = ROOT, _depth: int = 0, _via: str = "") -> list[Line]:
    """The file's lines with pymdownx.snippets includes expanded (origin kept per line)."""
    rel = _rel(path)
    if _depth > 8:
        raise ConsoleSyntaxError(rel, 1, "snippets nested too deep")
    raw = Path(path).read_text(encoding="utf-8").splitlines()
    out: list[Line] = []
    i = 0
    while i < len(raw):
        text = raw[i]
        m = SNIPPET_LINE.match(text)
        via = _via or f"{rel}:{i + 1}"
        if m and m.group("escape"):
            out.append(Line(text.replace(";--8<--", "--8<--", 1), rel, i + 1, _via))
        elif m:
            out += _include(m.group("path"), m.group("indent"), root, rel, i + 1, _depth, via)
        elif SNIPPET_BLOCK.match(text):
            j = i + 1
            while j < len(raw) and not SNIPPET_BLOCK.match(raw[j]):
                j += 1
            if j == len(raw):
                raise ConsoleSyntaxError(rel, i + 1, "unterminated --8<-- block")
            for k in range(i + 1, j):
                name = raw[k].strip()
                if name and not name.startswith(";"):
                    out += _include(
                        name,
                        SNIPPET_BLOCK.match(text).group("indent"),
                        root,
                        rel,
                        k + 1,
                        _depth,
                        _via or f"{rel}:{k + 1}",
                    )
            i = j
        else:
            out.append(Line(text, rel, i + 1, _via))
        i += 1
    return out


def _include(spec: str, indent: str, root: Path, rel: str, lineno: int, depth: int, via: str) -> list[Line]:
    name, start, end = spec, None, None
    m = re.match(r"^(.*?):(\d*)(?::(\d*))?$", spec)
    if m and not Path(root, spec).exists():
        name = m.group(1)
        start = int(m.group(2)) if m.group(2) else None
        end = int(m.group(3)) if m.group(3) else None
    target = root / name
    if not target.is_file():
        raise ConsoleSyntaxError(rel, lineno, f'--8<-- "{spec}": no such file')
    lines = expand(target, root, depth + 1, via)
    if start or end:
        lines = lines[(start or 1) - 1 : end]
    return [dataclasses.replace(ln, text=(indent + ln.text) if ln.text else ln.text) for ln in lines]


# --------------------------------------------------------------------------- parsing
def parse_lines(lines: list[Line], file: str = "") -> list[Block]:
    """Find the console blocks; ConsoleSyntaxError for bad directives and unterminated fences."""
    blocks: list[Block] = []
    i = 0
    prev_nonblank: Line | None = None
    pending: dict | None = None  # a directive waiting for its fence
    while i < len(lines):
        ln = lines[i]
        d = DIRECTIVE.match(ln.text)
        if d:
            pending = _directive(d, ln)
            prev_nonblank = ln
            i += 1
            continue
        m = FENCE.match(ln.text)
        if not m:
            if ln.text.strip():
                if pending:
                    raise ConsoleSyntaxError(
                        pending["line"].file, pending["line"].lineno, "directive is not followed by a ```console block"
                    )
                prev_nonblank = ln
            i += 1
            continue
        indent, fence, info = m.group("indent"), m.group("fence"), m.group("info").strip()
        lang = info.split()[0].lstrip(".{").rstrip("}").lower() if info else ""
        # find the closing fence
        j = i + 1
        close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        while j < len(lines) and not close.match(lines[j].text):
            j += 1
        if j == len(lines):
            raise ConsoleSyntaxError(ln.file, ln.lineno, f"unterminated {fence} fence")
        if lang == "console":
            body = [dataclasses.replace(b, text=_dedent(b.text, indent)) for b in lines[i + 1 : j]]
            block = Block(ln.via.split(":")[0] if ln.via else ln.file, ln.lineno, parse_block(body))
            if pending:
                block.skip = pending.get("skip")
                block.capture = pending.get("capture")
            blocks.append(block)
        elif pending:
            raise ConsoleSyntaxError(
                pending["line"].file, pending["line"].lineno, "directive is not followed by a ```console block"
            )
        pending = None
        prev_nonblank = lines[j]
        i = j + 1
    if pending:
        raise ConsoleSyntaxError(
            pending["line"].file, pending["line"].lineno, "directive is not followed by a ```console block"
        )
    del prev_nonblank
    return blocks


def _directive(d: re.Match, ln: Line) -> dict:
    kind, body = d.group("kind"), d.group("body")
    if kind == "capture":
        if not re.fullmatch(r"[A-Za-z0-9][\w.-]*", body):
            raise ConsoleSyntaxError(ln.file, ln.lineno, f"capture needs a file name, got {body!r}")
        return {"capture": body, "line": ln}
    m = re.fullmatch(r"skip\s*(?:\((.*)\))?", body)
    if not m:
        raise ConsoleSyntaxError(ln.file, ln.lineno, f"unknown console directive {body!r} (known: skip (reason))")
    if not (m.group(1) or "").strip():
        raise ConsoleSyntaxError(ln.file, ln.lineno, "console: skip needs a reason: <!-- console: skip (why) -->")
    return {"skip": m.group(1).strip(), "line": ln}


def _dedent(text: str, indent: str) -> str:
    return text[len(indent) :] if indent and text.startswith(indent) else text.lstrip(" \t") if indent else text


def parse_block(body: list[Line]) -> list[Command]:
    commands: list[Command] = []
    i = 0
    while i < len(body):
        ln = body[i]
        if ln.text.startswith("$ ") or ln.text == "$":
            parts = [ln.text[2:]]
            while parts[-1].endswith("\\") and i + 1 < len(body):
                i += 1
                parts.append(body[i].text)
            text = "\n".join(parts)
            expected: list[str] = []
            while i + 1 < len(body) and not (body[i + 1].text.startswith("$ ") or body[i + 1].text == "$"):
                i += 1
                expected.append(body[i].text)
            while expected and not expected[-1].strip():
                expected.pop()
            if text.strip():
                commands.append(Command(text, ln, expected))
        elif ln.text.strip() and not commands:
            raise ConsoleSyntaxError(ln.file, ln.lineno, "console block: output before the first `$ ` command")
        i += 1
    return commands


def parse_file(path: Path, root: Path = ROOT) -> list[Block]:
    return parse_lines(expand(Path(path), root), _rel(path))


# --------------------------------------------------------------------------- comparing
# What the engine leaves open, and only that: the one place where a transcript may differ
# from a fresh run. Each rule replaces what varies by a placeholder in both before they are
# compared; ORDER_FREE below lists the outputs whose line order the engine does not promise.
# tests/test_console_parser.py proves for each rule that a real difference still fails.
@dataclasses.dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    replacement: str
    reason: str


RULES = [
    # First: the version and clock rules below would eat 0.0.0.0 and :::8080.
    Rule(
        "any-address",
        re.compile(r"(?<![\w.:\[])(0\.0\.0\.0|\[::\]|::)(?=:\d)"),
        "<any-address>",
        "a port published on all addresses is bound for IPv4 (0.0.0.0) and IPv6 (::); which binding the "
        "engine sets up first, and so names in `Bind for …:8080 failed`, is not fixed",
    ),
    Rule(
        "digest",
        re.compile(r"sha256:[0-9a-f]{6,64}"),
        "<digest>",
        "image and layer digests hash content that holds build times and the stand-ins' packages",
    ),
    Rule("long id", re.compile(r"\b[0-9a-f]{64}\b"), "<id>", "container, image and network ids are new on every run"),
    Rule("short id", re.compile(r"\b[0-9a-f]{12}\b"), "<id>", "the CLI prints ids cut to 12 characters"),
    Rule(
        "timestamp",
        re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?( [A-Z]{2,5})?"),
        "<time>",
        "creation and log times are the time of the run",
    ),
    Rule(
        "date",
        re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun),? +\d{1,2} +\w{3} +\d{4}\b|\b\w{3} \w{3} +\d{1,2} \d{4}\b"),
        "<date>",
        "HTTP Date headers and `date` print the day of the run",
    ),
    Rule("clock", re.compile(r"\b\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\b"), "<time>", "times of day are the time of the run"),
    Rule(
        "size",
        re.compile(r"\b\d+(\.\d+)?\s?(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\b"),
        "<size>",
        "image, layer and cache sizes depend on the base images (stand-ins here, pulled images elsewhere)",
    ),
    Rule(
        "inspect size",
        re.compile(r'"(Size|size|VirtualSize)": \d+'),
        r'"\1": <size>',
        "sizes in bytes in `docker … inspect` JSON (the labs' captures): a rebuilt layer differs by a few bytes",
    ),
    Rule(
        "status age",
        re.compile(r"\b(Up|Exited \(\d+\)|Created|Restarting \(\d+\))\s+((About|Less than) (a|an) \w+|\d+ \w+)( ago)?"),
        r"\1 <age>",
        "`docker ps` counts how long ago a container started or stopped",
    ),
    Rule(
        "age",
        re.compile(r"\b((About|Less than) (a|an) \w+|\d+ (second|minute|hour|day|week|month|year)s?) ago\b"),
        "<age>",
        "listings say how long ago an image or volume was made",
    ),
    Rule(
        "duration",
        re.compile(r"\b\d+(\.\d+)?(ns|µs|us|ms|s|m|h)\b"),
        "<dur>",
        "build steps and health checks print how long they took",
    ),
    Rule(
        "container address",
        re.compile(r"\b172\.(1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}\b"),
        "<container-ip>",
        "the engine hands out bridge-network addresses (172.16.0.0/12) in the order containers start",
    ),
    Rule(
        "scratch folder",
        re.compile(r"/\S*?docker-basics-root-[\w]+|" + re.escape(str(CAPTURE_ROOT)) + r"(?=/)"),
        "<root>",
        "console blocks run in a new scratch copy of the repository each time (captures in one fixed "
        "folder, CAPTURE_ROOT, so that a path a command prints reads the same in every transcript)",
    ),
    Rule(
        "amd64 level",
        re.compile(r"(detected host platform \(linux/amd64)(/v[1-4])?\)"),
        r"\1/<variant>)",
        "the engine names the host's x86-64 microarchitecture level (v2 to v4), which differs between machines",
    ),
    Rule(
        "no reply",
        re.compile(r"curl: \((52|56)\) (Empty reply from server|Recv failure: Connection reset by peer)"),
        "curl: <no reply>",
        "a connection docker-proxy accepts but the container refuses ends as an empty reply or a reset, by timing",
    ),
    Rule(
        "version",
        re.compile(r"\bv?\d+(\.\d+)+([-+~][\w.+~]*)?\b"),
        "<ver>",
        "patch releases of the engine, Compose and the base images' programs move on",
    ),
    Rule("white space", re.compile(r"\s+"), " ", "column widths follow the longest value in a table"),
]

# Outputs whose lines the engine prints in an order it does not promise: compared as a
# multiset (same lines, any order), after RULES. Builds compare only their step lines.
ORDER_FREE = {
    "listing": (
        re.compile(r"^docker\s+(?:images|image\s+ls|ps|container\s+ls)\b[^|]*$"),
        "listings are sorted by creation time, which a cached build keeps from an earlier run",
    ),
    "port": (
        re.compile(r"^docker\s+(?:container\s+)?port\b[^|]*$"),
        "`docker port` prints the IPv4 and IPv6 bindings of a port in either order",
    ),
}


def normalise(line: str) -> str:
    for rule in RULES:
        line = rule.pattern.sub(rule.replacement, line)
    return line.strip()


def lines_match(expected: list[str], actual: list[str]) -> bool:
    """Loose comparison; a line `...` in `expected` matches any number of lines."""
    exp = [normalise(e) if e.strip() != "..." else "..." for e in expected]
    act = [normalise(a) for a in actual]
    while exp and not exp[-1]:
        exp.pop()
    while act and not act[-1]:
        act.pop()
    # glob matching (iterative, with backtracking to the last `...`)
    i = j = 0
    star_i, star_j = -1, 0
    while j < len(act):
        if i < len(exp) and exp[i] == "...":
            star_i, star_j = i, j
            i += 1
        elif i < len(exp) and exp[i] == act[j]:
            i += 1
            j += 1
        elif star_i >= 0:
            i = star_i + 1
            star_j += 1
            j = star_j
        else:
            return False
    while i < len(exp) and exp[i] == "...":
        i += 1
    return i == len(exp)


def build_steps(lines: list[str]) -> list[str]:
    """The `[stage n/m] INSTRUCTION` lines of BuildKit plain output, without `#N`."""
    # FROM lines name the digest when the image was pulled, not when it was local: drop it.
    # A multi-platform build runs a step the platforms share once, under either platform's
    # label (`[linux/amd64 build 3/5]` or `[linux/amd64->arm64 build 3/5]`): drop the label.
    return [
        PLATFORM_LABEL.sub("[", normalise(m.group(1))).replace("@<digest>", "")
        for m in (STEP_LINE.match(ln.strip()) for ln in lines)
        if m
    ]


def order_free(command: str) -> str | None:
    """The ORDER_FREE kind of `command`'s output, or None."""
    return next((kind for kind, (pattern, _) in ORDER_FREE.items() if pattern.search(command)), None)


def output_matches(command: str, expected: list[str], actual: list[str]) -> bool:
    if not expected:
        return True
    if BUILD_CMD.search(command):
        # BuildKit prints parallel steps in any order: compare the steps as a multiset.
        return not (Counter(build_steps(expected)) - Counter(build_steps(actual)))
    if order_free(command) and "..." not in [e.strip() for e in expected]:
        exp, act = [normalise(e) for e in expected if e.strip()], [normalise(a) for a in actual if a.strip()]
        if order_free(command) == "listing":  # the header stays first
            return exp[:1] == act[:1] and Counter(exp[1:]) == Counter(act[1:])
        return Counter(exp) == Counter(act)
    return lines_match(expected, actual)


def mismatch_diff(command: str, expected: list[str], actual: list[str]) -> str:
    """The lines that differ as the comparison sees them: normalised (ids, times, sizes … as
    placeholders), so a long `docker inspect` shows its one changed field, not every new id."""
    if BUILD_CMD.search(command):
        return short_diff(sorted(build_steps(expected)), sorted(build_steps(actual)))
    return short_diff([normalise(e) for e in expected], [normalise(a) for a in actual])


def short_diff(expected: list[str], actual: list[str], n: int = 40) -> str:
    diff = list(difflib.unified_diff(expected, actual, "expected", "actual", lineterm="", n=1))
    if len(diff) > n:
        diff = diff[:n] + [f"... ({len(diff) - n} more diff lines)"]
    return "\n".join(diff)


# --------------------------------------------------------------------------- running
class Shell:
    """One persistent bash; each command's stdout+stderr goes to a file."""

    def __init__(self, cwd: Path, env: dict):
        self.tmp = Path(tempfile.mkdtemp(prefix="console-"))
        self.n = 0
        self.proc = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=str(cwd),
            env=env,
            text=True,
            start_new_session=True,
        )

    def run(self, command: str, timeout: float) -> tuple[int | None, str]:
        """(exit status or None on time-out, output)."""
        self.n += 1
        cmd_file, out_file = self.tmp / f"cmd{self.n}.sh", self.tmp / f"out{self.n}.txt"
        cmd_file.write_text(command + "\n")
        marker = f"__console_done_{self.n}__"
        self.proc.stdin.write(f'. "{cmd_file}" </dev/null >"{out_file}" 2>&1; echo "{marker} $?"\n')
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        buf = ""
        fd = self.proc.stdout.fileno()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.close()
                return None, _read(out_file)
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(fd, 4096).decode(errors="replace")
                if not chunk:  # the shell exited (e.g. the command ran `exit`)
                    return 255, _read(out_file)
                buf += chunk
                m = re.search(rf"{marker} (\d+)", buf)
                if m:
                    return int(m.group(1)), _read(out_file)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def shell_env(engine) -> dict:
    env = dict(engine.env)
    env["PATH"] = f"{engine.wrapper_dir()}:{env.get('PATH', '')}"
    env.update(
        {
            "BUILDKIT_PROGRESS": "plain",
            "DOCKER_CLI_HINTS": "false",
            "NO_COLOR": "1",
            "TERM": "dumb",
            "COLUMNS": "120",
            "PAGER": "cat",
            "DOCKER_BASICS_IN_CONSOLE": "1",
        }
    )
    return env


@dataclasses.dataclass
class Failure:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclasses.dataclass
class RunResult:
    file: str
    ran: int = 0
    skipped: list[str] = dataclasses.field(default_factory=list)
    failure: Failure | None = None
    outputs: list[tuple[Block, Command, str]] = dataclasses.field(default_factory=list)
    removed: list[str] = dataclasses.field(default_factory=list)


def command_timeout(command: str) -> float:
    return 900 if BUILD_CMD.search(command) else 180


def run_command(shell: Shell, engine, command: str) -> tuple[int | None, str]:
    """(exit status, output) of one console command in `shell`: under the engine's build lock
    if it builds or removes images, and again if it was a size listing that lost a snapshot
    to a removal by a test beside it (course.engine.lost_a_snapshot)."""
    with engine.build_lock() if takes_build_lock(command) else contextlib.nullcontext():
        return rerun_if_a_snapshot_went(command, lambda: shell.run(command, command_timeout(command)), lambda r: r)


# The engine can lose what a short container run in the foreground printed: it answers the
# CLI's attach before the container's streams are connected (moby/moby#29285), and on a busy
# machine the container has run and exited by then. Such a run printed fewer lines than the
# block shows and none that differ; it runs again (OUTPUT_TRIES in all), after removing the
# container it named. A real difference fails every try.
FOREGROUND_RUN = re.compile(r"^docker (?:container )?run\b(?!.*\s(?:-d|--detach)\b)")
NAMED = re.compile(r"\s--name[ =]([\w.-]+)")
OUTPUT_TRIES = 3


def lost_output(command: str, expected: list[str], actual: list[str]) -> bool:
    """Whether a foreground `docker run` printed only some of the lines expected, and no other."""
    if not FOREGROUND_RUN.match(command) or "..." in [e.strip() for e in expected]:
        return False
    want = Counter(normalise(e) for e in expected if e.strip())
    got = Counter(normalise(a) for a in actual if a.strip())
    return not (got - want) and got.total() < want.total()


def rerun_if_output_lost(shell: Shell, engine, cmd: Command, rc: int | None, out: str) -> tuple[int | None, str]:
    for _ in range(OUTPUT_TRIES - 1):
        if rc is None or not lost_output(cmd.text, cmd.expected, out.rstrip("\n").splitlines()):
            break
        named = NAMED.search(cmd.text)
        if named:
            shell.run(f"docker rm -f {named.group(1)} > /dev/null 2>&1", command_timeout(cmd.text))
        rc, out = run_command(shell, engine, cmd.text)
    return rc, out


def scratch_root(root: Path = ROOT, at: Path | None = None) -> Path:
    """A throw-away stand-in for the repository root: a copy of examples/ (which pages
    build, edit and bind-mount) and symlinks to everything else. Pages that change files
    (`echo … >> app.sh`) then never change the repository, even when they fail midway.
    In a new temporary folder, or at `at` (a folder that must not exist yet)."""
    if at is None:
        scratch = Path(tempfile.mkdtemp(prefix="docker-basics-root-"))
    else:
        scratch = at
        scratch.mkdir(parents=True)
    for entry in root.iterdir():
        if entry.name == "examples":
            shutil.copytree(
                entry,
                scratch / "examples",
                symlinks=True,
                ignore=shutil.ignore_patterns("node_modules", "__pycache__", ".pytest_cache"),
            )
        else:
            (scratch / entry.name).symlink_to(entry)
    return scratch


@contextlib.contextmanager
def capture_root(root: Path = ROOT):
    """The scratch copy captures run in, at CAPTURE_ROOT: one capture at a time on the machine
    (a lock beside it), made afresh and removed afterwards. A folder there that a capture did
    not make (no CAPTURE_MARK in it) stops the capture instead of being removed."""
    lock = open(CAPTURE_ROOT.with_name(CAPTURE_ROOT.name + "-capture.lock"), "w")  # noqa: SIM115
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        if CAPTURE_ROOT.exists() or CAPTURE_ROOT.is_symlink():
            if not (CAPTURE_ROOT / CAPTURE_MARK).is_file():
                raise RuntimeError(f"{CAPTURE_ROOT} exists and is not a capture's folder: move it away")
            shutil.rmtree(CAPTURE_ROOT)
        scratch = scratch_root(root, at=CAPTURE_ROOT)
        (scratch / CAPTURE_MARK).write_text("a scratch copy of the course for `python -m course capture`\n")
        yield scratch
    finally:
        if (CAPTURE_ROOT / CAPTURE_MARK).is_file():
            shutil.rmtree(CAPTURE_ROOT, ignore_errors=True)
        lock.close()


def run_blocks(
    blocks: list[Block], file: str, engine, *, cwd: Path | None = None, compare: bool = True, log=None
) -> RunResult:
    """Run the blocks' commands in order in one shell; stop at the first failure.

    The shell starts in `cwd`, by default in a scratch copy of the repository root."""
    result = RunResult(file)
    runnable = [b for b in blocks if not b.skip and b.commands]
    result.skipped = [f"{b.file}:{b.lineno} ({b.skip})" for b in blocks if b.skip]
    if not runnable:
        return result
    if os.environ.get("DOCKER_BASICS_IN_CONSOLE"):
        # A console block ran the test suite (e.g. `make test`), which would run it again.
        first = runnable[0].commands[0]
        result.failure = Failure(
            first.where,
            "console blocks are running inside a console block "
            "(a page runs `make test` or pytest?): mark that block "
            "<!-- console: skip (reason) -->",
        )
        return result
    # One page at a time per engine: a page's clean-up removes what appeared while it ran,
    # which would include another page's unlabelled images and containers.
    lock = open(engine.lock_path("console"), "w")  # noqa: SIM115 (closed in the finally below)
    fcntl.flock(lock, fcntl.LOCK_EX)
    before = engine.snapshot()
    scratch = None
    if cwd is None:
        cwd = scratch = scratch_root()
    shell = Shell(cwd, shell_env(engine))
    try:
        for block in runnable:
            for cmd in block.commands:
                if log:
                    log(f"  $ {cmd.text}")
                rc, out = run_command(shell, engine, cmd.text)
                if compare:
                    rc, out = rerun_if_output_lost(shell, engine, cmd, rc, out)
                result.ran += 1
                result.outputs.append((block, cmd, out))
                actual = out.rstrip("\n").splitlines()
                if rc is None:
                    result.failure = Failure(
                        cmd.where,
                        f"command `{cmd.text}` timed out after "
                        f"{command_timeout(cmd.text):.0f}s; output tail:\n" + "\n".join(actual[-15:]),
                    )
                    return result
                if cmd.must_fail and rc == 0:
                    result.failure = Failure(
                        cmd.where, f"command `{cmd.text}` succeeded, but its expected output documents an error"
                    )
                elif not cmd.must_fail and rc != 0:
                    result.failure = Failure(
                        cmd.where, f"command `{cmd.text}` exited {rc}; output tail:\n" + "\n".join(actual[-15:])
                    )
                elif compare and not output_matches(cmd.text, cmd.expected, actual):
                    result.failure = Failure(
                        cmd.where,
                        f"command `{cmd.text}`: output does not match"
                        f"{' (build steps)' if BUILD_CMD.search(cmd.text) else ''}:\n"
                        + mismatch_diff(cmd.text, cmd.expected, actual),
                    )
                elif compare and from_transcript(cmd) and not cmd.expected and out.strip():
                    # A transcript is a real run: a command saved without output must print none.
                    result.failure = Failure(
                        cmd.where,
                        f"command `{cmd.text}` printed output, but its transcript {cmd.line.file} shows none:\n"
                        + mismatch_diff(cmd.text, cmd.expected, actual),
                    )
                if result.failure:
                    return result
    finally:
        shell.close()
        result.removed = remove_created(engine, before)
        lock.close()
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    return result


def update_expected(page: Path, result: RunResult) -> int:
    """Write each command's real output into the page, in place of the output it shows.

    Only for a page whose run matched (the text around the output still fits it), only the
    page's own lines (not included transcripts), and not where the page abridges with `...`
    or shows only a build's steps.  Returns how many commands changed."""
    rel = _rel(page)
    lines = Path(page).read_text(encoding="utf-8").split("\n")
    changed = 0
    for _block, cmd, out in result.outputs:
        if cmd.line.via or cmd.line.file != rel or not cmd.expected or BUILD_CMD.search(cmd.text):
            continue
        if any(e.strip() == "..." for e in cmd.expected):
            continue
        first = cmd.line.lineno - 1 + cmd.text.count("\n") + 1  # first output line, 0-based
        indent = lines[cmd.line.lineno - 1][
            : len(lines[cmd.line.lineno - 1]) - len(lines[cmd.line.lineno - 1].lstrip())
        ]
        actual = out.rstrip("\n").split("\n") if out.strip() else []
        if [ln.rstrip() for ln in actual] == [e.rstrip() for e in cmd.expected]:
            continue
        lines[first : first + len(cmd.expected)] = [(indent + a).rstrip() for a in actual]
        changed += 1
        # Later commands of this page moved by the difference in length.
        shift = len(actual) - len(cmd.expected)
        for _b, later, _o in result.outputs:
            if later.line.file == rel and not later.line.via and later.line.lineno > cmd.line.lineno:
                later.line.lineno += shift
    if changed:
        Path(page).write_text("\n".join(lines), encoding="utf-8")
    return changed


LAB_ROUND = re.compile(r"\blab-([0-9a-f]{12})-(?:\d+|s)-")


def remove_created(engine, before) -> list[str]:
    """Remove what appeared since `before`, except other test sessions' objects (containers,
    images, networks and volumes with another session's label, or named by another session's
    lab round) and the base-image stand-ins (someone may build those while the page runs)."""
    from course.baseimages import RECIPES
    from course.engine import SESSION_ID, SESSION_LABEL_KEY

    standin_ids = set(
        engine.run_cmd("image", "inspect", "--format", "{{.Id}}", *RECIPES, check=False).stdout.split()
    )  # the stand-ins that exist (inspect names the missing ones on stderr)
    label_formats = {
        "containers": ("inspect", "{{.Id}} {{.Name}} {{json .Config.Labels}}"),
        "images": ("image", "inspect", "{{.Id}} {{json .RepoTags}} {{json .Config.Labels}}"),
        "networks": ("network", "inspect", "{{.Id}} {{.Name}} {{json .Labels}}"),
        "volumes": ("volume", "inspect", "{{.Name}} {{.Name}} {{json .Labels}}"),
    }

    def lab_round(name: str) -> bool:
        """Named by another session's lab round (course.labs: its objects carry no labels, the
        reader's commands run as typed, but their names start with lab-SESSION-)."""
        return any(s != SESSION_ID for s in LAB_ROUND.findall(name))

    def others(kind: str, ids: set[str]) -> set[str]:
        """Of `ids`, those to keep: another session's objects and the stand-ins."""
        keep = {i for i in ids if (kind == "tags" and i in RECIPES) or (kind == "images" and i in standin_ids)}
        keep |= {i for i in ids if kind == "tags" and lab_round(i)}
        ids = sorted(ids - keep)
        if not ids:
            return keep
        if kind == "tags":  # one at a time: inspect prints nothing for a tag removed meanwhile
            labels = {
                t: engine.run_cmd("image", "inspect", "--format", "{{json .Config.Labels}}", t, check=False).stdout
                for t in ids
            }
        else:
            *command, fmt = label_formats[kind]
            out = engine.run_cmd(*command, "--format", fmt, *ids, check=False).stdout
            rows = [line.split(" ", 2) for line in out.splitlines() if line.count(" ") >= 2]
            keep |= {i for i, names, _ in rows if lab_round(names)}
            labels = {i: found for i, _, found in rows}
        for i, found in labels.items():
            if SESSION_LABEL_KEY in found and SESSION_ID not in found:
                keep.add(i)
        return keep

    after = engine.snapshot()
    for key in ("containers", "images", "tags", "networks", "volumes"):
        before[key] = before[key] | others(key, after[key] - before[key])
    return engine.remove_since(before, after)


def run_page(page: Path, engine, log=None) -> RunResult:
    blocks = parse_file(page)
    return run_blocks(blocks, _rel(page), engine, log=log)


def excluded_docs(root: Path = ROOT) -> list[str]:
    """Simple patterns of mkdocs.yml's `exclude_docs: |` block (pages MkDocs does not build)."""
    cfg = root / "mkdocs.yml"
    if not cfg.exists():
        return []
    m = re.search(r"^exclude_docs:\s*\|[-+]?\s*\n((?:[ \t]+.*\n?)+)", cfg.read_text(encoding="utf-8"), re.M)
    if not m:
        return []
    return [ln.strip() for ln in m.group(1).splitlines() if ln.strip() and not ln.strip().startswith("#")]


def pages(root: Path = ROOT) -> list[Path]:
    """Pages under docs/ that MkDocs builds (hidden files and exclude_docs left out)."""
    import fnmatch

    patterns = excluded_docs(root)
    found = []
    for page in sorted((root / "docs").rglob("*.md")):
        rel = page.relative_to(root / "docs").as_posix()
        if any(part.startswith(".") for part in page.relative_to(root / "docs").parts):
            continue
        if any(
            fnmatch.fnmatch("/" + rel, pat if pat.startswith("/") else "*/" + pat.lstrip("/"))
            or fnmatch.fnmatch(rel, pat.lstrip("/"))
            for pat in patterns
        ):
            continue
        found.append(page)
    return found


def shows_output(blocks: list[Block]) -> bool:
    """True when a block that runs shows a command's output."""
    return any(c.expected for b in blocks if not b.skip for c in b.commands)


def shows_own_output(page: Path) -> bool:
    """True when the page's own console blocks show output (not counting included transcripts)."""
    rel = _rel(page)
    lines = [
        Line(text, rel, n)
        for n, text in enumerate(Path(page).read_text(encoding="utf-8").splitlines(), 1)
        if not SNIPPET_LINE.match(text)
    ]
    return shows_output(parse_lines(lines, rel))


def has_commands(page: Path) -> bool:
    try:
        return any(b.commands and not b.skip for b in parse_file(page))
    except ConsoleSyntaxError:
        return True  # let the test report the error


# --------------------------------------------------------------------------- capture
def readme_of(example: Path) -> Path:
    return Path(example) / "README.md"


def capture_paths(example: Path) -> tuple[Path, Path]:
    """(the file whose blocks are captured, the folder of their transcripts): an example's
    README.md and output/, or for a Markdown file FOLDER/NAME.md (blocks recorded on another
    engine, see course.classic_engine) that file and FOLDER/output/NAME/."""
    example = Path(example).resolve()
    if example.suffix == ".md":
        return example, example.parent / "output" / example.stem
    return readme_of(example), example / "output"


def capture(example: Path, engine, *, check: bool = False, log=None, name_store: bool = False) -> list[Failure]:
    """Run an example README's blocks; write (or, with check, compare) output/<name>.txt.

    `example` may also be a Markdown file of blocks (capture_paths). name_store: the note
    names the image store (course.recording.metadata)."""
    example = Path(example).resolve()
    readme, out_dir = capture_paths(example)
    blocks = parse_file(readme)
    with capture_root() as cwd:
        result = run_blocks(blocks, _rel(readme), engine, cwd=cwd, compare=check, log=log)
    failures: list[Failure] = [result.failure] if result.failure else []
    if result.failure and not check:
        return failures
    written: list[Path] = []
    for name, lines in transcripts(result).items():
        path = out_dir / f"{name}.txt"
        if check:
            if not path.exists():
                failures.append(
                    Failure(_rel(path), f"transcript missing: run `python -m course capture {_rel(example)}`")
                )
                continue
            saved = path.read_text(encoding="utf-8").splitlines()
            problem = transcripts_mismatch(saved, lines)
            if problem:
                failures.append(
                    Failure(_rel(path), "re-running the commands no longer matches the saved transcript: " + problem)
                )
        else:
            out_dir.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            written.append(path)
            if log:
                log(f"  wrote {_rel(path)}")
    if written:
        meta = recording.metadata(engine, name_store=name_store)
        recording.write(out_dir, meta, written)
        if log:
            log(f"  wrote {_rel(out_dir / recording.NOTE_NAME)}: {recording.note(meta).strip()}")
    return failures


def transcripts(result: RunResult) -> dict[str, list[str]]:
    """The lines of each capture that a run printed, by capture name, as capture() saves them."""
    found: dict[str, list[str]] = {}
    for block, cmd, out in result.outputs:
        if block.capture:
            lines = found.setdefault(block.capture, [])
            cmd_lines = cmd.text.split("\n")
            lines.append("$ " + cmd_lines[0])
            lines += cmd_lines[1:]
            lines += out.rstrip("\n").splitlines() if out.strip() else []
    return found


def transcripts_match(saved: list[str], fresh: list[str]) -> bool:
    """Compare two transcripts command by command, with the console blocks' rules."""
    return not transcripts_mismatch(saved, fresh)


def transcript_commands(lines: list[str]) -> list[tuple[str, list[str]]]:
    """A transcript's commands, each with the output lines saved after it."""
    cmds: list[tuple[str, list[str]]] = []
    for ln in lines:
        if ln.startswith("$ "):
            cmds.append((ln[2:], []))
        elif cmds and cmds[-1][0].endswith("\\") and not cmds[-1][1]:
            cmds[-1] = (cmds[-1][0] + "\n" + ln, [])
        elif cmds:
            cmds[-1][1].append(ln)
    return cmds


def transcripts_mismatch(saved: list[str], fresh: list[str]) -> str:
    """ "" if the transcripts match, else which command differs and a short diff."""
    a, b = transcript_commands(saved), transcript_commands(fresh)
    if [c for c, _ in a] != [c for c, _ in b]:
        return "the commands differ:\n" + short_diff([c for c, _ in a], [c for c, _ in b])
    for (c, exp), (_, act) in zip(a, b, strict=True):
        # A transcript is a real run: a command that printed nothing must print nothing again
        # (on a page, a command shown without output is checked for its exit status only).
        printed = [line for line in act if line.strip()]
        if not output_matches(c, exp, act) or (not exp and printed):
            return f"command `{c}`:\n" + mismatch_diff(c, exp, act)
    return ""


def examples_with_captures(root: Path = ROOT) -> list[Path]:
    found = []
    for readme in sorted((root / "examples").glob("*/*/README.md")):
        if "<!-- capture:" in readme.read_text(encoding="utf-8"):
            found.append(readme.parent)
    return found


# An example's README need not run on its own when the pages run all of it: every
# transcript it captures (the pages compare each with a fresh run, as strictly as
# capture --check) and every other command it runs. What is left to check is that
# the README still says what its transcripts say (readme_against_transcripts).
TRANSCRIPT = re.compile(r"(?:^|/)examples/[^/]+/[^/]+/output/[^/]+\.txt$")


def from_transcript(cmd: Command) -> bool:
    """The command comes from a saved transcript (a real run), not from a page's own text."""
    return bool(TRANSCRIPT.search(cmd.line.file))


def _pages_run(root: Path) -> list[tuple[Path, list[Command]]]:
    runs = []
    for page in pages(root):
        try:
            blocks = parse_file(page, root)
        except ConsoleSyntaxError:
            continue  # test_console_blocks reports it
        runs.append((page, [c for b in blocks if not b.skip for c in b.commands]))
    return runs


def not_run_by_pages(example: Path, root: Path = ROOT, runs=None) -> list[str]:
    """What of the example's README no page runs ([] when the pages run all of it)."""
    runs = _pages_run(root) if runs is None else runs
    missing = []
    showing = []  # the pages that include one of the example's transcripts
    blocks = [b for b in parse_file(readme_of(example), root) if not b.skip and b.commands]
    for name in sorted({b.capture for b in blocks if b.capture}):
        path = Path(example) / "output" / f"{name}.txt"
        transcript = _rel(path)  # named as expand() names it
        ran = {c.line.lineno for page, cmds in runs for c in cmds if c.line.file == transcript}
        showing += [page for page, cmds in runs if any(c.line.file == transcript for c in cmds)]
        saved = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        left = [n for n, text in enumerate(saved, 1) if text.startswith("$ ") and n not in ran]
        if not ran:
            missing.append(f"transcript {transcript}: no page runs it")
        elif left:
            missing.append(f"transcript {transcript}: no page runs its line(s) {', '.join(map(str, left))}")
    for block in blocks:
        for cmd in [] if block.capture else block.commands:
            if not any(c.text == cmd.text for page, cmds in runs if page in showing for c in cmds):
                missing.append(f"{cmd.where}: `{cmd.text}` is run by no page that shows this example")
    return missing


def readme_against_transcripts(example: Path, root: Path = ROOT) -> list[Failure]:
    """Where the README's captured blocks no longer say what their saved transcripts say:
    other commands, or output shown in the README that the transcript does not have."""
    failures = []
    blocks = [b for b in parse_file(readme_of(example), root) if not b.skip and b.commands and b.capture]
    for name in dict.fromkeys(b.capture for b in blocks):
        path = Path(example) / "output" / f"{name}.txt"
        if not path.exists():
            failures.append(Failure(_rel(path), f"transcript missing: run `python -m course capture {_rel(example)}`"))
            continue
        saved = transcript_commands(path.read_text(encoding="utf-8").splitlines())
        cmds = [c for b in blocks if b.capture == name for c in b.commands]
        texts = [text for text, _ in saved]
        if [c.text for c in cmds] != texts:
            first = next((c for c, t in zip(cmds, texts, strict=False) if c.text != t), cmds[-1])
            failures.append(
                Failure(
                    first.where,
                    f"the README's commands are not those of {_rel(path)} "
                    f"(run `python -m course capture {_rel(example)}`):\n" + short_diff(texts, [c.text for c in cmds]),
                )
            )
            continue
        for cmd, (_, output) in zip(cmds, saved, strict=True):
            if not output_matches(cmd.text, cmd.expected, output):
                failures.append(
                    Failure(
                        cmd.where,
                        f"the README shows output that {_rel(path)} does not have:\n"
                        + mismatch_diff(cmd.text, cmd.expected, output),
                    )
                )
    return failures


def pages_running(transcript: Path, root: Path = ROOT) -> list[Path]:
    """The pages whose console blocks run the transcript's commands."""
    name = _rel(transcript)
    return [page for page, cmds in _pages_run(root) if any(c.line.file == name for c in cmds)]


def examples_by_runner(root: Path = ROOT) -> tuple[list[Path], list[Path]]:
    """(examples whose README must run on its own, examples whose README the pages run in full)."""
    runs = _pages_run(root)
    alone, by_pages = [], []
    for example in examples_with_captures(root):
        (alone if not_run_by_pages(example, root, runs) else by_pages).append(example)
    return alone, by_pages


def examples_to_run(root: Path = ROOT) -> list[Path]:
    return examples_by_runner(root)[0]


def examples_run_by_pages(root: Path = ROOT) -> list[Path]:
    return examples_by_runner(root)[1]


# --------------------------------------------------------------------------- CLI
def _cmd_console(args) -> int:
    targets = [Path(p).resolve() for p in args.pages] or pages()
    eng = None
    failed = 0
    for page in targets:
        try:
            blocks = parse_file(page)
        except ConsoleSyntaxError as exc:
            print(f"FAIL {exc}")
            failed += 1
            continue
        n = sum(len(b.commands) for b in blocks if not b.skip)
        if not n:
            continue
        if eng is None:
            eng = engine_or_exit()
            from course import baseimages

            baseimages.ensure(eng, baseimages.required_images(), log=lambda m: None)
        print(f"{_rel(page)}: {n} command(s)", flush=True)
        res = run_blocks(blocks, _rel(page), eng, log=(lambda m: print(m, flush=True)) if args.verbose else None)
        if res.failure:
            failed += 1
            print(f"FAIL {res.failure}")
        else:
            print(f"  ok ({res.ran} run, {len(res.skipped)} block(s) skipped)")
            if args.update:
                changed = update_expected(page, res)
                if changed:
                    print(f"  updated the output of {changed} command(s) in {_rel(page)}")
            if args.record and shows_own_output(page):
                folder = recording.page_record_dir(page)
                recording.write(folder, recording.metadata(eng))
                print(f"  wrote {_rel(folder / recording.NOTE_NAME)}")
    print(f"console blocks: {failed} page(s) failed")
    return 1 if failed else 0


def _cmd_capture(args) -> int:
    if args.store == "classic":
        from course import classic_engine
        from course.engine import EngineUnavailable
        from course.engine import classic_engine as classic
        from course.provision_engine import ProvisionError

        try:
            with classic_engine.started(log=_say) as ours:
                eng = classic()
                print(f"Docker: {eng.describe()}{' (started for this capture)' if ours else ''}", flush=True)
                return _capture_all(args, eng)
        except (EngineUnavailable, ProvisionError) as exc:
            print(exc, file=sys.stderr)
            return 2
    eng = engine_or_exit()
    from course import baseimages

    baseimages.ensure(eng, baseimages.required_images(), log=lambda m: None)
    return _capture_all(args, eng)


def _say(message: str) -> None:
    print(message, flush=True)


def _capture_all(args, eng) -> int:
    failed = 0
    for ex in args.examples:
        print(f"{ex}:", flush=True)
        fails = capture(Path(ex), eng, check=args.check, log=_say, name_store=bool(args.store))
        for f in fails:
            print(f"FAIL {f}")
        failed += bool(fails)
    return 1 if failed else 0


def register(subparsers) -> None:
    p = subparsers.add_parser("console", help="run the pages' ```console blocks against Docker")
    p.add_argument("pages", nargs="*", help="pages (default: every page under docs/)")
    p.add_argument("-v", "--verbose", action="store_true", help="print each command")
    p.add_argument(
        "--update", action="store_true", help="write the real output into pages that pass (their own blocks only)"
    )
    p.add_argument(
        "--record", action="store_true", help="for pages that pass and show output: write includes/recorded/<page>.md"
    )
    p.set_defaults(func=_cmd_console)
    c = subparsers.add_parser("capture", help="run an example README's commands, write output/NAME.txt")
    c.add_argument(
        "examples",
        nargs="+",
        help="example folders, e.g. examples/building-images/01-first-image, or Markdown files of blocks "
        "(examples/image-stores/classic.md: transcripts in examples/image-stores/output/classic/)",
    )
    c.add_argument("--check", action="store_true", help="compare with the saved transcripts instead")
    c.add_argument(
        "--store",
        choices=["classic", "containerd"],
        help="record on this image store and name it in the note: classic runs the second engine "
        "(course.classic_engine; started for the capture when it is not running, root), "
        "containerd the course's engine",
    )
    c.set_defaults(func=_cmd_capture)
