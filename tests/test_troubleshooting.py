"""The Troubleshooting part (docs/troubleshooting/): entries complete, reproduced or cited, findable.

An entry is a `### ` heading whose text is the message, in code spans, as Docker prints it
(several spans for alternatives; `…` stands for a part that differs, such as an address).
Below it: **Cause.**, **Confirm.**, **Fix.**, and either the transcript of the run that
reproduced it (`--8<-- "examples/troubleshooting/NN-name/output/NAME.txt"`), a test that
reproduces it (`**Reproduced** by `examples/…/test_example.py` (`test_name`)`), or, for errors
that need Docker Desktop, Windows or macOS, `**Source.**` with a link.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PART = ROOT / "docs" / "troubleshooting"
PAGES = sorted(p for p in PART.glob("*.md") if p.name != "index.md")
EXAMPLES = ROOT / "examples" / "troubleshooting"
MIN_ENTRIES = 45  # issue 25

HEADING = re.compile(r"^### (?P<text>.+?)(?:\s*\{#(?P<id>[\w-]+)\})?\s*$")
CODE_SPAN = re.compile(r"(?P<ticks>`+)\s?(?P<code>.+?)\s?(?P=ticks)")
TRANSCRIPT = re.compile(r'--8<-- "(?P<path>examples/troubleshooting/[^"]+/output/[^"/]+\.txt)"')
BY_TEST = re.compile(
    r"\*\*Reproduced\*\* by `(?P<path>examples/troubleshooting/[^`]+/test_example\.py)`\s*\(`(?P<test>\w+)`\)"
)
SOURCE = re.compile(r"\*\*Source\.\*\*[^\n]*(?:\n(?!\n)[^\n]*)*?\]\((?P<url>https://[^)\s]+)\)")
PARTS = ("**Cause.**", "**Confirm.**", "**Fix.**")


@dataclass
class Entry:
    page: Path
    line: int
    heading: str
    anchor: str | None
    body: str
    messages: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def entries(page: Path) -> list[Entry]:
    found: list[Entry] = []
    in_fence = False
    for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if in_fence:
            pass
        elif m := HEADING.match(line):
            found.append(Entry(page, n, m["text"], m["id"], ""))
            found[-1].messages = [c["code"] for c in CODE_SPAN.finditer(m["text"])]
            continue
        elif line.startswith(("# ", "## ")) and found:
            found[-1].body += "\0"  # a new section closes the entry
        if found and "\0" not in found[-1].body:
            found[-1].body += line + "\n"
    return found


ALL = [e for p in PAGES for e in entries(p)]


def message_in(message: str, text: str) -> bool:
    """The message's parts, split at `…`, appear in the text in order."""
    at = 0
    for part in (p.strip() for p in message.split("…")):
        at = text.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return True


def test_the_part_has_its_pages_in_the_navigation():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    block = nav[nav.index("  - Troubleshooting:") : nav.index("  - Contributing:")]
    listed = re.findall(r"(troubleshooting/[\w-]+\.md)", block)
    assert listed[0] == "troubleshooting/index.md"
    assert sorted(listed[1:]) == sorted(f"troubleshooting/{p.name}" for p in PAGES)
    assert nav.index("  - Running containers:") < nav.index("  - Troubleshooting:")


def test_there_are_enough_entries():
    assert len(ALL) >= MIN_ENTRIES, f"{len(ALL)} entries in docs/troubleshooting/, want at least {MIN_ENTRIES}"


@pytest.mark.parametrize("entry", ALL, ids=lambda e: e.anchor or e.heading)
def test_entry_has_message_cause_confirm_fix(entry):
    assert entry.messages, f"{entry.where}: the heading must be the message, in a code span: {entry.heading!r}"
    assert entry.anchor, f"{entry.where}: give the heading an id ({{#short-name}}) so lessons can link to it"
    missing = [p for p in PARTS if p not in entry.body]
    assert not missing, f"{entry.where}: {entry.heading}: missing {', '.join(missing)}"
    order = [entry.body.index(p) for p in PARTS]
    assert order == sorted(order), f"{entry.where}: write Cause, Confirm, Fix in that order"


@pytest.mark.parametrize("entry", ALL, ids=lambda e: e.anchor or e.heading)
def test_entry_is_reproduced_or_cites_its_source(entry):
    transcripts = TRANSCRIPT.findall(entry.body)
    by_test = BY_TEST.search(entry.body)
    source = SOURCE.search(entry.body)
    assert transcripts or by_test or source, (
        f"{entry.where}: {entry.heading}: include the transcript that reproduces it "
        '(--8<-- "examples/troubleshooting/…/output/NAME.txt"), name the test that does, '
        "or give a **Source.** link for an error that needs Docker Desktop, Windows or macOS"
    )
    if source and not (transcripts or by_test):
        assert re.search(r"Windows|macOS|Docker Desktop|Docker Hub", entry.body), (
            f"{entry.where}: a cited entry says why it is not reproduced (Docker Desktop, Windows, macOS, Docker Hub)"
        )


@pytest.mark.parametrize("entry", [e for e in ALL if TRANSCRIPT.search(e.body)], ids=lambda e: e.anchor or e.heading)
def test_reproduced_message_is_in_its_transcript(entry):
    text = "\n".join((ROOT / p).read_text(encoding="utf-8") for p in TRANSCRIPT.findall(entry.body))
    assert any(message_in(m, text) for m in entry.messages), (
        f"{entry.where}: none of {entry.messages} appears in its transcript(s) {TRANSCRIPT.findall(entry.body)}"
    )


@pytest.mark.parametrize("entry", [e for e in ALL if BY_TEST.search(e.body)], ids=lambda e: e.anchor or e.heading)
def test_message_reproduced_by_a_test_is_asserted_there(entry):
    m = BY_TEST.search(entry.body)
    source = (ROOT / m["path"]).read_text(encoding="utf-8")
    assert f"def {m['test']}(" in source, f"{entry.where}: {m['path']} has no test {m['test']}"
    assert any(message_in(msg, source) for msg in entry.messages), f"{entry.where}: {m['path']} does not assert it"


def test_every_troubleshooting_example_is_shown_on_a_page():
    shown = {Path(p).parts[2] for e in ALL for p in TRANSCRIPT.findall(e.body)}
    examples = {p.name for p in EXAMPLES.iterdir() if p.is_dir() and re.match(r"\d\d-", p.name)}
    assert examples <= shown, f"examples whose transcripts no entry shows: {sorted(examples - shown)}"


def test_pages_link_to_lessons_and_lessons_link_back():
    lessons = [p for d in ("building-images", "running-containers") for p in (ROOT / "docs" / d).glob("*.md")]
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        assert re.search(r"\]\(\.\./(building-images|running-containers)/[\w-]+\.md", text), (
            f"{page.relative_to(ROOT)} links to no lesson"
        )
        target = f"../troubleshooting/{page.name}"
        assert any(target in lesson.read_text(encoding="utf-8") for lesson in lessons), f"no lesson links to {target}"


def test_message_in_handles_ellipsis():
    assert message_in(
        "for 127.0.0.1:18181:…: address already in use",
        "for 127.0.0.1:18181:172.17.0.3:8000/tcp: address already in use",
    )
    assert not message_in("address … for", "for x address")


def test_search_finds_each_entry_by_a_fragment_of_its_message(site):
    """Material's search index (search/search_index.json) holds each heading's message."""
    index = json.loads((site.site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    titles: dict[str, str] = {}
    for doc in index["docs"]:
        titles[doc["location"]] = doc["title"] + " " + doc.get("text", "")
    missing = []
    for entry in ALL:
        page = f"troubleshooting/{entry.page.stem}/#{entry.anchor}"
        text = titles.get(page, "")
        fragment = max((part.strip() for m in entry.messages for part in m.split("…")), key=len)
        fragment = fragment.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        if fragment not in text and fragment.replace("&quot;", '"') not in text:
            missing.append(f"{entry.where}: {fragment!r} not in the search index entry {page}")
    assert not missing, "\n".join(missing)


# --- what the transcripts' comparison ignores (scripts/course/console.py) ------------------


@pytest.mark.parametrize(
    "a, b",
    [
        (
            "failed to bind host port for 127.0.0.1:18181:172.17.0.3:8000/tcp: address already in use",
            "failed to bind host port for 127.0.0.1:18181:172.18.0.2:8000/tcp: address already in use",
        ),
        (
            "does not match the detected host platform (linux/amd64/v4) and no specific platform was requested",
            "does not match the detected host platform (linux/amd64) and no specific platform was requested",
        ),
        ("curl: (52) Empty reply from server", "curl: (56) Recv failure: Connection reset by peer"),
        (
            'msg="/tmp/docker-basics-root-ab12cd/examples/x/compose.yaml: the attribute',
            'msg="/tmp/docker-basics-root-zz9/examples/x/compose.yaml: the attribute',
        ),
    ],
)
def test_transcripts_ignore_what_differs_between_runs(a, b):
    from course.console import normalise

    assert normalise(a) == normalise(b)


def test_transcripts_still_tell_platforms_apart():
    from course.console import normalise

    assert normalise("platform (linux/arm64) does not match") != normalise("platform (linux/amd64) does not match")


def test_a_step_shared_by_two_platforms_compares_under_either_label():
    from course.console import output_matches

    cmd = "docker build --platform linux/amd64,linux/arm64 -t x ."
    saved = ["#8 [linux/amd64 build 3/5] WORKDIR /src", "#9 [linux/amd64->arm64 build 5/5] RUN cc"]
    fresh = ["#8 [linux/amd64->arm64 build 3/5] WORKDIR /src", "#9 [linux/amd64->arm64 build 5/5] RUN cc"]
    assert output_matches(cmd, saved, fresh)
    assert not output_matches(cmd, saved, fresh[:1])


# The review (issue 24): these entries' confirm and fix commands were Unix-only (od -c, file,
# sed -i, grep -P, cat -A, stat -c).
UNIX_ONLY = re.compile(r"\bod -c\b|\bsed -i\b|\bgrep -P\b|\bcat -A\b|\bstat -c\b|`file ")


@pytest.mark.parametrize("anchor", ["crlf-line-endings", "yaml-tab", "bind-mount-permission-denied"])
def test_unix_only_commands_come_with_powershell_and_macos_forms(anchor):
    entry = next(e for e in ALL if e.anchor == anchor)
    assert UNIX_ONLY.search(entry.body), f"{entry.where}: no Unix-only command left; drop it from this test"
    assert re.search(r'^\s*=== "(?:PowerShell|Windows)', entry.body, re.M), f"{entry.where}: no PowerShell tab"
    assert "macOS" in entry.body, f"{entry.where}: says nothing of macOS"
