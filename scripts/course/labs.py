"""Prove the labs on the engine: every case of examples/labs/NN-NAME/cases.yaml, judged by the page's checker.

docs/contributing/adding-a-lab.md describes cases.yaml. For one lab, one round on the
engine runs all its cases at once: each case gets its own copy of the lab's names (a
prefix with the run's session id and the case's number) and a free host port for each
of the lab's ports, in its script and in its copy of the example folder. The lab's
read-only commands run in that namespace, and their output is mapped back to the
reader's names and ports: what is captured reads as the reader's own paste. The page's
checker (docs/assets/javascripts/labs.js, in Node through tests/js/check-lab.mjs) judges
each case; a case must pass (a right solution) or fail exactly the criteria it names (a
mistake). When the checker asks (a user given by name), the asked command runs too, and
its output is the answer.

``python -m course labs [EXAMPLE ...] [--capture] [--runs N]``: without --capture each
fresh output is compared with the saved one (output/CASE.txt), as transcripts are
(course.console's rules, and a few for running containers); --capture writes them, with
output/recorded.json and recorded.md. Each round prints the lab's seconds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from course import console, practice, recording
from course.engine import SESSION_ID, takes_build_lock

ROOT = Path(__file__).resolve().parents[2]
LABS = ROOT / "examples" / "labs"
CHECKER = ROOT / "tests" / "js" / "check-lab.mjs"
CASE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PREFIX = re.compile(r"lab-[0-9a-f]{12}-(?:\d+|s)-")
READY_SECONDS = 20.0
SCRIPT_SECONDS = 120.0
# Names a case gives, as typed: `--name X`, a build's `-t X[:tag]`, `docker tag SRC X`,
# `volume create X`, `network create X` (not `docker run -t`, a terminal).
GIVEN_NAME = re.compile(
    r"(?:--name[ =]|\bbuild\b[^\n]*?\s(?:-t\s+|--tag[ =])|\btag\s+\S+\s+"
    r"|(?:volume|network)\s+create\b[^\n;&|]*?\s(?=[A-Za-z0-9][\w.-]*\s*(?:$|[;&|>])))"
    r"([A-Za-z0-9][\w.-]*)",
    re.M,
)
# What differs between two runs of the same case, beyond course.console's rules: process ids,
# the random MAC addresses of running containers.
RUN_RULES = [
    (re.compile(r'"Pid": \d+'), '"Pid": <pid>'),
    (re.compile(r'"(MacAddress|ConmonPid)": "?[0-9a-f:]*"?'), r'"\1": <mac>'),
]


class CasesError(ValueError):
    """cases.yaml that the harness cannot use."""


@dataclasses.dataclass
class Case:
    name: str
    run: str
    passes: bool = False
    fails: tuple[str, ...] = ()
    says: str = ""
    message: str = ""
    ready: str | None = None
    asks: bool = False


@dataclasses.dataclass
class Lab:
    example: Path
    spec: dict
    names: list[str]
    ports: list[int]
    cases: dict[str, Case]
    shared_names: list[str] = dataclasses.field(default_factory=list)
    shared_run: str = ""

    @property
    def commands(self) -> list[str]:
        return [c["command"] for c in self.spec["commands"]]


def _need(cond: bool, where: Path, message: str) -> None:
    if not cond:
        shown = where.relative_to(ROOT) if where.is_relative_to(ROOT) else where
        raise CasesError(f"{shown}: {message}")


def load(example: Path) -> Lab:
    """The lab's cases, checked: its spec exists, ids exist, enough right and wrong cases."""
    import yaml

    example = Path(example).resolve()
    path = example / "cases.yaml"
    _need(path.is_file(), example, "no cases.yaml (docs/contributing/adding-a-lab.md)")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    _need(isinstance(data, dict), path, "a mapping: lab, names, ports, cases")
    unknown = sorted(set(data) - {"lab", "names", "ports", "ready", "shared", "cases"})
    _need(not unknown, path, f"unknown key {unknown[:1]} (known: lab, names, ports, ready, shared, cases)")
    try:
        spec = practice.lab_spec(str(data.get("lab")))
    except KeyError as error:
        raise CasesError(f"{path}: lab: {error}") from None
    ids = [c["id"] for c in spec["criteria"]]
    names = [str(n) for n in data.get("names") or []]
    ports = [int(p) for p in data.get("ports") or []]
    shared = data.get("shared") or {}
    _need(isinstance(shared, dict) and set(shared) <= {"names", "run"}, path, "shared: {names: [...], run: ...}")
    shared_names = [str(n) for n in shared.get("names") or []]
    cases: dict[str, Case] = {}
    raw = data.get("cases")
    _need(isinstance(raw, dict) and raw, path, "cases: a mapping of case names to cases")
    for name, c in raw.items():
        where = f"case {name!r}"
        _need(CASE_NAME.match(str(name)) is not None, path, f"{where}: lowercase letters, digits and dashes")
        _need(isinstance(c, dict) and isinstance(c.get("run"), str), path, f"{where}: needs run: (a script)")
        extra = sorted(set(c) - {"run", "passes", "fails", "says", "message", "ready", "asks"})
        _need(not extra, path, f"{where}: unknown key {extra[0] if extra else ''!r}")
        fails = tuple(str(f) for f in ([c["fails"]] if isinstance(c.get("fails"), str) else c.get("fails") or []))
        outcomes = [bool(c.get("passes")), bool(fails), bool(c.get("message"))]
        _need(sum(outcomes) == 1, path, f"{where}: give one of passes: true, fails: [ids] or message: text")
        for f in fails:
            _need(f in ids, path, f"{where}: fails {f!r}, not a criterion of lab {spec['name']} ({', '.join(ids)})")
        for given in GIVEN_NAME.findall(c["run"]):
            bare = given.split(":")[0]
            _need(
                bare in names or bare in shared_names,
                path,
                f"{where}: it names {given!r}; list {bare!r} under names: (each case gets its own copy)",
            )
        ready = c["ready"] if "ready" in c else data.get("ready")
        cases[str(name)] = Case(
            name=str(name),
            run=c["run"],
            passes=bool(c.get("passes")),
            fails=fails,
            says=str(c.get("says") or ""),
            message=str(c.get("message") or ""),
            ready=str(ready) if ready else None,
            asks=bool(c.get("asks")),
        )
    right = [c for c in cases.values() if c.passes]
    wrong = [c for c in cases.values() if not c.passes]
    _need(
        "solution" in cases and cases["solution"].passes,
        path,
        "the reference solution is the case 'solution' (passes: true)",
    )
    _need(len(right) >= 3, path, f"{len(right) - 1} other right solution(s): a lab needs at least 2")
    # A mistake answered with a message (`does not exist`) shows no hint: it counts for no criterion.
    firsts = {next(i for i in ids if i in c.fails) for c in wrong if c.fails}
    _need(len(wrong) >= 4, path, f"{len(wrong)} mistake(s): a lab needs at least 4")
    _need(
        len(firsts) >= 4,
        path,
        f"the mistakes fail only {len(firsts)} different criteria first: at least 4, each with its own hint "
        "(a mistake answered with a message counts for none)",
    )
    return Lab(example, spec, names, ports, cases, shared_names, str(shared.get("run") or ""))


# --------------------------------------------------------------------------- namespaces
def free_port(taken: set[int]) -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in taken:
            taken.add(port)
            return port


@dataclasses.dataclass
class Namespace:
    """One case's names and ports: `forward` turns the reader's into the case's, `back` undoes it."""

    prefix: str
    names: list[str]
    ports: dict[int, int]
    shared: tuple[str, list[str]] = ("", [])

    def forward(self, text: str) -> str:
        pairs = [(n, self.prefix + n) for n in self.names] + [(n, self.shared[0] + n) for n in self.shared[1]]
        for name, new in sorted(pairs, key=lambda p: -len(p[0])):
            text = re.sub(rf"(?<![\w./-]){re.escape(name)}(?![\w-]|\.\w)", new, text)
        for port, new in self.ports.items():
            text = re.sub(rf"(?<!\d){port}(?!\d)", str(new), text)
        return text

    def back(self, text: str) -> str:
        text = PREFIX.sub("", text)
        for port, new in self.ports.items():
            # As an address's port (`:41234`, `"HostPort": "41234"`) or curl's `port 41234`, not
            # any number (a process id may be the same).
            text = re.sub(rf'(?:(?<=[:"])|(?<=port )){new}(?!\d)', str(port), text)
        return text


def _copy(example: Path, dest: Path, ns: Namespace) -> None:
    """The example folder as the case sees it: its names and ports in every text file."""
    skip = {"output", "__pycache__", "cases.yaml", "test_example.py", "README.md"}
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(example, dest, ignore=lambda d, names: [n for n in names if n in skip])
    for path in dest.rglob("*"):
        if path.is_file():
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            path.write_text(ns.forward(text), encoding="utf-8")


# --------------------------------------------------------------------------- running
def _shell(engine, script: str, cwd: Path, timeout: float = SCRIPT_SECONDS) -> tuple[int | None, str]:
    """Run a Bash script as the reader would (the course's docker first on PATH): (status, output)."""
    env = dict(engine.env)
    env["PATH"] = f"{engine.wrapper_dir()}{os.pathsep}{env.get('PATH', '')}"
    try:
        cp = subprocess.run(
            ["bash", "-c", script],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        return None, out + f"\n(timed out after {timeout:.0f} s)"
    return cp.returncode, cp.stdout


def _wait_ready(engine, command: str, cwd: Path) -> str:
    """Poll `command` until it succeeds: '' when ready, else what it printed last."""
    deadline = time.monotonic() + READY_SECONDS
    out = ""
    pause = 0.1
    while time.monotonic() < deadline:
        rc, out = _shell(engine, command, cwd, timeout=10)
        if rc == 0:
            return ""
        time.sleep(pause)
        pause = min(pause * 1.5, 0.5)
    return f"`{command}` did not succeed within {READY_SECONDS:.0f} s; it printed:\n{out}"


@dataclasses.dataclass
class Outcome:
    case: Case
    ns: Namespace
    cwd: Path
    script: tuple[int | None, str] = (0, "")
    not_ready: str = ""
    outputs: list[str] = dataclasses.field(default_factory=list)
    answers: dict[str, str] = dataclasses.field(default_factory=dict)
    verdict: dict = dataclasses.field(default_factory=dict)
    asked: bool = False
    seconds: dict[str, float] = dataclasses.field(default_factory=dict)  # script, ready, commands

    def transcript(self, lab: Lab) -> list[str]:
        lines: list[str] = []
        for command, output in [*zip(lab.commands, self.outputs, strict=True), *self.answers.items()]:
            lines.append(f"$ {command}")
            lines += output.rstrip("\n").splitlines()
        return lines


@contextlib.contextmanager
def _timed(seconds: dict[str, float], name: str):
    """Add the seconds the block takes to seconds[name]."""
    started = time.monotonic()
    try:
        yield
    finally:
        seconds[name] = seconds.get(name, 0.0) + time.monotonic() - started


def _run_case(engine, lab: Lab, out: Outcome) -> Outcome:
    _copy(lab.example, out.cwd, out.ns)
    with _timed(out.seconds, "script"):
        out.script = _shell(engine, out.ns.forward(out.case.run), out.cwd)
    if out.case.ready:
        with _timed(out.seconds, "ready"):
            out.not_ready = _wait_ready(engine, out.ns.forward(out.case.ready), out.cwd)
    with _timed(out.seconds, "commands"):
        out.outputs = [out.ns.back(_shell(engine, out.ns.forward(c), out.cwd)[1]) for c in lab.commands]
    return out


def judge(jobs: list[dict]) -> list[dict]:
    """The page's checker on [{spec, pastes, answers}], in Node."""
    node = shutil.which("node")
    if not node:
        raise RuntimeError("node is not on PATH (the README's set-up needs Node.js 20+)")
    cp = subprocess.run(
        [node, str(CHECKER)], input=json.dumps(jobs), capture_output=True, text=True, timeout=120, check=False
    )
    if cp.returncode != 0:
        raise RuntimeError(f"{CHECKER.relative_to(ROOT)} failed:\n{cp.stderr[-3000:]}")
    return json.loads(cp.stdout)


def expectation(case: Case, verdict: dict) -> str:
    """'' when the checker's verdict is what the case declares, else what differs."""
    failed = [c for c in verdict["criteria"] if c["state"] == "fail"]
    said = "; ".join(f"{c['id']} {c['state']}: {c['seen']}" for c in verdict["criteria"] if c["state"] != "ok")
    if case.passes:
        return "" if verdict["passed"] else f"a right solution, not passed: {verdict['message']} ({said})"
    if case.message:
        if verdict["criteria"] or case.message not in verdict["message"]:
            return f"the page must say {case.message!r}, it says {verdict['message']!r} ({said})"
        return ""
    ids = [c["id"] for c in failed]
    if set(ids) != set(case.fails):
        return f"must fail {list(case.fails)}, fails {ids}: {verdict['message']} ({said})"
    if case.says and case.says not in failed[0]["seen"]:
        return f"the page must say {case.says!r} for {failed[0]['id']}, it says {failed[0]['seen']!r}"
    return ""


def pastes_of(commands: list[str], outputs: list[str]) -> list[str]:
    """What the reader pastes in each box: the command's output; for a command after the first
    that printed nothing, its command line (`$ COMMAND`), which tells the page that it ran."""
    pairs = enumerate(zip(commands, outputs, strict=True))
    return [out if n == 0 or out.strip() else f"$ {cmd}" for n, (cmd, out) in pairs]


def check_transcript(lab: Lab, lines: list[str]) -> tuple[list[str], dict[str, str]]:
    """(pastes, answers) from a case's saved transcript: the lab's commands, then asked ones."""
    found = console.transcript_commands(lines)
    pastes = pastes_of(lab.commands, ["\n".join(out) for _, out in found[: len(lab.commands)]])
    if [c for c, _ in found[: len(lab.commands)]] != lab.commands:
        raise CasesError(f"the transcript's commands are not the lab's: {[c for c, _ in found]}")
    return pastes, {c: "\n".join(out) for c, out in found[len(lab.commands) :]}


# Lists of `docker inspect` whose order the engine does not keep from run to run (Engine 28.5,
# twelve containers created at once with `-e A=… -e B=… -e C=… -v a:/a -v b:/b`: the Env order
# differed in 1 of 12, Mounts and HostConfig.Binds in 4 of 12: the daemon keeps mounts in a map).
# Compared as sets: their items are sorted before two captures are compared. Maps need nothing
# (Go's JSON encoder sorts their keys).
ORDER_FREE_LIST = re.compile(r'^( *)"(Env|Mounts|Binds)": \[$')


def _order_free(lines: list[str]) -> list[str]:
    """`lines` with the items of each ORDER_FREE_LIST sorted (by their text as transcripts compare it)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = ORDER_FREE_LIST.match(lines[i])
        out.append(lines[i])
        i += 1
        if not m:
            continue
        end = re.compile(rf"^ {{{len(m.group(1))}}}\],?$")
        items: list[list[str]] = []
        indent = None
        while i < len(lines) and not end.match(lines[i]):
            depth = len(lines[i]) - len(lines[i].lstrip(" "))
            closes = lines[i].strip() in ("}", "},", "]", "],")  # an object's end belongs to it
            if indent is None or (depth <= indent and not closes):  # an item starts: a string, a "{"
                indent = depth if indent is None else indent
                items.append([])
            items[-1].append(lines[i])
            i += 1
        for item in items:
            item[-1] = item[-1].rstrip(",")
        items.sort(key=lambda item: "\n".join(console.normalise(line) for line in item))
        for n, item in enumerate(items):
            out += item[:-1] + [item[-1] + ("," if n < len(items) - 1 else "")]
    return out


def _normalized(lines: list[str]) -> list[str]:
    lines = _order_free(lines)
    for pattern, repl in RUN_RULES:
        lines = [pattern.sub(repl, line) for line in lines]
    return lines


def _remove_prefixed(engine, prefix: str, images: bool = True) -> list[str]:
    """Remove containers, volumes, networks (and images) whose names start with `prefix`."""
    listings = {
        "containers": ("ps", "-a", "--format", "{{.Names}}", "--filter", f"name=^/?{prefix}"),
        "volumes": ("volume", "ls", "--format", "{{.Name}}", "--filter", f"name={prefix}"),
        "networks": ("network", "ls", "--format", "{{.Name}}", "--filter", f"name={prefix}"),
    }
    if images:  # a listing of images is the slow one, and fails while others remove theirs: again
        listings["images"] = ("images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", f"reference={prefix}*")

    def listing(args: tuple[str, ...]) -> list[str]:
        for _ in range(3):
            cp = engine.run_cmd(*args, check=False)
            if cp.returncode == 0:
                break
        return cp.stdout.split()

    with ThreadPoolExecutor(len(listings)) as pool:
        found = dict(zip(listings, pool.map(listing, listings.values()), strict=True))
    mine = {kind: [n for n in names if n.startswith(prefix)] for kind, names in found.items()}
    # The containers first, in one call (the CLI removes them all at once); then what they held,
    # at the same time: volumes and networks in threads, images here (`rmi` takes the engine's
    # build lock, which this thread may hold already: another thread would wait for it).
    if mine["containers"]:
        engine.run_cmd("rm", "-f", "-v", *mine["containers"], check=False)
    held = {"volumes": ("volume", "rm", "-f"), "networks": ("network", "rm")}
    with ThreadPoolExecutor(len(held)) as pool:
        done = [pool.submit(engine.run_cmd, *cmd, *mine[kind], check=False) for kind, cmd in held.items() if mine[kind]]
        if mine.get("images"):
            engine.run_cmd("rmi", "-f", *mine["images"], check=False)
        for future in done:
            future.result()
    return [n for names in mine.values() for n in names]


_SWEPT = False


def remove_abandoned(engine) -> list[str]:
    """What rounds of killed runs left (their session's lock is free), once per process."""
    global _SWEPT
    if _SWEPT:
        return []
    _SWEPT = True
    found = set()
    for listing in (
        ("ps", "-a", "--format", "{{.Names}}"),
        ("volume", "ls", "-q"),
        ("network", "ls", "--format", "{{.Name}}"),
    ):
        found |= {
            m.group(1)
            for n in engine.run_cmd(*listing, check=False).stdout.split()
            if (m := re.match(r"lab-([0-9a-f]{12})-", n))
        }
    images = engine.run_cmd("images", "--format", "{{.Repository}}", check=False).stdout.split()
    found |= {m.group(1) for n in images if (m := re.match(r"lab-([0-9a-f]{12})-", n))}
    removed: list[str] = []
    for session in sorted(found - {SESSION_ID}):
        path = engine.lock_path(f"session-{session}")
        with open(path, "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # that run is still going
            removed += _remove_prefixed(engine, f"lab-{session}-")
            path.unlink(missing_ok=True)
    return removed


@dataclasses.dataclass
class Round:
    lab: Lab
    outcomes: dict[str, Outcome]
    seconds: float
    shared: tuple[int | None, str] = (0, "")
    phases: dict[str, float] = dataclasses.field(default_factory=dict)

    def timing(self) -> str:
        """Where the round's seconds went: its phases, and the slowest case's steps."""
        text = ", ".join(f"{name} {sec:.1f}" for name, sec in self.phases.items() if sec >= 0.05)
        slowest = max(self.outcomes.values(), key=lambda o: sum(o.seconds.values()), default=None)
        if slowest is not None:
            steps = ", ".join(f"{name} {sec:.1f}" for name, sec in slowest.seconds.items())
            text += f"; slowest case {slowest.case.name}: {steps}"
        return text

    def problems(self, compare: bool = True) -> list[str]:
        """What is wrong: a case judged otherwise than it declares, or an output that differs from its capture."""
        found = []
        if self.shared[0] != 0:
            found.append(f"shared: its script failed ({self.shared[0]}):\n{self.shared[1][-2000:]}")
        for name, out in self.outcomes.items():
            where = f"{self.lab.example.relative_to(ROOT)} case {name}"
            wrong = out.not_ready or expectation(out.case, out.verdict)
            if out.case.asks and not out.asked:
                wrong = wrong or "the checker was expected to ask (asks: true), and did not"
            if wrong:
                found.append(f"{where}: {wrong}\n  its script printed:\n{out.script[1][-1500:]}")
                continue
            saved_path = self.lab.example / "output" / f"{name}.txt"
            if compare:
                if not saved_path.is_file():
                    found.append(
                        f"{where}: no {saved_path.relative_to(ROOT)}: run `python -m course labs "
                        f"{self.lab.example.relative_to(ROOT)} --capture`"
                    )
                    continue
                saved = _normalized(saved_path.read_text(encoding="utf-8").splitlines())
                differs = console.transcripts_mismatch(saved, _normalized(out.transcript(self.lab)))
                if differs:
                    found.append(f"{where}: the output differs from {saved_path.relative_to(ROOT)}: {differs}")
        return found


def run_round(engine, lab: Lab) -> Round:
    """All cases of `lab` at once: set up, wait, run the lab's commands, judge, remove."""
    started = time.monotonic()
    engine.wrapper_dir()  # made once, here: a script written while another thread runs it is "busy"
    remove_abandoned(engine)
    taken: set[int] = set()
    # The cases' folders: a fixed place, as Compose writes the folder into its labels.
    scratch = Path("/tmp") if Path("/tmp").is_dir() else Path(tempfile.gettempdir())
    shared = (f"lab-{SESSION_ID}-s-", lab.shared_names)
    outcomes: dict[str, Outcome] = {}
    for k, case in enumerate(lab.cases.values()):
        prefix = f"lab-{SESSION_ID}-{k}-"
        ns = Namespace(prefix, lab.names, {p: free_port(taken) for p in lab.ports}, shared)
        outcomes[case.name] = Outcome(case, ns, scratch / f"{prefix}{lab.spec['name']}")
    scripts = [lab.shared_run] + [c.run for c in lab.cases.values()]
    builds = any(takes_build_lock(s, lab.example) for s in scripts)
    makes_images = builds or any(re.search(r"\bdocker\s+(?:image\s+)?(?:tag|commit|load|import)\b", s) for s in scripts)
    shared_result: tuple[int | None, str] = (0, "")
    phases: dict[str, float] = {"start": time.monotonic() - started}
    # A round that builds holds the engine's build lock to its end: its clean-up removes images,
    # which needs the lock again, and taking it twice would wait for other sessions' builds twice.
    with contextlib.ExitStack() as locked:
        with _timed(phases, "build lock"):
            if builds:
                locked.enter_context(engine.build_lock())
        try:
            if lab.shared_run:
                with _timed(phases, "shared"):
                    ns = Namespace(shared[0], lab.shared_names, {}, shared)
                    cwd = scratch / f"{shared[0]}{lab.spec['name']}"
                    _copy(lab.example, cwd, ns)
                    shared_result = _shell(engine, ns.forward(lab.shared_run), cwd)
            with _timed(phases, "cases"), ThreadPoolExecutor(len(outcomes)) as pool:
                list(pool.map(lambda o: _run_case(engine, lab, o), outcomes.values()))
            data = practice.lab_data(lab.spec)
            jobs = [{"spec": data, "pastes": pastes_of(lab.commands, o.outputs)} for o in outcomes.values()]
            with _timed(phases, "judge"):
                for o, verdict in zip(outcomes.values(), judge(jobs), strict=True):
                    o.verdict = verdict
            asking = [o for o in outcomes.values() if o.verdict["asks"]]

            def answer(o: Outcome) -> None:  # the reader answers what the checker asks, then checks again
                o.asked = True
                for ask in o.verdict["asks"]:
                    o.answers[ask["command"]] = o.ns.back(_shell(engine, o.ns.forward(ask["command"]), o.cwd)[1])

            if asking:
                with _timed(phases, "asks"):
                    with ThreadPoolExecutor(len(asking)) as pool:
                        list(pool.map(answer, asking))
                    jobs = [
                        {"spec": data, "pastes": pastes_of(lab.commands, o.outputs), "answers": o.answers}
                        for o in asking
                    ]
                    for o, verdict in zip(asking, judge(jobs), strict=True):
                        o.verdict = verdict
        finally:
            try:
                with _timed(phases, "clean-up"):
                    _remove_prefixed(engine, f"lab-{SESSION_ID}-", images=makes_images)
            finally:
                for o in outcomes.values():
                    shutil.rmtree(o.cwd, ignore_errors=True)
                shutil.rmtree(scratch / f"{shared[0]}{lab.spec['name']}", ignore_errors=True)
    return Round(lab, outcomes, time.monotonic() - started, shared_result, phases)


def capture(engine, lab: Lab, rnd: Round) -> list[Path]:
    """Write each case's transcript to output/CASE.txt, and the recording note."""
    out_dir = lab.example / "output"
    out_dir.mkdir(exist_ok=True)
    written = []
    for stale in out_dir.glob("*.txt"):
        if stale.stem not in rnd.outcomes:
            stale.unlink()
    for name, o in rnd.outcomes.items():
        path = out_dir / f"{name}.txt"
        path.write_text("\n".join(o.transcript(lab)) + "\n", encoding="utf-8")
        written.append(path)
    recording.write(out_dir, recording.metadata(engine), written)
    return written


def examples() -> list[Path]:
    return sorted(p for p in LABS.glob("[0-9][0-9]-*") if (p / "cases.yaml").is_file())


def engine_test(test_file: str):
    """The test of a lab's example folder: `test_cases_on_the_engine = engine_test(__file__)`."""
    example = Path(test_file).resolve().parent

    def test_cases_on_the_engine(engine):
        lab = load(example)
        rnd = run_round(engine, lab)
        problems = rnd.problems()
        assert not problems, "\n\n".join(problems)

    test_cases_on_the_engine.__doc__ = f"Every case of {example.name}/cases.yaml, on the engine, judged by labs.js."
    return test_cases_on_the_engine


# --------------------------------------------------------------------------- CLI
def _cmd_labs(args) -> int:
    from course import baseimages
    from course.engine import engine_or_exit

    eng = engine_or_exit()
    baseimages.ensure(eng, baseimages.required_images(), log=lambda m: None)
    failed = 0
    for ex in [Path(e) for e in args.examples] or examples():
        lab = load(ex)
        capturing = args.capture  # for each folder: its first run captures, the later ones compare
        for n in range(1, args.runs + 1):
            rnd = run_round(eng, lab)
            problems = rnd.problems(compare=not capturing)
            right = sum(o.case.passes for o in rnd.outcomes.values())
            print(
                f"{lab.example.relative_to(ROOT)}: run {n}: {len(rnd.outcomes)} cases "
                f"({right} right, {len(rnd.outcomes) - right} mistakes) in {rnd.seconds:.1f} s"
                + (f", {len(problems)} problem(s)" if problems else ", as declared")
                + f" ({rnd.timing()})",
                flush=True,
            )
            for p in problems:
                print("  FAIL " + p.replace("\n", "\n    "))
            failed += bool(problems)
            if capturing and not problems:
                for path in capture(eng, lab, rnd):
                    print(f"  wrote {path.relative_to(ROOT)}")
                capturing = False  # the later runs compare with this capture
    return 1 if failed else 0


def register(subparsers) -> None:
    p = subparsers.add_parser("labs", help="run the labs' cases on the engine (examples/labs/*/cases.yaml)")
    p.add_argument("examples", nargs="*", help="lab folders (default: every examples/labs/NN-*)")
    p.add_argument("--capture", action="store_true", help="write output/CASE.txt (and recorded.json/md)")
    p.add_argument("--runs", type=int, default=1, help="rounds per lab (a new capture must come out the same 3 times)")
    p.set_defaults(func=_cmd_labs)
