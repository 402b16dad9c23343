"""The "paste your error" box of the troubleshooting part: pymdownx.superfences custom fences.

No MkDocs plugin or hook (Zensical runs superfences formatters and drops
those): mkdocs.yml registers two formatters under pymdownx.superfences'
custom_fences.

```messages, right under each entry's heading of docs/troubleshooting/*.md
(the contract of an entry: docs/contributing/writing-style.md, "Troubleshooting
entries"; tests/test_errorfinder.py holds every entry to it), lists every wording
a learner can see and the entry's cause in one sentence, as YAML:

    cause: No container has that name or ID on the engine you talk to.
    messages:
      - 'Error response from daemon: No such container: <name>'
      - 'Error: No such container: <name>'
    seen: {1: "Engine 29 (a short source)"}

`messages` are one line each, as printed. A part that varies may be written as
a placeholder (PLACEHOLDERS); the obvious variable parts of a literal wording
(IDs, digests, addresses, paths, versions, numbers, quoted names) are found by
the patterns of errorfinder.json either way. `seen` (optional) maps a wording's
position in `messages` (0 for the first) to where it comes from. The fence
renders as the visible list "How the message reads".

```error-finder (empty), on docs/troubleshooting/index.md, renders the box and
carries the fingerprints of every entry: the words of each wording, its
variable parts as wildcards, compiled here with the patterns of
errorfinder.json, which the page carries too, so that
docs/assets/javascripts/errors.js reads a paste with the very same patterns.
An entry without a ```messages fence yet is compiled from its heading's code
spans and the first sentence of its **Cause.** (`python -m course errorfinder`
lists them; tests/test_errorfinder.py wants none).

Bad input fails the build with the page and the line.

Why no fuzzy-matching library: the box scores a paste against these fingerprints
itself (errors.js). Compared once on the 199 test texts of `make bench-errors`
(tests/data/error-pastes and the captured transcripts), with variants of
scripts/bench-errors.mjs that ranked the entries by a library's score instead
(the libraries were not kept), the first result was right for fastest-levenshtein
94.9 %, fuse.js 87.8 %, uFuzzy 10.2 %, and the course's own matcher 100 %. A
string distance counts the parts that differ between readers (names, IDs, paths,
versions) as differences; the fingerprints make them wildcards.
"""

from __future__ import annotations

import argparse
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from course import practice

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PART = "troubleshooting"
PATTERNS_FILE = Path(__file__).with_name("errorfinder.json")
PLACEHOLDERS = ("name", "id", "image", "port", "address", "host", "path", "version", "n", "any")
ISSUE_TEMPLATE = "error-not-listed.yml"
MAX_CAUSE = 200  # characters: the cause is one line under a link in the box's answer

HEADING = re.compile(r"^### +(?P<text>.+?)(?:\s*\{\s*#(?P<id>[\w-]+)[^}]*\})?\s*$")
SECTION = re.compile(r"^#{1,3} ")
CODE_SPAN = re.compile(r"(?P<ticks>`+)\s?(?P<code>.+?)\s?(?P=ticks)")
TRANSCRIPT = re.compile(r'--8<-- "(?P<path>examples/troubleshooting/[^"]+/output/[^"/]+\.txt)"')


class ErrorFinderError(practice.PracticeError):
    """A messages fence or an entry the build cannot use (a SuperFencesException: the build fails)."""


class MessagesSyntax(Exception):
    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset = offset


# --------------------------------------------------------------------------- reading a message
def _load_patterns() -> dict:
    data = json.loads(PATTERNS_FILE.read_text(encoding="utf-8"))
    return {"patterns": data["patterns"], "words": data["words"]}


PATTERNS = _load_patterns()
_VARIABLE = re.compile("|".join(f"({regex})" for _, regex in PATTERNS["patterns"]), re.ASCII)
_WORD = re.compile(PATTERNS["words"], re.ASCII)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def tokens(line: str) -> list[str]:
    """The words of a line, its variable parts as wildcards (`<id>`, `<path>`, …), one for
    several in a row (`"/<name>"` is one name, not a path and a name: the last one counts).

    errors.js's `tokens` does the same with the same patterns; tests/js/errors.test.mjs
    shows that both give the same tokens for every wording of every entry."""
    line = _NON_ASCII.sub(" ", line).lower()
    out: list[str] = []
    at = 0
    for m in _VARIABLE.finditer(line):
        out += _WORD.findall(line, at, m.start())
        kind = PATTERNS["patterns"][m.lastindex - 1][0]
        if out and out[-1].startswith("<"):
            out.pop()
        out.append(m.group(0) if kind == "placeholder" else f"<{kind}>")
        at = m.end()
    out += _WORD.findall(line, at)
    return out


def fingerprint(message: str) -> str:
    return " ".join(tokens(message))


# --------------------------------------------------------------------------- ```messages
@dataclass
class Messages:
    cause: str
    messages: list[str]
    seen: dict[int, str] = field(default_factory=dict)


KEYS = ("cause", "messages", "seen")


def _key_line(source: str, key: str) -> int:
    for n, line in enumerate(practice.normalize(source).splitlines()):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return n
    return 0


def _item_line(source: str, index: int) -> int:
    """Line of the index-th item of `messages:` (0-based offset in the fence)."""
    lines = practice.normalize(source).splitlines()
    start = _key_line(source, "messages")
    items = [n for n in range(start + 1, len(lines)) if re.match(r"^\s*- ", lines[n])]
    return items[index] if index < len(items) else start


def one_sentence(text: str) -> bool:
    body = re.sub(r"\b(?:e\.g|i\.e|etc|vs)\.", "", text)
    return bool(re.search(r"[.!?]$", text)) and not re.search(r"[.!?]\s+\S", body.rstrip(".!?"))


def parse_messages(source: str) -> Messages:
    """A ```messages fence's YAML; MessagesSyntax(offset, message) on bad input."""
    import yaml

    try:
        spec = yaml.safe_load(practice.normalize(source))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise MessagesSyntax(mark.line if mark else 0, f"not valid YAML: {getattr(error, 'problem', error)}") from None
    if not isinstance(spec, dict):
        raise MessagesSyntax(0, "a messages fence is YAML with `cause:` (one sentence) and `messages:` (a list)")
    unknown = sorted(set(spec) - set(KEYS), key=str)
    if unknown:
        raise MessagesSyntax(
            _key_line(source, str(unknown[0])), f"unknown key {unknown[0]!r} (known: {', '.join(KEYS)})"
        )
    cause = spec.get("cause")
    if not isinstance(cause, str) or not cause.strip():
        raise MessagesSyntax(_key_line(source, "cause"), "`cause:` is missing: the entry's cause, in one sentence")
    cause = " ".join(cause.split())
    if not one_sentence(cause) or len(cause) > MAX_CAUSE:
        raise MessagesSyntax(
            _key_line(source, "cause"),
            f"`cause:` is one sentence of at most {MAX_CAUSE} characters, ending with a full stop: {cause!r}",
        )
    messages = spec.get("messages")
    if not isinstance(messages, list) or not messages:
        raise MessagesSyntax(_key_line(source, "messages"), "`messages:` is a list of the wordings, one line each")
    for i, message in enumerate(messages):
        line = _item_line(source, i)
        if isinstance(message, dict):
            raise MessagesSyntax(line, "a wording holds `: `: put it in single quotes")
        if not isinstance(message, str) or not message.strip():
            raise MessagesSyntax(line, f"wording {i} is not a line of text: {message!r}")
        if "\n" in message.strip():
            raise MessagesSyntax(line, "a wording is one line, as printed: list each line of a message on its own")
        bad = sorted({p for p in re.findall(r"<([a-z]+)>", message) if p not in PLACEHOLDERS})
        if bad:
            raise MessagesSyntax(
                line, f"unknown placeholder <{bad[0]}> (known: {', '.join(f'<{p}>' for p in PLACEHOLDERS)})"
            )
        if not any(not t.startswith("<") for t in tokens(message)):
            raise MessagesSyntax(line, f"wording {message!r} has no fixed word left to match")
    seen = spec.get("seen") or {}
    if not isinstance(seen, dict):
        raise MessagesSyntax(
            _key_line(source, "seen"), "`seen:` maps a wording's position (0 for the first) to its source"
        )
    for index, where in seen.items():
        if not isinstance(index, int) or not 0 <= index < len(messages):
            raise MessagesSyntax(
                _key_line(source, "seen"),
                f"`seen:` {index!r} is not the position of a wording (0 to {len(messages) - 1})",
            )
        if not isinstance(where, str) or not where.strip() or "](" in where:
            raise MessagesSyntax(
                _key_line(source, "seen"), "`seen:` gives a short source in plain text (links go in the entry's Source)"
            )
    return Messages(cause, [m.strip() for m in messages], {i: str(w).strip() for i, w in seen.items()})


def _with_placeholders(message: str) -> str:
    escaped = html.escape(message, quote=False)
    return re.sub(rf"&lt;({'|'.join(PLACEHOLDERS)})&gt;", r"<var>\1</var>", escaped)


def render_messages(spec: Messages) -> str:
    items = []
    for i, message in enumerate(spec.messages):
        seen = f' <span class="error-messages__seen">({practice.inline(spec.seen[i])})</span>' if i in spec.seen else ""
        items.append(f"<li><code>{_with_placeholders(message)}</code>{seen}</li>")
    return (
        '<div class="error-messages"><p class="error-messages__title"><strong>How the message reads</strong></p>'
        f'<ul class="error-messages__list">{"".join(items)}</ul></div>'
    )


def where(source: str, offset: int, docs_dir: Path | None = None, kind: str = "messages") -> str:
    """`docs/page.md:LINE` of line `offset` of a ```messages (or other) fence, found by its text."""
    docs_dir = docs_dir or DOCS
    wanted = practice.normalize(source)
    for path in sorted(docs_dir.rglob("*.md")):
        if "vendor" in path.parts:
            continue
        for found in practice.find_in_text(path.read_text(encoding="utf-8"), "", kinds=(kind,)):
            if found.source == wanted:
                lead = len(source.expandtabs(4).splitlines()) - len(source.expandtabs(4).lstrip("\n").splitlines())
                return f"docs/{path.relative_to(docs_dir).as_posix()}:{found.line + 1 + lead + offset}"
    return f"a {kind} fence not found in docs/ (line {offset + 1} of the fence)"


def messages_fence(source, language, class_name, options, md, **kwargs):
    """pymdownx.superfences formatter for ```messages fences."""
    try:
        spec = parse_messages(source)
    except MessagesSyntax as error:
        raise ErrorFinderError(f"{where(source, error.offset)}: messages: {error}") from None
    return render_messages(spec)


# --------------------------------------------------------------------------- the entries
@dataclass
class Entry:
    page: str  # under docs/, e.g. "troubleshooting/running.md"
    line: int  # the heading's line
    heading: str  # as written, without its {#anchor}
    anchor: str | None
    cause: str = ""
    messages: list[str] = field(default_factory=list)
    fence_line: int | None = None  # the ```messages fence's opening line; None: compiled from the heading
    blank_lines_before_fence: bool = True  # only blank lines between the heading and the fence
    transcripts: list[str] = field(default_factory=list)
    body: str = ""

    @property
    def where(self) -> str:
        return f"docs/{self.page}:{self.line}"

    @property
    def url(self) -> str:
        return f"{self.page}#{self.anchor}"

    @property
    def fingerprints(self) -> list[str]:
        """One per wording, but one for wordings with the same words (the box matches words only)."""
        unique: dict[str, str] = {}
        for m in self.messages:
            print_ = fingerprint(m)
            unique.setdefault(" ".join(t for t in print_.split() if not t.startswith("<")), print_)
        return list(unique.values())


def shown_heading(text: str) -> str:
    """The heading as the box shows it: code spans in single backticks (course.show's format)."""
    return CODE_SPAN.sub(lambda m: "`" + m["code"].replace("`", "'") + "`", text).strip()


def first_sentence(body: str, label: str = "**Cause.**") -> str:
    at = body.find(label)
    if at < 0:
        return ""
    paragraph = " ".join(body[at + len(label) :].split("\n\n")[0].split())
    m = re.match(r"(.+?[.!?])(?:\s+[A-Z(`]|$)", paragraph)
    return m.group(1) if m else paragraph


def page_entries(text: str, page: str) -> list[Entry]:
    """The entries of one page (### headings), with their ```messages fence, if any."""
    found: list[Entry] = []
    current: Entry | None = None  # the entry whose body the lines belong to (None after a ## section starts)
    fences = {f.line: f for f in practice.find_in_text(text, page, kinds=("messages",))}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        opening = practice.FENCE_OPEN.match(line)
        if opening:
            char, length = opening["fence"][0], len(opening["fence"])
            closing = re.compile(rf"^{re.escape(opening['indent'])}{re.escape(char)}{{{length},}}[ \t]*$")
            end = next((j for j in range(i + 1, len(lines)) if closing.match(lines[j])), len(lines))
            if i + 1 in fences:
                if current is None:
                    raise ErrorFinderError(
                        f"docs/{page}:{i + 1}: messages: a messages fence goes right under an entry's ### heading"
                    )
                if current.fence_line is not None:
                    raise ErrorFinderError(
                        f"docs/{page}:{i + 1}: messages: a second messages fence for the entry of line "
                        f"{current.line}: list every wording in one"
                    )
                try:
                    spec = parse_messages(fences[i + 1].source)
                except MessagesSyntax as error:
                    raise ErrorFinderError(f"docs/{page}:{i + 2 + error.offset}: messages: {error}") from None
                current.fence_line, current.cause, current.messages = i + 1, spec.cause, spec.messages
                current.blank_lines_before_fence = not current.body.strip()
            if current is not None:
                current.body += "\n".join(lines[i : end + 1]) + "\n"
            i = end + 1
            continue
        if m := HEADING.match(line):
            current = Entry(page, i + 1, m["text"], m["id"])
            found.append(current)
        elif SECTION.match(line):
            current = None  # a new section closes the entry
        elif current is not None:
            current.body += line + "\n"
        i += 1
    for entry in found:
        entry.transcripts = TRANSCRIPT.findall(entry.body)
        if not entry.anchor:
            raise ErrorFinderError(
                f"{entry.where}: an entry's heading needs an anchor ({{#short-name}}): the box links to it"
            )
        if entry.fence_line is None:
            # Not written yet: the heading's code spans (… for the part that differs), the cause's first sentence.
            spans = [c["code"].replace("…", "<any>") for c in CODE_SPAN.finditer(entry.heading)]
            entry.messages = spans or [entry.heading]
            entry.cause = first_sentence(entry.body)
    return found


def entries(docs_dir: Path | None = None) -> list[Entry]:
    """Every entry of docs/troubleshooting/*.md, page by page in name order."""
    docs_dir = docs_dir or DOCS
    found: list[Entry] = []
    for path in sorted((docs_dir / PART).glob("*.md")):
        found += page_entries(path.read_text(encoding="utf-8"), f"{PART}/{path.name}")
    return found


def repo_url(config: Path | None = None) -> str:
    """mkdocs.yml's repo_url (read as text: the file has tags that yaml.safe_load refuses)."""
    text = (config or ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    m = re.search(r"^repo_url:\s*(\S+)", text, re.M)
    return m.group(1).rstrip("/") if m else ""


def finder_data(found: list[Entry] | None = None) -> dict:
    """What the box needs: the patterns, the tracker's form, and each entry's fingerprints."""
    found = entries() if found is None else found
    repo = repo_url()
    return {
        **PATTERNS,
        "issue": f"{repo}/issues/new?template={ISSUE_TEMPLATE}" if repo else "",
        "entries": [{"u": e.url, "h": shown_heading(e.heading), "c": e.cause, "f": e.fingerprints} for e in found],
    }


def render_finder(data: dict) -> str:
    payload = html.escape(json.dumps(data, separators=(",", ":"), ensure_ascii=False))
    return (
        f'<div class="error-finder" data-course-script="errors" data-finder="{payload}">'
        '<p class="error-finder__nojs">This box needs JavaScript. Without it, search this site for a few words '
        "of the message, or open the page for what you were doing, below.</p>"
        '<div class="error-finder__form">'
        '<p class="error-finder__field"><label for="error-finder-paste">Paste the error</label>'
        '<span class="error-finder__help" id="error-finder-help">: the command and all it printed, or only the '
        "line that says what failed. The box reads it in your browser and sends nothing.</span></p>"
        '<textarea id="error-finder-paste" rows="6" spellcheck="false" autocomplete="off" autocapitalize="off" '
        'aria-describedby="error-finder-help" data-paste-keeps="end"></textarea>'
        '<p><button type="button" class="md-button course-button error-finder__find">Find the cause</button></p>'
        "</div>"
        '<div class="error-finder__answer" role="status" aria-live="polite">'
        '<p class="error-finder__verdict"></p><ol class="error-finder__results"></ol></div>'
        "</div>"
    )


def finder_fence(source, language, class_name, options, md, **kwargs):
    """pymdownx.superfences formatter for the ```error-finder fence (no content)."""
    if source.strip():
        raise ErrorFinderError(
            f"{where(source, 0, kind='error-finder')}: error-finder: the fence takes no content "
            "(the entries come from docs/troubleshooting/)"
        )
    return render_finder(finder_data())


# --------------------------------------------------------------------------- command line
def run(args: argparse.Namespace) -> int:
    if args.tokens:
        # One line of tokens per line read (tests/js/errors.test.mjs compares them with errors.js's).
        import sys

        print(json.dumps([" ".join(tokens(line)) for line in sys.stdin.read().split("\n")]))
        return 0
    found = entries()
    if args.json:
        data = finder_data(found)
        data["wordings"] = {e.url: [[m, fingerprint(m)] for m in e.messages] for e in found}
        data["fallback"] = [e.url for e in found if e.fence_line is None]
        data["transcripts"] = {e.url: e.transcripts for e in found}
        print(json.dumps(data, indent=1, ensure_ascii=False))
        return 0
    for e in found:
        mark = " " if e.fence_line else "*"
        print(f"{mark} {e.url}: {e.cause}")
        for m in e.messages:
            print(f"      {fingerprint(m)}")
    missing = sum(e.fence_line is None for e in found)
    print(f"{len(found)} entries; {missing} (*) without a messages fence, read from their heading")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "errorfinder", help="list the troubleshooting entries' messages and the fingerprints the error finder matches"
    )
    parser.add_argument("--json", action="store_true", help="print the box's data as JSON (for tests/js)")
    parser.add_argument("--tokens", action="store_true", help="read lines on stdin, print each one's tokens (JSON)")
    parser.set_defaults(func=run)
