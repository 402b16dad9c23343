"""Fault drills: plant a contributor's common mistake in a copy of the project, run
the gate that should catch it, and check that it fails with a message naming the
file (and the line, where the tool gives one).

DRILLS is the registry: one entry per mistake, with the gate that catches it.
The session ends with a line "faults planted N, caught N" (tests/conftest.py adds up the
xdist workers' tallies).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from course import console, lint
from site_checks import browser as chromium
from site_checks.building import ROOT, build, copy_project, site_pages
from site_checks.tally import TALLY
from test_accessibility import page_accessibility_problems
from test_diagram_sizes import VIEWPORTS, size_problems
from test_site_browser import page_problems

PAGE = "docs/how-to-use.md"
EXAMPLE = "examples/building-images/06-registry"
PORTS = "examples/running-containers/02-ports"
# Besides what copy_project copies: what the gates read.
GATE_FILES = [
    ".pymarkdown.yml",
    ".codespellrc",
    ".codespell-words.txt",
    ".hadolint.yaml",
    ".linkcheckerrc",
    "ruff.toml",
    "README.md",
    "CONTRIBUTING.md",
]


# --------------------------------------------------------------------------- planting
def append(project: Path, path: str, text: str) -> str:
    """Append `text` (after a blank line) to a file of the copy; return "path:first line of text"."""
    target = project / path
    before = target.read_text(encoding="utf-8")
    if not before.endswith("\n"):
        before += "\n"
    target.write_text(before + "\n" + text + "\n", encoding="utf-8")
    return f"{path}:{before.count(chr(10)) + 2}"


def replace(project: Path, path: str, old: str, new: str) -> str:
    """Replace `old` by `new` in a file of the copy; return "path:line" of the change."""
    target = project / path
    text = target.read_text(encoding="utf-8")
    assert old in text, f"{path} no longer contains {old!r}: update the drill"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return f"{path}:{text[: text.index(old)].count(chr(10)) + 1}"


def next_line(where: str) -> str:
    path, line = where.split(":")
    return f"{path}:{int(line) + 1}"


def write(project: Path, path: str, text: str) -> str:
    (project / path).write_text(text, encoding="utf-8")
    return f"{path}:1"


# --------------------------------------------------------------------------- gates
def gate_build(project: Path, where: str, request) -> tuple[bool, str]:
    result = build(project)
    return result.returncode != 0, result.log


def gate_diagrams(project: Path, where: str, request) -> tuple[bool, str]:
    """`make diagrams` on the copy: it draws the new diagram, or fails naming page and line."""
    for name in ("package-lock.json", "node_modules"):
        if not (project / name).exists():
            (project / name).symlink_to(ROOT / name)
    result = subprocess.run(
        [sys.executable, "-m", "course", "diagrams", "--project", str(project)],
        env={**os.environ, "PYTHONPATH": str(ROOT / "scripts")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.returncode != 0, result.stdout + result.stderr


def gate_diagrams_without_chromium(project: Path, where: str, request) -> tuple[bool, str]:
    """`make diagrams` on a machine whose Chromium is missing."""
    request.getfixturevalue("monkeypatch").setenv("CHROMIUM_PATH", str(project / "no-such-chromium"))
    return gate_diagrams(project, where, request)


def gate_browser(project: Path, where: str, request) -> tuple[bool, str]:
    """Build the copy, serve it, open the planted page in Chromium (diagrams, console errors, axe)."""
    context = request.getfixturevalue("context")
    source = where.split(":")[0]
    site_dir = project / "site"
    with chromium.serve(site_dir) as base:
        result = build(project, site_dir=site_dir, site_url=base)
        assert result.returncode == 0, f"the drill's page should build:\n{result.log}"
        page = next(p for p in site_pages() if p.source == source)
        problems = page_problems(context.new_page(), base, result, page, project)
        if not problems:  # like the suite: the accessibility test runs on pages that draw
            problems = page_accessibility_problems(context.new_page(), base, result, page)
    return bool(problems), "\n".join(problems)


def gate_diagram_sizes(project: Path, where: str, request) -> tuple[bool, str]:
    """Draw the copy's new diagram (make diagrams), build the copy, serve it, measure the planted
    page's diagrams at both widths (test_diagram_sizes)."""
    browser = request.getfixturevalue("browser")
    failed, log = gate_diagrams(project, where, request)
    assert not failed, f"make diagrams should draw the drill's diagram:\n{log}"
    source = where.split(":")[0]
    site_dir = project / "site"
    with chromium.serve(site_dir) as base:
        result = build(project, site_dir=site_dir, site_url=base)
        assert result.returncode == 0, f"the drill's page should build:\n{result.log}"
        page = next(p for p in site_pages() if p.source == source)
        problems = []
        for viewport in VIEWPORTS:
            problems += size_problems(browser, base, result, [page], viewport, "light")[0]
    return bool(problems), "\n".join(problems)


def lint_gate(name: str) -> Callable:
    def gate(project: Path, where: str, request) -> tuple[bool, str]:
        result = lint.GATES[name](project)
        return not result.ok, result.output

    return gate


def gate_links(project: Path, where: str, request) -> tuple[bool, str]:
    result = build(project)
    assert result.returncode == 0, f"the drill's page should build:\n{result.log}"
    checked = lint.links(result.site_dir, project)
    return not checked.ok, checked.output


def gate_docker_build(project: Path, where: str, request) -> tuple[bool, str]:
    """The example tests' own `build` fixture (root conftest.py) on the broken copy."""
    build_image = request.getfixturevalue("build")
    try:
        build_image(project / EXAMPLE, fresh=True)
    except pytest.fail.Exception as failed:
        return True, f"{EXAMPLE}: {failed}"
    return False, "the build passed"


def gate_console(project: Path, where: str, request) -> tuple[bool, str]:
    """Run the planted page's console blocks (from the planted line on) as tests/test_console_blocks.py does."""
    engine = request.getfixturevalue("engine")
    path, line = where.split(":")
    blocks = [
        b for b in console.parse_file(project / path, project) if any(c.line.lineno >= int(line) for c in b.commands)
    ]
    result = console.run_blocks(blocks, path, engine, cwd=project)
    return result.failure is not None, str(result.failure)


def gate_transcripts(project: Path, where: str, request) -> tuple[bool, str]:
    """Compare the planted transcript with a fresh run as the suite does: the pages that run
    it, or, when no page runs all of its example, the example's README
    (test_captured_transcripts_still_match)."""
    engine = request.getfixturevalue("engine")
    transcript = project / where.split(":")[0]
    example = transcript.parent.parent
    if console.not_run_by_pages(example, project):
        failures = console.capture(example, engine, check=True)
        return bool(failures), "\n".join(str(f) for f in failures)
    pages = console.pages_running(transcript, project)
    assert pages, f"no page runs {where}"
    for page in pages:
        result = console.run_blocks(console.parse_file(page, project), str(page), engine, cwd=project)
        if result.failure:
            return True, str(result.failure)
    return False, f"{len(pages)} page(s) ran {where} without a failure"


def gate_readme_transcripts(project: Path, where: str, request) -> tuple[bool, str]:
    """test_a_readme_the_pages_run_says_what_its_transcripts_say on the planted README."""
    failures = console.readme_against_transcripts((project / where.split(":")[0]).parent, project)
    return bool(failures), "\n".join(str(f) for f in failures)


# --------------------------------------------------------------------------- the registry
@dataclass(frozen=True)
class Drill:
    name: str
    plant: Callable[[Path], str]  # plants the fault; returns "path:line"
    gate: Callable
    named: tuple[str, ...] = ()  # more text the message must contain (rule, bad target)
    with_line: bool = False  # the message must say path:line
    names: str | None = None  # what names the file when the tool names it otherwise
    marks: tuple = field(default_factory=tuple)


DRILLS = [
    Drill(
        "broken internal link",
        lambda p: append(p, PAGE, "[a page](concepts/no-such-page.md)"),
        gate_build,
        ("concepts/no-such-page.md",),
    ),
    Drill(
        "missing anchor",
        lambda p: append(p, PAGE, "[a section](concepts/architecture.md#no-such-section)"),
        gate_build,
        ("#no-such-section",),
    ),
    Drill(
        "missing snippet file",
        lambda p: append(p, PAGE, '```text\n--8<-- "examples/no-such-file.txt"\n```'),
        gate_build,
        ("examples/no-such-file.txt",),
    ),
    Drill(
        "page not in the nav",
        lambda p: write(p, "docs/orphan.md", "# Orphan\n"),
        gate_build,
        ("orphan.md",),
    ),
    Drill(
        "broken link in raw HTML (built site)",
        lambda p: append(p, PAGE, '<p><a href="../concepts/no-such-page/">a page</a></p>'),
        gate_links,
        ("how-to-use/", "no-such-page"),
    ),
    Drill(
        "missing anchor in raw HTML (built site)",
        lambda p: append(p, PAGE, '<p><a href="../concepts/architecture/#no-such-section">a section</a></p>'),
        gate_links,
        ("how-to-use/", "no-such-section"),
    ),
    # Diagrams are drawn by `make diagrams` (scripts/course/diagrams.py): it names the page and line.
    Drill(
        "Mermaid syntax error",
        lambda p: next_line(next_line(append(p, PAGE, "```mermaid\nflowchart LR\n  A --> B -->\n```"))),
        gate_diagrams,
        ("Mermaid syntax error",),
        with_line=True,
        marks=(pytest.mark.browser,),  # make diagrams draws in Chromium
    ),
    Drill(
        "Mermaid diagram of an unknown type",
        lambda p: append(p, PAGE, "```mermaid\nflowhcart LR\n  A --> B\n```"),
        gate_diagrams,
        ("unknown diagram type",),
        with_line=True,
        marks=(pytest.mark.browser,),  # make diagrams draws in Chromium
    ),
    Drill(
        "Mermaid diagram without a text description",
        lambda p: append(p, PAGE, "```mermaid\nflowchart LR\n  A --> B\n```"),
        gate_diagrams,
        ("accTitle", "accDescr"),
        with_line=True,
        marks=(pytest.mark.browser,),  # make diagrams draws in Chromium
    ),
    Drill(
        "new diagram, but Chromium does not start",
        lambda p: append(p, PAGE, "```mermaid\nflowchart LR\n  accTitle: A\n  accDescr: B\n  A --> B\n```"),
        gate_diagrams_without_chromium,
        ("Chromium", "no-such-chromium"),
        with_line=True,
        marks=(pytest.mark.browser,),  # make diagrams draws in Chromium
    ),
    # The build only reads drawings: a diagram nobody drew fails it with the command that draws it.
    Drill(
        "new diagram without its drawing",
        lambda p: append(p, PAGE, "```mermaid\nflowchart LR\n  accTitle: A\n  accDescr: B\n  A --> B\n```"),
        gate_build,
        ("no drawing", "make diagrams"),
        with_line=True,
    ),
    Drill(
        "diagram edited, drawing stale",
        lambda p: replace(p, "docs/concepts/architecture.md", "accDescr", "accDescr: (edited)"),
        gate_build,
        ("no drawing", "make diagrams"),
        with_line=False,
    ),
    Drill(
        "new diagram too wide to read (a long left-to-right chain)",
        lambda p: append(
            p,
            PAGE,
            "```mermaid\nflowchart LR\n    accTitle: From code to production\n"
            "    accDescr: Six steps, one after the other, from left to right.\n"
            '    a["Write the code"] --> b["Write a Dockerfile"] --> c["Build the image"]\n'
            '    c --> d["Push it to a registry"] --> e["Pull it on the server"] --> f["Run the container"]\n```',
        ),
        gate_diagram_sizes,
        # Fitted to the 688 px column its labels would be about 8 px; it may not scroll on a desktop.
        ("diagram 1 (From code to production)", "too wide for the 688 px column at 1280x800", "px; it scrolls"),
        marks=(pytest.mark.browser,),
    ),
    Drill(
        "image without alt text (Markdown)",
        lambda p: append(p, PAGE, "![](assets/favicon.svg)"),
        lint_gate("markdown"),
        ("MD045",),
        with_line=True,
    ),
    Drill(
        "image without alt text (in the browser)",
        lambda p: append(p, PAGE, "![](assets/favicon.svg)"),
        gate_browser,
        ("has no alt text",),
        marks=(pytest.mark.browser,),
    ),
    Drill(
        "misspelled word",
        lambda p: append(p, PAGE, "You recieve the image from the registry."),  # codespell:ignore
        lint_gate("spelling"),
        ("recieve ==> receive",),  # codespell:ignore
        with_line=True,
    ),
    Drill(
        "British spelling on a page",
        lambda p: append(p, PAGE, "The colour of the diagram follows the palette."),
        lint_gate("spelling"),
        ("colour ==> color",),
        with_line=True,
    ),
    Drill(
        "Markdown lint violation (code fence without a language)",
        lambda p: append(p, PAGE, "```\ndocker ps\n```"),
        lint_gate("markdown"),
        ("MD040",),
        with_line=True,
    ),
    Drill(
        "Dockerfile with a shell-form CMD",
        lambda p: replace(p, f"{EXAMPLE}/Dockerfile", 'CMD ["cat", "/message.txt"]', "CMD cat /message.txt"),
        lint_gate("dockerfiles"),
        ("DL3025",),
        with_line=True,
    ),
    Drill(
        "Dockerfile of a non-root example ending as root",
        lambda p: replace(p, f"{EXAMPLE}/Dockerfile", "# Print the message.\n", "USER root\n# Print the message.\n"),
        lint_gate("dockerfiles"),
        ("DL3002",),
        with_line=True,
    ),
    Drill(
        "shell script with an unquoted variable",
        lambda p: append(p, "examples/building-images/04-non-root/write-file.sh", "cat $1 >/dev/null || true"),
        lint_gate("shell"),
        ("SC2086",),
        with_line=True,
    ),
    Drill(
        "Python with an unused import",
        lambda p: replace(p, "hooks/quiet_mermaid2.py", '"""', 'import os\n"""'),
        lint_gate("python"),
        ("F401",),
        with_line=True,
    ),
    Drill(
        "example whose build fails",
        lambda p: replace(p, f"{EXAMPLE}/Dockerfile", "> /message.txt", "> /no-such-dir/message.txt"),
        gate_docker_build,
        # BuildKit names the failing instruction and its line in the Dockerfile.
        ("Dockerfile:6", "RUN", "/no-such-dir/message.txt: Directory nonexistent"),
        names="06-registry",
        marks=(pytest.mark.docker,),
    ),
    Drill(
        "console block whose output no longer matches",
        lambda p: next_line(  # the message names the command's line, one below the fence
            append(
                p,
                PAGE,
                "```console\n$ docker run --rm debian:trixie-slim grep CODENAME /etc/os-release\n"
                "VERSION_CODENAME=bookworm\n```",
            )
        ),
        gate_console,
        ("output does not match", "bookworm"),
        with_line=True,
        marks=(pytest.mark.docker,),
    ),
    # Transcripts are compared modulo console.RULES only: the address family of a port
    # conflict is left open, the message and every line are not.
    Drill(
        "transcript whose error message changed",
        lambda p: replace(p, PORTS + "/output/conflict.txt", "port is already allocated", "port is already in use"),
        gate_transcripts,
        ("port is already in use",),
        marks=(pytest.mark.docker,),
    ),
    Drill(
        "transcript that lost a line",
        lambda p: replace(p, PORTS + "/output/publish.txt", "8000/tcp -> 127.0.0.1:8081\n", ""),
        gate_transcripts,
        ("docker port web-local",),
        marks=(pytest.mark.docker,),
    ),
    Drill(
        "README command that its transcript no longer shows",
        lambda p: replace(p, PORTS + "/README.md", "docker port web-local", "docker port web-loopback"),
        gate_readme_transcripts,
        ("docker port web-loopback",),
    ),
]


@pytest.fixture
def project(tmp_path):
    copy = copy_project(tmp_path / "project")
    for name in GATE_FILES:
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, copy / name)
    return copy


@pytest.mark.parametrize("drill", [pytest.param(d, id=d.name, marks=d.marks) for d in DRILLS])
def test_fault_is_caught(drill, project, request):
    TALLY["planted"] += 1
    where = drill.plant(project)
    path = where.split(":")[0]
    failed, message = drill.gate(project, where, request)
    assert failed, f"{drill.name}: planted at {where}, but the gate passed:\n{message}"
    expected = [drill.names or (where if drill.with_line else Path(path).name), *drill.named]
    missing = [text for text in expected if text not in message]
    assert not missing, f"{drill.name}: the message does not name {missing}:\n{message[-3000:]}"
    TALLY["caught"] += 1


def test_the_gates_pass_on_the_unchanged_copy(project):
    """The drills prove something only if the same gates pass before the fault is planted."""
    failing = {
        name: r.output
        for name in ("markdown", "spelling", "dockerfiles", "shell", "python")
        if not (r := lint.GATES[name](project)).ok
    }
    assert failing == {}, failing
