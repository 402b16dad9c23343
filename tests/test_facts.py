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
import socket
import subprocess
import tarfile
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from course import console, setups
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


# --- the outside review of chapter 3 (issue 17) -------------------------------------

RUNNING = ROOT / "docs" / "running-containers"
RUNNING_PAGES = sorted(RUNNING.glob("*.md"))


def flat(path: Path) -> str:
    """A file's text with line breaks and indentation folded into single spaces."""
    return " ".join(path.read_text(encoding="utf-8").split())


def test_docker_stop_is_not_said_to_beat_every_restart_policy():
    """`--restart always` starts a stopped container again when the daemon restarts."""
    false_claim = re.compile(r"never undone by a restart policy|restart policy \(not after docker stop\)")
    found = [f"{rel(p)}:{n}: {line.strip()}" for p in PAGES for n, line in numbered(p) if false_claim.search(line)]
    assert not found, "`docker stop` is undone by `always` when the daemon restarts:\n" + "\n".join(found)
    page = flat(RUNNING / "restarts-and-exit-statuses.md")
    row = re.search(r"\| `always` \|[^|]*\|([^|]*)\|", page)
    assert row and "daemon restarts, then starts again" in row.group(1), row and row.group(0)
    assert "with `always`, a container that you stopped is started again when the daemon restarts" in page


def test_restart_policies_exit_statuses_and_init_have_their_own_page():
    first = flat(RUNNING / "running-and-inspecting.md")
    second = flat(RUNNING / "restarts-and-exit-statuses.md")
    for heading in ("## Restart policies", "## Exit statuses", "## Why did my container exit?"):
        assert heading in second, heading
        assert heading not in first, f"running-and-inspecting.md still has {heading}"
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert (
        nav.index("running-containers/running-and-inspecting.md")
        < nav.index("running-containers/restarts-and-exit-statuses.md")
        < nav.index("running-containers/ports.md")
    )


def test_why_did_my_container_exit_recipe_is_complete():
    page = flat(RUNNING / "restarts-and-exit-statuses.md")
    recipe = page[page.index("## Why did my container exit?") : page.index("## Exit statuses")]
    for step in ("`docker ps -a`", "`docker logs", "`.State`", "`--entrypoint sh`", "`--rm`"):
        assert step in recipe, f"the recipe does not mention {step}"
    shown = (ROOT / "examples/running-containers/01-run-inspect/output/why-exit.txt").read_text(encoding="utf-8")
    assert "Exited (1)" in shown and "crashing on purpose" in shown and "exit=1" in shown, shown


def test_exec_is_said_to_run_as_the_containers_user():
    page = flat(RUNNING / "running-and-inspecting.md")
    assert "as the image's user" not in page
    assert "as the container's user" in page and "`docker run --user`" in page


def test_cp_network_inspect_and_the_replace_loop_are_shown():
    first = flat(RUNNING / "running-and-inspecting.md")
    assert "01-run-inspect/output/copy.txt" in first and "01-run-inspect/output/replace.txt" in first
    replace = (ROOT / "examples/running-containers/01-run-inspect/output/replace.txt").read_text(encoding="utf-8")
    assert [ln.split()[2:4] for ln in replace.splitlines() if ln.startswith("$ docker")][:3] == [
        ["build", "-q"],
        ["rm", "-f"],
        ["run", "-d"],
    ], replace
    networks = (RUNNING / "networks.md").read_text(encoding="utf-8")
    assert re.search(r"^\s*\$ docker network inspect ", networks, re.M), "networks.md runs no docker network inspect"
    assert "--build" in flat(RUNNING / "compose.md"), "compose.md does not say that up needs --build to rebuild"


def test_host_is_not_said_to_lack_a_route_to_container_ports():
    """On Linux the host reaches any port of a container on a bridge by its IP; Docker Desktop does not."""
    wrong = re.compile(r"no route into the network|only other containers on the same network could reach it")
    found = [f"{rel(p)}:{n}: {line.strip()}" for p in PAGES for n, line in numbered(p) if wrong.search(line)]
    assert not found, "\n".join(found)
    for name in ("ports.md", "networks.md"):
        page = flat(RUNNING / name)
        assert re.search(r"On Linux[^.]*host[^.]*(?:IP address|its IP)[^.]*published or not", page), name
        assert "Docker Desktop has no such route" in page, name


@pytest.mark.docker
def test_the_host_reaches_an_unpublished_port_by_the_containers_ip(engine):
    """What ports.md and networks.md now say, on this engine (rootful Docker Engine on Linux)."""
    security = engine.out("info", "--format", "{{json .SecurityOptions}}")
    cid = engine.out(
        "run", "-d", "--label", course_engine.TEST_LABEL, "--label", course_engine.SESSION_LABEL,
        "python:3.13-slim", "python", "-m", "http.server", "8000",
    )  # fmt: skip
    try:
        ip = engine.out("inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", cid)
        assert engine.out("port", cid) == "", "the container publishes a port"
        status, error = None, None
        for _ in range(50):
            try:
                with urllib.request.urlopen(f"http://{ip}:8000/", timeout=2) as answer:
                    status = answer.status
                    break
            except OSError as exc:
                error = exc
                time.sleep(0.2)
        if "rootless" in security:
            assert status is None, "a rootless engine's containers should not be reachable from the host"
        else:
            assert status == 200, f"the host could not reach {ip}:8000, unpublished: {error}"
    finally:
        engine.run_cmd("rm", "-f", cid, check=False)


def test_memory_limits_also_limit_swap():
    """Without --memory-swap, a host with swap lets the container use as much swap again."""
    runs = [
        (f, n, line)
        for f in text_files()
        for n, line in numbered(f)
        if re.search(r"docker run\b.*--memory[ =]\d", line) and "--memory-swap" not in line
    ]
    assert not runs, "`--memory` without `--memory-swap`:\n" + "\n".join(
        f"{rel(f)}:{n}: {line.strip()}" for f, n, line in runs
    )
    assert "--memory-swap" in flat(RUNNING / "resources-and-clean-up.md")


def test_the_dangling_image_of_the_prune_demo_is_explained_rightly():
    page = flat(RUNNING / "resources-and-clean-up.md")
    assert "takes the tag `clean-up-demo` from the first" not in page
    assert "the first build has no tag (no `-t`), so its image is **dangling** from the start" in page
    shown = (ROOT / "examples/running-containers/06-resources/output/prune-images.txt").read_text(encoding="utf-8")
    builds = [ln for ln in shown.splitlines() if ln.startswith("$ ") and "docker build" in ln]
    assert len(builds) == 2 and " -t " not in builds[0] and " -t clean-up-demo " in builds[1], builds
    assert shown.splitlines()[5] == "<none>:<none>", shown


def test_logs_that_fill_the_disk_are_mentioned():
    page = flat(RUNNING / "resources-and-clean-up.md")
    assert "`docker system df` does not count the containers' logs" in page
    assert "**never rotates it**" in page and "max-size" in page and "max-file" in page


@pytest.mark.docker
def test_volume_prune_takes_no_until_filter(engine):
    """resources-and-clean-up.md: `docker volume prune` takes only `label` filters."""
    assert "`docker volume prune` takes only `label` filters, not `until`" in flat(
        RUNNING / "resources-and-clean-up.md"
    )
    cp = engine.run_cmd(
        "volume", "prune", "--force", "--filter", "until=24h", "--filter", "label=org.docker-basics.none=1", check=False
    )
    assert cp.returncode != 0 and "invalid filter 'until'" in cp.stderr, (cp.returncode, cp.stderr)


def test_postgres_data_volume_is_where_postgres_18_keeps_it():
    """postgres 18 declares VOLUME /var/lib/postgresql; a mount on .../data misses the data."""
    mounts = [
        f"{rel(p)}:{n}: {line.strip()}"
        for p in PAGES
        for n, line in numbered(p)
        if re.search(r":/var/lib/postgresql/data\b", line) and "17" not in line
    ]
    assert not mounts, "mounts on /var/lib/postgresql/data (PostgreSQL 17 and older only):\n" + "\n".join(mounts)
    data = flat(RUNNING / "data.md")
    assert "-v dbdata:/var/lib/postgresql postgres:18" in data and "POSTGRES_PASSWORD" in data
    runs = [
        f"{rel(p)}:{n}: {line.strip()}"
        for p in PAGES
        for n, line in numbered(p)
        if re.search(r"docker run\b.*\bpostgres(?::\d+)?\b", line) and "POSTGRES_PASSWORD" not in line
    ]
    assert not runs, "the postgres image needs POSTGRES_PASSWORD for a new database:\n" + "\n".join(runs)
    compose = (RUNNING / "compose.md").read_text(encoding="utf-8")
    assert re.search(r"image: postgres:\d+\n\s+environment:\n\s+POSTGRES_PASSWORD:", compose)


def test_image_ls_pages_mention_the_cli_29_view():
    """CLI 29 prints IMAGE ID DISK USAGE CONTENT SIZE EXTRA; the course's CLI 28.5 the classic table."""
    pages = [
        p for p in PAGES if re.search(r"^\s*REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\s*$", console_text(p), re.M)
    ]
    # multi-stage.md lists its sizes with --format, which CLI 29 prints alike (tests/test_docker_setups.py
    # holds every page that runs `docker image ls` to its note).
    assert {rel(p) for p in pages} >= {"docs/building-images/dockerfile-basics.md"}
    data = setups.load()
    for page in pages:
        # The page's own words and its ```differs notes, which the build renders from includes/docker-setups.yml.
        ids = [i for found in setups.find_in_text(page.read_text(encoding="utf-8"), rel(page)) for i in found.ids]
        notes = " ".join(note.text for i in ids for note in data.differences[i].notes)
        text = flat(page) + " " + " ".join(notes.split())
        assert "Docker CLI 29" in text and "`DISK USAGE`" in text, f"{rel(page)} shows the classic table only"
        assert "--format 'table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.Size}}'" in text, rel(page)


def console_text(page: Path) -> str:
    """The page's console blocks, includes expanded, as one text."""
    out = []
    for block in console.parse_file(page):
        for cmd in block.commands:
            out.append("$ " + cmd.text)
            out.extend(cmd.expected)
    return "\n".join(out)


def test_ports_page_covers_the_usual_port_failures():
    page = flat(RUNNING / "ports.md")
    for needed in (
        "port is already allocated",
        "address already in use",
        "docker ps --filter publish=8080",
        "lsof -i :8080",
        "Get-NetTCPConnection -LocalPort 8080",
        "`Created`",
        "`docker rm web-3`",
        "listens on `127.0.0.1`",
        "`0.0.0.0`",
    ):
        assert needed in page, f"ports.md does not mention {needed}"


def test_chapter_3_says_its_base_images_are_stand_ins():
    """Where output shows the stand-in's own details, the page says so, as chapter 2 does."""
    assert "local stand-in with the same tag" in flat(RUNNING / "index.md")
    standin_details = re.compile(r"LANG=C\.UTF-8|PYTHON_VERSION=")
    for page in RUNNING_PAGES:
        if standin_details.search(console_text(page)):
            assert "stand-in" in flat(page), f"{rel(page)} shows a stand-in's details without saying so"


def test_chapter_3_uses_no_gnu_only_stat():
    found = [f"{rel(p)}: {ln}" for p in RUNNING_PAGES for ln in console_text(p).splitlines() if "stat -c" in ln]
    assert not found, "`stat -c` is GNU only (macOS's stat refuses it):\n" + "\n".join(found)


BASH_ONLY = re.compile(
    r"\$\?"  # a number in bash, a Boolean in PowerShell ($LASTEXITCODE)
    r"|\|\s*(?:grep|head|tail|sort|cut|awk)\b"  # Unix text tools
    r"|\|\s*docker (?:run|exec) -i\b"  # text piped to a shell in a container (PowerShell adds CRLF)
    r"|^(?:printf|head|grep|stat|ls -ld)\b|\$\(pwd\)"
)


def bash_only_without_powershell_tab(page: Path) -> list[str]:
    """Console commands with bash-only syntax that sit in no tab group with a PowerShell tab."""
    lines = page.read_text(encoding="utf-8").splitlines()
    problems = []
    for block in console.parse_file(page):
        if block.skip:
            continue
        bad = [c.text for c in block.commands if BASH_ONLY.search(c.text)]
        if not bad:
            continue
        tabs = tab_group(lines, block.lineno - 1) or {}
        if not any("PowerShell" in title for title in tabs):
            problems.append(f"{console._rel(page)}:{block.lineno}: `{bad[0]}` is bash only and has no PowerShell tab")
    return problems


def test_bash_only_syntax_in_chapter_3_has_a_powershell_tab():
    problems = [p for page in RUNNING_PAGES for p in bash_only_without_powershell_tab(page)]
    assert not problems, "\n".join(problems)


def test_bash_only_check_catches_a_planted_fault(tmp_path, monkeypatch):
    page = tmp_path / "page.md"
    page.write_text('# P\n\n```console\n$ docker run --rm x; echo "exit status: $?"\n```\n', encoding="utf-8")
    assert bash_only_without_powershell_tab(page), "a `$?` outside tabs was not found"
    page.write_text(
        '# P\n\n=== "Linux and macOS"\n\n    ```console\n    $ docker run --rm x; echo "exit status: $?"\n    ```\n\n'
        '=== "Windows (PowerShell)"\n\n    ```powershell\n'
        '    docker run --rm x; "exit status: $LASTEXITCODE"\n    ```\n',
        encoding="utf-8",
    )
    assert not bash_only_without_powershell_tab(page)


def powershell_curls_without_retries(page: Path) -> list[str]:
    """The n-th curl.exe of a PowerShell tab must retry when the n-th curl of its bash tab does."""
    lines = page.read_text(encoding="utf-8").splitlines()
    problems = []
    for block in console.parse_file(page):
        curls = [c.text for c in block.commands if re.match(r"(?:\S+=\S+\s+)*curl\b", c.text)]
        if not curls:
            continue
        tabs = tab_group(lines, block.lineno - 1) or {}
        windows = next((body for title, body in tabs.items() if "PowerShell" in title), "")
        exe = [ln.strip() for ln in windows.splitlines() if "curl.exe" in ln]
        for bash, ps in zip(curls, exe, strict=False):
            if "--retry" in bash and "--retry" not in ps:
                problems.append(f"{rel(page)}:{block.lineno}: `{ps}` lacks the retries of `{bash}`")
    return problems


def test_powershell_curl_calls_retry_as_the_bash_ones_do():
    problems = [p for page in RUNNING_PAGES for p in powershell_curls_without_retries(page)]
    assert not problems, "\n".join(problems)


def test_compose_page_explains_interpolation_env_and_rebuilds():
    page = flat(RUNNING / "compose.md")
    for needed in (
        "`${API_PORT:-3030}`",
        "`.env`",
        "`docker compose up -d --build`",
        "Compose removes the quotes around a value in `.env`",
        "`docker run --env-file` keeps them",
        "the attribute `version` is obsolete, it will be ignored",
        "Docker Compose 2.22",
    ):
        assert needed in page, f"compose.md does not say {needed}"


@pytest.mark.docker
def test_env_file_keeps_quotes_that_compose_strips(engine, tmp_path):
    """compose.md: `docker run --env-file` keeps quotes, Compose's .env removes them."""
    (tmp_path / "quoted.env").write_text('GREETING="Hello"\n', encoding="utf-8")
    shown = engine.out(
        "run", "--rm", "--env-file", str(tmp_path / "quoted.env"), "debian:trixie-slim", "printenv", "GREETING"
    )
    assert shown == '"Hello"', shown
    (tmp_path / ".env").write_text('GREETING="Hello"\n', encoding="utf-8")
    (tmp_path / "compose.yaml").write_text(
        "services:\n  a:\n    image: debian:trixie-slim\n    environment:\n      GREETING: ${GREETING}\n",
        encoding="utf-8",
    )
    config = engine.run_cmd("compose", "--project-directory", str(tmp_path), "config", "--format", "json").stdout
    assert json.loads(config)["services"]["a"]["environment"]["GREETING"] == "Hello", config


def test_multi_stage_page_fixes():
    page = flat(ROOT / "docs/building-images/multi-stage.md")
    assert "as Go and Rust programs often are" not in page
    assert "`CGO_ENABLED=0`" in page and "musl" in page
    assert "/lib/aarch64-linux-gnu/libc.so.6" in page
    assert "recorded with every step in the build cache" in page
    log = (ROOT / "examples/building-images/07-multi-stage/output/build.txt").read_text(encoding="utf-8")
    assert "CACHED" in log, "the build log is no longer warm: update the sentence about it"


@pytest.mark.docker
def test_a_port_held_by_a_program_gives_address_already_in_use(engine):
    """ports.md: another program on the port is `address already in use`, a container `port is already allocated`."""
    labels = ["--label", course_engine.TEST_LABEL, "--label", course_engine.SESSION_LABEL]
    holder = socket.socket()
    holder.bind(("0.0.0.0", 0))
    holder.listen()
    port = holder.getsockname()[1]
    name = f"test-port-held-{uuid.uuid4().hex[:8]}"
    try:
        cp = engine.run_cmd(
            "run", "-d", *labels, "--name", name, "-p", f"{port}:8000", "debian:trixie-slim", "sleep", "60", check=False
        )
        assert cp.returncode == 125, (cp.returncode, cp.stderr)
        assert f"failed to bind host port for 0.0.0.0:{port}:" in cp.stderr, cp.stderr
        assert "address already in use" in cp.stderr, cp.stderr
        # The container was created before the start failed: it stays, and its name blocks a retry.
        assert engine.out("inspect", "--format", "{{.State.Status}}", name) == "created"
        again = engine.run_cmd("run", "-d", *labels, "--name", name, "debian:trixie-slim", "true", check=False)
        assert again.returncode != 0 and f'The container name "/{name}" is already in use' in again.stderr, again.stderr
    finally:
        holder.close()
        engine.run_cmd("rm", "-f", name, check=False)
