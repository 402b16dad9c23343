"""Static checks of the examples (no Docker): lint, shape, and that the pages include them."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from course import doctor
from course.baseimages import example_dockerfiles
from course.examples import list_examples

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = list_examples(ROOT)
DOCKERFILES = example_dockerfiles(ROOT)
PAGES = sorted(p for p in (ROOT / "docs").rglob("*.md") if not p.name.startswith("."))
README_SECTIONS = ["What it shows", "Files", "Build", "Run", "Expected result", "Clean up"]
SNIPPET = re.compile(r'^[ \t]*--8<--[ \t]+["\']([^"\']+)["\']', re.M)
SNIPPET_BLOCK = re.compile(r"^[ \t]*--8<--[ \t]*\n(.*?)^[ \t]*--8<--[ \t]*$", re.M | re.S)


def rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


def test_there_are_examples():
    assert EXAMPLES, "no examples/<chapter>/NN-name/ folders found"


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=rel)
def test_hadolint_has_no_findings(dockerfile):
    hadolint = doctor.tool("hadolint")
    cp = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "style", str(dockerfile)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    findings = (cp.stdout + cp.stderr).strip()
    assert cp.returncode == 0 and not findings, f"hadolint on {rel(dockerfile)}:\n{findings}"


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=rel)
def test_hadolint_ignores_give_a_reason(dockerfile):
    lines = dockerfile.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^\s*#\s*hadolint\s+(ignore|global\s+ignore)\s*=", line):
            previous = lines[i - 1].strip() if i else ""
            assert previous.startswith("#") and "hadolint" not in previous and len(previous) > 3, (
                f"{rel(dockerfile)}:{i + 1}: `{line.strip()}` needs a reason: a comment line just above it saying why"
            )


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_has_its_files(example):
    assert (example / "test_example.py").is_file(), f"{rel(example)}: test_example.py is missing"
    assert (example / "README.md").is_file(), f"{rel(example)}: README.md is missing"
    if example.parent.name == "labs":
        # A lab's example: its cases (the reference solution, two more right ones, four mistakes,
        # checked by course.labs.load; tests/test_labs.py judges their captures); a Dockerfile
        # only if it builds one.
        assert (example / "cases.yaml").is_file(), f"{rel(example)}: cases.yaml is missing"
        if not any(example.glob("Dockerfile*")):
            return
    assert (example / ".dockerignore").is_file(), f"{rel(example)}: .dockerignore is missing"
    assert any(example.glob("Dockerfile*")), f"{rel(example)}: no Dockerfile"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_readme_has_the_course_shape(example):
    readme = example / "README.md"
    text = readme.read_text(encoding="utf-8")
    # headings outside code fences
    text = re.sub(r"^(```|~~~).*?^\1", "", text, flags=re.M | re.S)
    assert re.match(r"^# \S", text), f"{rel(readme)}: must start with a `# ` title"
    sections = re.findall(r"^## (.+?)\s*$", text, re.M)
    if example.parent.name == "labs":
        sections = ["What it shows" if s == "What it checks" else s for s in sections]
    assert sections == README_SECTIONS, f"{rel(readme)}: sections must be exactly {README_SECTIONS}, found {sections}"


def _included_paths() -> dict[str, list[str]]:
    """{included path: [page:line, ...]} for every --8<-- in docs/."""
    found: dict[str, list[str]] = {}
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for m in SNIPPET.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.setdefault(m.group(1), []).append(f"{rel(page)}:{line}")
        for m in SNIPPET_BLOCK.finditer(text):
            start = text.count("\n", 0, m.start()) + 2
            for k, name in enumerate(m.group(1).splitlines()):
                if name.strip() and not name.strip().startswith(";"):
                    found.setdefault(name.strip(), []).append(f"{rel(page)}:{start + k}")
    return found


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_is_included_by_a_page(example):
    prefix = rel(example) + "/"
    users = [p for p in _included_paths() if p.split(":")[0].startswith(prefix)]
    assert users, f"no page under docs/ includes a file of {rel(example)} with --8<--"


def test_every_snippet_path_exists():
    missing = [
        f'{where}: --8<-- "{path}" does not exist'
        for path, wheres in _included_paths().items()
        for where in wheres
        if not (ROOT / re.sub(r":\d*(:\d*)?$", "", path)).is_file() and not (ROOT / path).is_file()
    ]
    assert not missing, "\n".join(missing)
