"""The course's facts that a test can tell (issue 10, item 4).

Line endings of every file that goes into an image, no registry on host port
5000, no deprecated `docker stop --time`, `curl.exe` for Windows readers,
chapter times that add up, the minimum engine the pages state, and version
outputs that agree with each other and with the images. Docker-marked tests
ask the engine itself.
"""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
from pathlib import Path

import pytest

from course import console
from course import engine as course_engine
from course.baseimages import STANDIN_LABEL

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(p for p in (ROOT / "docs").rglob("*.md"))
READMES = sorted((ROOT / "examples").glob("*/*/README.md"))
TRANSCRIPTS = sorted((ROOT / "examples").glob("*/*/output/*.txt"))
CHAPTERS = ["concepts", "building-images", "running-containers"]


def rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


def numbered(path: Path):
    yield from enumerate(path.read_text(encoding="utf-8").splitlines(), 1)


# --- line endings --------------------------------------------------------------


def build_contexts() -> list[Path]:
    """Every folder that a `docker build` or a compose `build:` sends as context."""
    contexts = {p.parent for p in (ROOT / "examples").rglob("Dockerfile*") if "node_modules" not in p.parts}
    contexts |= {ROOT}  # the course's own Dockerfile and docs.Dockerfile build from the root
    for compose in (ROOT / "examples").rglob("compose.yaml"):
        contexts.add(compose.parent)
    return sorted(contexts)


def context_files(context: Path) -> list[str]:
    """Tracked and new (not ignored) files under the context, as repository paths."""
    cp = subprocess.run(
        [
            "git",
            "ls-files",
            "--cached",
            "--others",
            "--exclude-standard",
            "-z",
            "--",
            rel(context) if context != ROOT else ".",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted({p for p in cp.stdout.split("\0") if p and (ROOT / p).is_file()})


@pytest.mark.parametrize("context", build_contexts(), ids=lambda p: rel(p) if p != ROOT else "(root)")
def test_every_file_in_a_build_context_keeps_lf(context):
    """Git for Windows (core.autocrlf=true) must not turn `jq` into `jq\\r` inside an image."""
    files = context_files(context)
    assert files, f"{rel(context)}: no files found"
    cp = subprocess.run(
        ["git", "check-attr", "-z", "--stdin", "text", "eol"],
        cwd=ROOT,
        input="\0".join(files),
        capture_output=True,
        text=True,
        check=True,
    )
    fields = cp.stdout.split("\0")
    attrs: dict[str, dict[str, str]] = {}
    for path, attr, value in zip(fields[0::3], fields[1::3], fields[2::3], strict=False):
        attrs.setdefault(path, {})[attr] = value
    wrong = [
        f"{path}: text={a.get('text')} eol={a.get('eol')}"
        for path, a in sorted(attrs.items())
        if a.get("eol") != "lf" or a.get("text") == "unset"
    ]
    assert not wrong, "files that a Windows checkout may give CRLF (fix .gitattributes):\n" + "\n".join(wrong)


def test_a_windows_checkout_gives_lf(tmp_path):
    """Check out the committed example files as Git for Windows does by default, and read them."""
    example = "examples/building-images/05-layer-cache"
    tracked = subprocess.run(
        ["git", "ls-files", "--", example], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert f"{example}/packages.txt" in tracked
    subprocess.run(
        ["git", "-c", "core.autocrlf=true", "checkout-index", f"--prefix={tmp_path}/", "--", *tracked],
        cwd=ROOT,
        check=True,
    )
    crlf = [p for p in tracked if b"\r\n" in (tmp_path / p).read_bytes()]
    assert not crlf, f"core.autocrlf=true checks these out with CRLF: {crlf}"
    assert (tmp_path / example / "packages.txt").read_bytes().splitlines()[0] == b"jq"


# --- commands on pages and in examples -------------------------------------------

HOST_PORT_5000 = re.compile(
    r"(?:-p|--publish)[ =](?:[\d.]+:)?5000:"  # docker run -p 5000:… / -p 127.0.0.1:5000:…
    r"|localhost:5000\b|127\.0\.0\.1:5000\b"  # a registry reached on host port 5000
    r"|^\s*-\s*[\"']?(?:[\d.]+:)?5000:\d+"  # compose ports: - "5000:5000"
)
STOP_TIME = re.compile(r"\bdocker (?:container )?stop\b[^\n`]*--time(?!out)\b")


def text_files():
    files = PAGES + READMES + TRANSCRIPTS + sorted((ROOT / "examples").rglob("compose.yaml"))
    return [f for f in files if "node_modules" not in f.parts]


def test_no_registry_on_host_port_5000():
    """macOS 12+ runs the AirPlay Receiver on port 5000: nothing may publish there."""
    found = [
        f"{rel(f)}:{n}: {line.strip()}" for f in text_files() for n, line in numbered(f) if HOST_PORT_5000.search(line)
    ]
    assert not found, "host port 5000 (taken by AirPlay on macOS); use 127.0.0.1:5001:\n" + "\n".join(found)


def test_registries_publish_on_localhost_only():
    runs = [
        (f, n, line)
        for f in text_files()
        for n, line in numbered(f)
        if re.search(r"docker run\b.*\bregistry:\d", line) and re.search(r"(?:-p|--publish)[ =]", line)
    ]
    assert runs, "no `docker run … registry:N` found: the check looks at nothing"
    wrong = [
        f"{rel(f)}:{n}: {line.strip()}"
        for f, n, line in runs
        if not re.search(r"(?:-p|--publish)[ =]127\.0\.0\.1:", line)
    ]
    assert not wrong, "a registry has no password: publish it on 127.0.0.1 only:\n" + "\n".join(wrong)


def test_no_deprecated_docker_stop_time():
    files = text_files() + [ROOT / "docs/reference/cheat-sheet.md"]
    found = [f"{rel(f)}:{n}: {line.strip()}" for f in files for n, line in numbered(f) if STOP_TIME.search(line)]
    assert not found, "`docker stop --time` is deprecated; write --timeout (or -t):\n" + "\n".join(found)


TAB = re.compile(r'^(?P<indent>[ \t]*)===[+!]? "(?P<title>[^"]+)"')
FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,})[ \t]*(?P<info>\S*)")
BARE_CURL = re.compile(r"(?:^|[|;({]\s*)curl(?!\.exe)\b")


def tab_group(lines: list[str], at: int) -> dict[str, str] | None:
    """The content tabs around line index `at` (title → text), or None outside tabs."""
    indent = len(lines[at]) - len(lines[at].lstrip())
    header = None
    for i in range(at, -1, -1):
        m = TAB.match(lines[i])
        if m and len(m["indent"]) < indent:
            header = i
            break
        if lines[i].strip() and len(lines[i]) - len(lines[i].lstrip()) < indent and not m:
            return None
    if header is None:
        return None
    tab_indent = TAB.match(lines[header])["indent"]
    start = header
    while start > 0:  # earlier tabs of the same group
        j = start - 1
        while j > 0 and (not lines[j].strip() or lines[j].startswith(tab_indent + " ")):
            j -= 1
        m = TAB.match(lines[j])
        if m and m["indent"] == tab_indent:
            start = j
        else:
            break
    tabs: dict[str, list[str]] = {}
    title = None
    for line in lines[start:]:
        m = TAB.match(line)
        if m and m["indent"] == tab_indent:
            title = m["title"]
            tabs[title] = []
        elif not line.strip() or line.startswith(tab_indent + " "):
            tabs[title].append(line)
        else:
            break
    return {t: "\n".join(body) for t, body in tabs.items()}


def curl_commands(page: Path):
    """(page line, command) of every `curl` command in the page's console blocks, includes expanded."""
    for block in console.parse_file(page):
        for cmd in block.commands:
            if re.match(r"(?:\S+=\S+\s+)*curl\b", cmd.text):
                yield block.lineno, cmd.text


@pytest.mark.parametrize("page", PAGES, ids=rel)
def test_curl_commands_have_a_powershell_tab_with_curl_exe(page):
    """In Windows PowerShell 5.1 `curl` is Invoke-WebRequest: Windows readers get `curl.exe`."""
    lines = page.read_text(encoding="utf-8").splitlines()
    problems = []
    for lineno, cmd in curl_commands(page):
        if "--unix-socket" in cmd:
            continue  # Docker's API socket; on Windows the daemon listens on a named pipe (the page says so)
        tabs = tab_group(lines, lineno - 1)
        windows = [body for title, body in (tabs or {}).items() if "PowerShell" in title]
        if not windows or "curl.exe" not in windows[0]:
            problems.append(f"{rel(page)}:{lineno}: `{cmd}` has no Windows (PowerShell) tab with curl.exe")
    for n, line in enumerate(lines):
        m = FENCE_OPEN.match(line)
        if not m or m["info"] not in ("powershell", "pwsh", "ps1"):
            continue
        for k in range(n + 1, len(lines)):
            if lines[k].strip().startswith(m["fence"]):
                break
            if BARE_CURL.search(lines[k]):
                problems.append(f"{rel(page)}:{k + 1}: PowerShell block calls `curl`; write `curl.exe`")
    assert not problems, "\n".join(problems)


# --- chapter times -------------------------------------------------------------------

HOURS = re.compile(r"About (\d+(?:\.5)?) hours?\b")
MINUTES = re.compile(r"About (\d+) minutes\b")


def stated_time(page: Path) -> tuple[str, float]:
    """The 'Time required' admonition of a page: ('h', hours) or ('m', minutes)."""
    text = page.read_text(encoding="utf-8")
    m = re.search(r'!!! info "Time required"\n\n(.*?)(?:\n\n|\Z)', text, re.S)
    assert m, f"{rel(page)}: no 'Time required' box"
    body = " ".join(m.group(1).split())
    if h := HOURS.search(body):
        return "h", float(h.group(1))
    mins = MINUTES.search(body)
    assert mins, f"{rel(page)}: the 'Time required' box states no time: {body!r}"
    return "m", float(mins.group(1))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_time_is_the_sum_of_its_pages(chapter):
    folder = ROOT / "docs" / chapter
    unit, total = stated_time(folder / "index.md")
    assert unit == "h", f"docs/{chapter}/index.md states its time in minutes, not hours"
    pages = [p for p in sorted(folder.glob("*.md")) if p.name != "index.md"]
    minutes = {rel(p): stated_time(p)[1] for p in pages}
    summed = sum(minutes.values())
    assert abs(summed - total * 60) <= 15, (
        f"docs/{chapter}/index.md says about {total:g} hours, its pages add up to {summed:g} minutes: {minutes}"
    )


def test_course_pages_state_the_chapter_times():
    chapter_hours = {c: stated_time(ROOT / "docs" / c / "index.md")[1] for c in CHAPTERS}
    index = " ".join((ROOT / "docs/index.md").read_text(encoding="utf-8").split())
    m = re.search(r"## Time required (.*?) ##", index)
    assert m, "docs/index.md has no 'Time required' section"
    stated = [float(h) for h in re.findall(r"(\d+(?:\.5)?) hours?", m.group(1))]
    assert stated == list(chapter_hours.values()), (
        f"docs/index.md states {stated} hours for the chapters, the chapters say {chapter_hours}"
    )
    how_to = (ROOT / "docs/how-to-use.md").read_text(encoding="utf-8")
    for chapter, hours in chapter_hours.items():
        row = re.search(rf"\]\({chapter}/index\.md\) \| about (\d+(?:\.5)?) hours? \|", how_to)
        assert row, f"docs/how-to-use.md: no time row for {chapter}"
        assert float(row.group(1)) == hours, (
            f"docs/how-to-use.md says {row.group(1)} hours for {chapter}, the chapter {hours:g}"
        )


# --- engine and versions -----------------------------------------------------------


def test_stated_minimum_engine_is_the_course_engines():
    text = " ".join((ROOT / "docs/building-images/index.md").read_text(encoding="utf-8").split())
    m = re.search(r"Docker Engine (\d+(?:\.\d+)?) or newer", text)
    assert m, "docs/building-images/index.md states no minimum Docker Engine"
    assert m.group(1) == str(course_engine.MIN_ENGINE), (
        f"the page asks for Engine {m.group(1)}, the course's tests need {course_engine.MIN_ENGINE}"
    )


def shown_outputs(pattern: str) -> dict[str, str]:
    """Output line shown after each command matching `pattern`, in pages, READMEs and transcripts."""
    shown: dict[str, str] = {}
    for f in PAGES + READMES + TRANSCRIPTS:
        lines = f.read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(lines[:-1]):
            if re.search(pattern, line) and line.lstrip().startswith("$ "):
                shown[f"{rel(f)}:{n + 2}"] = lines[n + 1].strip()
    return shown


NODE_VERSION = r"node:24-slim node --version$"
PYTHON_VERSION = r"python:3\.13-slim python3? --version$"


def test_node_and_python_versions_shown_agree():
    node = shown_outputs(NODE_VERSION)
    python = shown_outputs(PYTHON_VERSION)
    history = shown_outputs(r"python:3\.13-slim \| grep PYTHON_VERSION$")
    assert len(node) >= 2 and python and history, (node, python, history)
    assert len(set(node.values())) == 1, f"different `node --version` outputs: {node}"
    assert len(set(python.values())) == 1, f"different `python --version` outputs: {python}"
    (py,) = set(python.values())
    for where, env in history.items():
        assert env == f"ENV PYTHON_VERSION={py.removeprefix('Python ')}", f"{where}: {env}, but pages show {py}"


@pytest.mark.docker
def test_shown_versions_are_what_the_images_hold(engine):
    """The images on this engine print the versions the pages show (exact for the recorded stand-ins)."""
    checks = {
        "node:24-slim": (["node", "--version"], set(shown_outputs(NODE_VERSION).values())),
        "python:3.13-slim": (["python", "--version"], set(shown_outputs(PYTHON_VERSION).values())),
    }
    for image, (command, shown) in checks.items():
        (expected,) = shown
        actual = engine.out("run", "--rm", image, *command)
        labels = engine.out("image", "inspect", "--format", "{{json .Config.Labels}}", image)
        if STANDIN_LABEL.split("=")[0] in labels:
            assert actual == expected, f"{image} prints {actual!r}, the pages show {expected!r}"
        else:  # a pulled official image moves with patch releases; the major.minor must still match
            assert re.sub(r"\.\d+$", "", actual) == re.sub(r"\.\d+$", "", expected), (image, actual, expected)
    env = engine.out("image", "inspect", "--format", "{{json .Config.Env}}", "python:3.13-slim")
    assert f"PYTHON_VERSION={engine.out('run', '--rm', 'python:3.13-slim', 'python', '--version').split()[1]}" in env


@pytest.mark.docker
def test_containers_share_the_hosts_user_ids_without_a_user_namespace(engine):
    """What vms-and-containers.md says: no user namespace unless rootless or userns-remap."""
    security = engine.out("info", "--format", "{{json .SecurityOptions}}")
    uid_map = engine.out("run", "--rm", "debian:trixie-slim", "cat", "/proc/self/uid_map").split()
    identity = uid_map[:3] == ["0", "0", "4294967295"]
    if "rootless" in security or "userns" in security:
        assert not identity, f"{security}: expected a user namespace, uid_map is {uid_map}"
    else:
        assert identity, f"no rootless/userns in {security}, yet the container's uid_map is {uid_map}"


@pytest.mark.docker
def test_image_id_is_the_manifest_digest_with_the_containerd_store(engine, tmp_path):
    """The glossary: with the containerd image store the image ID is the manifest digest, not the config's."""
    assert engine.server.snapshotter == course_engine.SNAPSHOTTER, engine.server.describe()
    tag = f"docker-basics-test/image-id:{course_engine.SESSION_ID}"
    dockerfile = "FROM scratch\nLABEL org.docker-basics.demo=image-id\n"
    engine.run_cmd("build", "--quiet", "--label", course_engine.SESSION_LABEL, "-t", tag, "-", input=dockerfile)
    try:
        image_id = engine.out("image", "inspect", "--format", "{{.Id}}", tag)
        archive = tmp_path / "image.tar"
        engine.run_cmd("save", "--output", str(archive), tag)
        with tarfile.open(archive) as tar:
            index = json.load(tar.extractfile("index.json"))
        (descriptor,) = index["manifests"]
        assert "manifest" in descriptor["mediaType"] or "index" in descriptor["mediaType"], descriptor
        assert image_id == descriptor["digest"], f"image ID {image_id}, saved manifest {descriptor}"
        config = descriptor.get("annotations", {}).get("config.digest")
        assert config and config != image_id, descriptor
    finally:
        engine.run_cmd("image", "rm", tag, check=False)


@pytest.mark.docker
def test_dockerignore_patterns_are_anchored_at_the_context_root(engine, tmp_path):
    """dockerfile-basics.md: `temp` leaves out ./temp only, `**/*.log` any depth, `!` lets back in, no .gitignore."""
    ctx = tmp_path / "context"
    files = ["temp", "src/temp", "src/debug.log", "deep/er/trace.log", "keep.log", "src/app.py"]
    for name in files:
        (ctx / name).parent.mkdir(parents=True, exist_ok=True)
        (ctx / name).write_text(name + "\n", encoding="utf-8")
    (ctx / ".dockerignore").write_text("temp\n**/*.log\n!keep.log\n", encoding="utf-8")
    (ctx / ".gitignore").write_text("src/\n", encoding="utf-8")  # Docker does not read it
    (ctx / "Dockerfile").write_text("FROM scratch\nCOPY . /\n", encoding="utf-8")
    out = tmp_path / "out"
    engine.run_cmd("build", "--output", f"type=local,dest={out}", str(ctx), timeout=300)
    got = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert got == [".dockerignore", ".gitignore", "Dockerfile", "keep.log", "src/app.py", "src/temp"], got


def test_pages_name_the_user_the_node_example_really_sets():
    """non-root.md and dev-and-prod.md quote the 02-node-api Dockerfile's USER line as it is."""
    users = re.findall(r"^USER\s+(\S+)", (ROOT / "examples/building-images/02-node-api/Dockerfile").read_text(), re.M)
    assert users == ["1000:1000"], users
    for page in ("docs/building-images/non-root.md", "docs/building-images/dev-and-prod.md"):
        text = (ROOT / page).read_text(encoding="utf-8")
        assert "USER 1000:1000" in text, f"{page} does not show the example's USER line"
        assert "USER node" not in text, f"{page} says `USER node`; the example's Dockerfile says USER 1000:1000"
