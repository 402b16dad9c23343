"""Checks on the Markdown sources of the concepts chapter, the glossary and all pages.

Pure Python, no browser and no Docker. Each rule is a small function over text
that returns the problems it finds (``[]`` when the text is fine); the tests
apply the functions to the files, and ``test_checks_catch_planted_faults`` feeds
each function a faulty sample, so that a check that stops finding problems fails
too.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CONCEPTS = DOCS / "concepts"
GLOSSARY = DOCS / "reference" / "glossary.md"
INCLUDES = ROOT / "includes"

CONCEPT_PAGES = sorted(CONCEPTS.glob("*.md"))
EXPECTED_CONCEPT_PAGES = {
    "index.md",
    "vms-and-containers.md",
    "what-is-docker.md",
    "why-docker.md",
    "architecture.md",
    "images-containers-registries.md",
}
MIN_DIAGRAMS = 6

RUNNING = DOCS / "running-containers"
RUNNING_PAGES = sorted(RUNNING.glob("*.md"))
EXPECTED_RUNNING_PAGES = {
    "index.md",
    "running-and-inspecting.md",
    "restarts-and-exit-statuses.md",
    "ports.md",
    "configuration.md",
    "data.md",
    "networks.md",
    "resources-and-clean-up.md",
    "compose.md",
}

# Terms both chapters use; the glossary must define each of them.
REQUIRED_TERMS = [
    "Base image",
    "Bind mount",
    "Build cache",
    "Build stage",
    "Build target",
    "BuildKit",
    "cgroup",
    "Client",
    "CMD",
    "Container",
    "Container layer",
    "containerd",
    "Context",
    "Copy-on-write (CoW)",
    "Daemon",
    "Digest",
    "Docker Compose",
    "Docker Desktop",
    "Docker Engine",
    "Docker Hub",
    "Dockerfile",
    "ENTRYPOINT",
    "Exec form",
    "HEALTHCHECK",
    "Hypervisor",
    "Image",
    "Instruction",
    "Kernel",
    "Kubernetes",
    "Layer",
    "Multi-stage build",
    "Namespace",
    "Network",
    "OCI",
    "overlay2",
    "PID 1",
    "Podman",
    "Registry",
    "Repository",
    "REST API",
    "runc",
    "Shell form",
    "SIGKILL",
    "SIGTERM",
    "Storage driver",
    "Swarm mode",
    "Tag",
    "Union filesystem",
    "USER",
    "Virtual machine (VM)",
    "Volume",
    # running containers
    "ARG",
    "Build secret",
    "Detached mode",
    "Env file",
    "Environment variable",
    "Exit status",
    "Loopback address",
    "Named volume",
    "Port publishing",
    "Pseudo-terminal (TTY)",
    "Restart policy",
    "tmpfs mount",
]

# Bytes of UTF-8 text decoded as Mac Roman or Windows-1252: `’` -> `‚Äô`, `🐋` -> `üêã`, `é` -> `Ã©`.
MOJIBAKE = ["‚Ä", "üê", "Ã", "â€"]
TODO = re.compile(r"\b(TODO|FIXME)\b")
# Generated or third-party files that the project does not write.
NOT_OURS = [DOCS / "assets" / "vendor"]
TEXT_SUFFIXES = {".md", ".html", ".css", ".js", ".yml", ".yaml", ".txt", ".svg"}

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[\w+-]*)")
DETAILS = re.compile(r"^(?P<indent> *)\?\?\?\+? +(?P<kind>[\w-]+)(?: +\"(?P<title>.*)\")? *$")
BANNED_WORDS = re.compile(r"\b(simply|just)\b", re.IGNORECASE)


# --------------------------------------------------------------------------- helpers
def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) for the lines outside fenced code blocks."""
    out, fence = [], None
    for n, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if fence is None and m:
            fence = m.group("fence")
            continue
        if fence is not None:
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                fence = None
            continue
        out.append((n, line))
    return out


def fenced_blocks(text: str, lang: str) -> list[tuple[int, list[str]]]:
    """(line number of the opening fence, body lines with the fence's indent removed)."""
    lines = text.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence = m.group("indent"), m.group("fence")
        close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        if m.group("lang").lower() == lang:
            body = [ln[len(indent) :] if ln.startswith(indent) else ln.lstrip() for ln in lines[i + 1 : j]]
            blocks.append((i + 1, body))
        i = j + 1
    return blocks


def headings(text: str, level: int = 2) -> list[tuple[int, str]]:
    mark = "#" * level + " "
    return [(n, line[len(mark) :].strip()) for n, line in prose_lines(text) if line.startswith(mark)]


# --------------------------------------------------------------------------- checks
def check_page_frame(text: str) -> list[str]:
    """'Learning objectives' before the first section; 'Key points' as the closing section."""
    problems = []
    h2 = headings(text)
    first_section = h2[0][0] if h2 else len(text.splitlines()) + 1
    objectives = [n for n, line in prose_lines(text) if re.match(r'^!!! abstract "Learning objectives"\s*$', line)]
    if not objectives:
        problems.append('no `!!! abstract "Learning objectives"` admonition')
    elif objectives[0] > first_section:
        problems.append(
            f'"Learning objectives" (line {objectives[0]}) comes after the first '
            f"section (line {first_section}); put it near the top"
        )
    titles = [t for _, t in h2]
    if "Key points" not in titles:
        problems.append('no "## Key points" section')
    else:
        after = titles[titles.index("Key points") + 1 :]
        if after not in ([], ["Further reading"]):
            problems.append(
                f'"## Key points" must be the last section (only "## Further reading" '
                f"may follow it), but it is followed by {after}"
            )
        if "Exercises" in titles and titles.index("Exercises") > titles.index("Key points"):
            problems.append('"## Exercises" comes after "## Key points"')
    return problems


def exercises(text: str) -> list[tuple[int, str, list[str]]]:
    """Each `??? question` block: (line number, title, body lines without the indent)."""
    lines = text.splitlines()
    found = []
    for i, line in enumerate(lines):
        m = DETAILS.match(line)
        if not m or m.group("kind") != "question":
            continue
        indent = len(m.group("indent"))
        body = []
        for nxt in lines[i + 1 :]:
            if nxt.strip() and len(nxt) - len(nxt.lstrip(" ")) <= indent:
                break
            body.append(nxt[indent + 4 :] if nxt.strip() else "")
        found.append((i + 1, m.group("title") or "", body))
    return found


def check_exercises(text: str) -> list[str]:
    """At least one exercise; each has an answer with text inside it."""
    found = exercises(text)
    if not found:
        return ["no `??? question` exercise"]
    problems = []
    for lineno, title, body in found:
        if not title.strip():
            problems.append(f"line {lineno}: exercise without a title")
        body_text = "\n".join(body)
        m = re.search(r"\*\*Answer:\*\*(.*)", body_text, re.S)
        answer = m.group(1) if m else ""
        if not m:
            nested = re.search(r'^\?\?\?\+? +success(?: +"[^"]*")? *\n((?:[ \t]*\n| {4}.*\n?)*)', body_text, re.M)
            answer = nested.group(1) if nested else ""
            if not nested:
                problems.append(
                    f'line {lineno}: exercise {title!r} has no `**Answer:**` and no `??? success "Answer"` inside it'
                )
                continue
        if not answer.strip():
            problems.append(f"line {lineno}: exercise {title!r} has an empty answer")
    return problems


def glossary_terms(text: str) -> list[tuple[int, str]]:
    """(line number, term) for each definition-list entry (`Term` then `:   definition`)."""
    lines = text.splitlines()
    terms = []
    for i, line in enumerate(lines):
        if not re.match(r"^: {1,3}\S", line):
            continue
        j = i - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        # Several definitions of one term, or a definition's continuation, are not new terms.
        if j < 0 or re.match(r"^(:| {4})", lines[j]):
            continue
        terms.append((j + 1, lines[j].strip()))
    return terms


def check_glossary(text: str) -> list[str]:
    """Each term defined exactly once, in alphabetical order, under the heading of its letter."""
    problems = []
    terms = glossary_terms(text)
    if not terms:
        return ["no definition-list entries (`Term` followed by `:   definition`)"]
    seen: dict[str, int] = {}
    for lineno, term in terms:
        key = term.casefold()
        if key in seen:
            problems.append(f"{term!r} is defined twice: line {seen[key]} and line {lineno}")
        else:
            seen[key] = lineno

    def sort_key(term: str) -> str:
        return term.lstrip(".").casefold()

    for (_, t1), (n2, t2) in itertools.pairwise(terms):
        if sort_key(t2) < sort_key(t1):
            problems.append(f"line {n2}: {t2!r} is out of alphabetical order (after {t1!r})")
    letters = headings(text)
    for lineno, term in terms:
        heading = [t for n, t in letters if n < lineno]
        want = sort_key(term)[0].upper()
        if heading and heading[-1] != want:
            problems.append(f"line {lineno}: {term!r} is under '## {heading[-1]}', not '## {want}'")
    return problems


def check_text_hygiene(text: str) -> list[str]:
    """No TODO or FIXME and no mojibake."""
    problems = []
    for n, line in enumerate(text.splitlines(), 1):
        if TODO.search(line):
            problems.append(f"line {n}: {TODO.search(line).group(0)}: {line.strip()[:80]}")
        for bad in MOJIBAKE:
            if bad in line:
                problems.append(f"line {n}: mojibake {bad!r}: {line.strip()[:80]}")
    return problems


def check_console_prompts(text: str, where: list[str] | None = None) -> list[str]:
    """In ```console blocks, every command line starts with `$ ` (and output never comes first).

    `where[n - 1]` names the origin of line n (for pages whose snippets were expanded).
    """

    def at(n: int) -> str:
        return where[n - 1] if where else f"line {n}"

    problems = []
    looks_like_command = re.compile(r"^(sudo |docker |podman |curl |cd |export |ls |cat )")
    for start, body in fenced_blocks(text, "console"):
        first = next((ln for ln in body if ln.strip()), None)
        if first is None:
            problems.append(f"{at(start)}: empty console block")
            continue
        if not first.startswith("$ "):
            problems.append(f"{at(start)}: console block starts with {first!r}, not a `$ ` command")
        for offset, ln in enumerate(body, 1):
            if ln.startswith("$") and not re.match(r"^\$ \S", ln):
                problems.append(f"{at(start + offset)}: prompt must be `$ ` then the command: {ln!r}")
            elif looks_like_command.match(ln):
                problems.append(f"{at(start + offset)}: command without `$ ` prompt: {ln!r}")
    return problems


def with_snippets(path: Path) -> tuple[str, list[str]]:
    """The page with its `--8<--` includes expanded, as the console-block runner sees it,
    and the origin (file:line) of each line."""
    from course.console import expand  # scripts/ is on the path (pytest.ini)

    lines = expand(path)
    return "\n".join(ln.text for ln in lines), [f"{ln.file}:{ln.lineno}" for ln in lines]


def check_diagrams(text: str) -> list[str]:
    """Each Mermaid diagram has an accessible title and description, and sets no colours or theme."""
    problems = []
    for start, body in fenced_blocks(text, "mermaid"):
        code = "\n".join(body)
        if not re.search(r"^\s*accTitle\s*:\s*\S", code, re.M):
            problems.append(f"line {start}: diagram without `accTitle:`")
        if not re.search(r"^\s*accDescr\s*:\s*\S", code, re.M):
            problems.append(f"line {start}: diagram without `accDescr:`")
        if re.search(r"%%\{\s*init|^\s*(style|classDef|linkStyle)\s", code, re.M):
            problems.append(f"line {start}: diagram sets a theme or colours; the site's palette does that")
    return problems


def check_banned_words(text: str) -> list[str]:
    return [
        f"line {n}: avoid {m.group(0)!r}: {line.strip()[:80]}"
        for n, line in prose_lines(text)
        for m in [BANNED_WORDS.search(line)]
        if m
    ]


def text_files(*folders: Path) -> list[Path]:
    files = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if (
                path.is_file()
                and path.suffix in TEXT_SUFFIXES
                and not any(path.is_relative_to(skip) for skip in NOT_OURS)
            ):
                files.append(path)
    return files


# --------------------------------------------------------------------------- tests
def report(path: Path, problems: list[str]) -> str:
    return "\n".join(f"{rel(path)}: {p}" for p in problems)


def test_concepts_chapter_has_its_pages():
    assert {p.name for p in CONCEPT_PAGES} >= EXPECTED_CONCEPT_PAGES


@pytest.mark.parametrize("page", CONCEPT_PAGES, ids=[p.name for p in CONCEPT_PAGES])
def test_concept_page_frame(page):
    problems = check_page_frame(read(page))
    assert problems == [], report(page, problems)


@pytest.mark.parametrize("page", CONCEPT_PAGES, ids=[p.name for p in CONCEPT_PAGES])
def test_concept_page_exercises_have_answers(page):
    problems = check_exercises(read(page))
    assert problems == [], report(page, problems)


@pytest.mark.parametrize("page", CONCEPT_PAGES, ids=[p.name for p in CONCEPT_PAGES])
def test_concept_page_avoids_simply_and_just(page):
    problems = check_banned_words(read(page))
    assert problems == [], report(page, problems)


def test_concepts_chapter_has_enough_diagrams():
    count = sum(len(fenced_blocks(read(p), "mermaid")) for p in CONCEPT_PAGES)
    assert count >= MIN_DIAGRAMS, f"docs/concepts has {count} ```mermaid diagrams, needs {MIN_DIAGRAMS}"


@pytest.mark.parametrize("page", CONCEPT_PAGES, ids=[p.name for p in CONCEPT_PAGES])
def test_concept_diagrams_are_accessible(page):
    problems = check_diagrams(read(page))
    assert problems == [], report(page, problems)


def test_running_containers_chapter_has_its_pages():
    assert {p.name for p in RUNNING_PAGES} >= EXPECTED_RUNNING_PAGES


@pytest.mark.parametrize("page", RUNNING_PAGES, ids=[p.name for p in RUNNING_PAGES])
def test_running_containers_page_shape(page):
    """Objectives near the top, key points last, every exercise answered, no 'simply',
    accessible diagrams: the same rules as the concepts chapter."""
    text = read(page)
    problems = check_page_frame(text) + check_exercises(text) + check_banned_words(text) + check_diagrams(text)
    assert problems == [], report(page, problems)


def test_running_containers_chapter_has_diagrams():
    count = sum(len(fenced_blocks(read(p), "mermaid")) for p in RUNNING_PAGES)
    assert count >= len(EXPECTED_RUNNING_PAGES) - 2, f"docs/running-containers has only {count} diagrams"


def test_glossary_defines_each_term_once_in_order():
    problems = check_glossary(read(GLOSSARY))
    assert problems == [], report(GLOSSARY, problems)


def test_glossary_has_the_course_terms():
    defined = {term.casefold() for _, term in glossary_terms(read(GLOSSARY))}
    missing = [t for t in REQUIRED_TERMS if t.casefold() not in defined]
    assert missing == [], f"{rel(GLOSSARY)} does not define {missing}"


def test_no_todo_or_mojibake_in_docs_or_includes():
    files = text_files(DOCS, INCLUDES)
    assert files, "no files found under docs/ and includes/"
    problems = [f"{rel(p)}: {msg}" for p in files for msg in check_text_hygiene(read(p))]
    assert problems == [], "\n".join(problems)


def test_console_blocks_use_the_prompt():
    problems = [msg for p in sorted(DOCS.rglob("*.md")) for msg in check_console_prompts(*with_snippets(p))]
    assert problems == [], "\n".join(problems)


SAMPLES = {
    check_page_frame: '# T\n\n## Intro\n\n!!! abstract "Learning objectives"\n\n    - x\n\n'
    "## Key points\n\n- y\n\n## Exercises\n",
    check_exercises: '# T\n\n??? question "Q"\n\n    **Answer:**\n\n## Next\n',
    check_glossary: "## B\n\nBase image\n:   one\n\n## A\n\nAlpha\n:   two\n\nbase image\n:   three\n",
    check_text_hygiene: "Docker‚Äôs whale üêã\nTODO: fix\nCafÃ©\n",
    check_console_prompts: "```console\ndocker ps\n$docker ps\n```\n",
    check_diagrams: "```mermaid\n%%{init: {'theme': 'dark'}}%%\nflowchart LR\n    a --> b\n```\n",
    check_banned_words: "You simply run it.\n",
}


@pytest.mark.parametrize("check", SAMPLES, ids=[c.__name__ for c in SAMPLES])
def test_checks_catch_planted_faults(check):
    assert check(SAMPLES[check]), f"{check.__name__} found nothing wrong in a faulty sample"


def test_glossary_check_names_the_duplicate_and_its_lines():
    problems = check_glossary("## A\n\nAlpha\n:   one\n\nalpha\n:   two\n")
    assert any("'alpha' is defined twice: line 3 and line 6" in p for p in problems), problems


def test_exercise_with_nested_answer_passes():
    text = '??? question "Quiz"\n\n    1. a\n    2. b\n\n    ??? success "Answer"\n\n        2, because.\n'
    assert check_exercises(text) == []
