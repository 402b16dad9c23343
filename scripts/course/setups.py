"""Docker setups and what each prints differently: includes/docker-setups.yml, and its fences.

The pages' outputs come from one engine (Docker Engine 28.5 from Debian, the containerd
image store). A learner has Docker Desktop, Docker CE 29, a distribution's package,
rootless Docker or Podman. includes/docker-setups.yml is the one table of what differs
(issue 24); three pymdownx.superfences fences (no MkDocs hook or plugin) show it:

* ```differs on a lesson page: the ids of differences, one per line. It renders each
  difference's notes, every note labelled with the setups it concerns and its source,
  in a collapsed box that reads without JavaScript (and in the PDF). which-docker.js
  then shows the notes of the learner's setup first, and only those, with a button for
  the others.
* ```differs-table on docs/which-docker.md: every difference and note in one table, with
  the pages that show it.
* ```which-docker on docs/which-docker.md: the box where a learner pastes `docker version`
  (and `docker info`); which-docker.js names the setup, lists what differs chapter by
  chapter and remembers it (course.store). The data it needs is in the box's attribute.

tests/test_docker_setups.py holds the page to it: a page that runs a command matching a
difference's `commands` (a console block or an included transcript) must carry that
difference's ```differs fence. Bad input (an unknown id, a malformed data file) fails
the build with the file and line.
"""

from __future__ import annotations

import functools
import html
import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

import markdown
from pymdownx.superfences import SuperFencesException

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
DATA = ROOT / "includes" / "docker-setups.yml"
WHICH_PAGE = "which-docker.md"
STORES = ("containerd", "classic", "own")
NOTE_KEYS = {"for", "text", "shows", "recorded", "source"}
FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$")


class SetupsError(SuperFencesException):
    """A fence or data file the build cannot use: fails the build (a SuperFencesException)."""


@dataclass
class Setup:
    id: str
    name: str
    store: str
    summary: str
    source: str


@dataclass
class Note:
    key: str  # "<difference id>/<n>"
    tokens: list[str]  # as written in `for`: setup ids, group names, store:NAME
    setups: list[str]  # the setup ids it concerns (groups expanded)
    stores: list[str]  # the image stores it concerns (every setup that has one)
    label: str  # "Docker CLI 29 and later, Podman with podman-docker"
    text: str
    shows: str | None
    source: str
    recorded: list[str] = field(default_factory=list)  # transcripts recorded on another engine

    def transcripts(self) -> list[tuple[str, str, str]]:
        """(path, text, recording note) of each transcript the note shows."""
        out = []
        for rel in self.recorded:
            path = ROOT / rel
            record = (path.parent / "recorded.md").read_text(encoding="utf-8").strip().strip("*")
            out.append((rel, path.read_text(encoding="utf-8").rstrip("\n"), record))
        return out

    def applies(self, setup: str, store: str | None) -> bool:
        return setup in self.setups or (store is not None and store in self.stores)


@dataclass
class Difference:
    id: str
    title: str
    commands: list[re.Pattern]
    output: re.Pattern | None
    notes: list[Note]
    line: int

    def concerns(self, command: str, output: list[str] | None = None) -> bool:
        """Does this difference concern `command` (as a page shows it), given its shown output?"""
        if not any(p.search(command) for p in self.commands):
            return False
        return self.output is None or bool(output and self.output.search("\n".join(output)))


@dataclass
class Data:
    setups: dict[str, Setup]
    groups: dict[str, dict]
    stores: dict[str, str]
    differences: dict[str, Difference] = field(default_factory=dict)


# --------------------------------------------------------------------------- the data file
def _line_of(text: str, pattern: str, start: int = 0) -> int:
    """1-based line of the first match of `pattern` in `text` at or after line `start`."""
    lines = text.splitlines()
    for n in range(max(start - 1, 0), len(lines)):
        if re.search(pattern, lines[n]):
            return n + 1
    return start or 1


class DataError(ValueError):
    def __init__(self, path: Path, line: int, message: str):
        self.where = f"{_rel(path)}:{line}"
        super().__init__(f"{self.where}: {message}")


def _rel(path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


_NO_RELATIVE_LINK = re.compile(r"\]\((?!https?://)[^)]*\)")


def load(path: Path = DATA) -> Data:
    """The data file, checked; DataError (file:line: what is wrong) on bad input."""
    path = Path(path)
    return _load(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _load(path: Path, _mtime: int) -> Data:
    import yaml

    text = path.read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise DataError(
            path, mark.line + 1 if mark else 1, f"not valid YAML: {getattr(error, 'problem', error)}"
        ) from None
    if not isinstance(raw, dict) or set(raw) != {"setups", "groups", "stores", "differences"}:
        raise DataError(path, 1, "the file has four keys: setups, groups, stores, differences")

    stores = raw["stores"]
    if not isinstance(stores, dict) or not set(stores) <= set(STORES):
        raise DataError(path, _line_of(text, r"^stores:"), f"stores: a mapping of {', '.join(STORES)} to names")

    setups: dict[str, Setup] = {}
    for item in raw["setups"] or []:
        line = _line_of(text, rf"^\s*- id: {re.escape(str(item.get('id')))}\s*$") if isinstance(item, dict) else 1
        keys = {"id", "name", "store", "summary", "source"}
        if not isinstance(item, dict) or set(item) != keys:
            raise DataError(path, line, f"a setup has exactly the keys {', '.join(sorted(keys))}")
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", str(item["id"])) or item["id"] in setups:
            raise DataError(path, line, f"setup id {item['id']!r}: lowercase letters, digits and dashes, once")
        if item["store"] not in STORES:
            raise DataError(
                path, _line_of(text, r"^\s+store:", line), f"setup {item['id']}: store is one of {', '.join(STORES)}"
            )
        setups[item["id"]] = Setup(**{k: str(v).strip() for k, v in item.items()})

    groups = raw["groups"] or {}
    for name, group in groups.items():
        line = _line_of(text, rf"^  {re.escape(name)}:")
        if name in setups or not isinstance(group, dict) or set(group) != {"name", "setups"}:
            raise DataError(path, line, f"group {name}: a name other than a setup's, with `name` and `setups`")
        unknown = [s for s in group["setups"] if s not in setups]
        if unknown:
            raise DataError(path, line, f"group {name}: no setup {unknown[0]!r}")

    data = Data(setups, groups, stores)
    for item in raw["differences"] or []:
        diff = _difference(item, data, text, path)
        if diff.id in data.differences:
            raise DataError(path, diff.line, f"difference {diff.id!r} is defined twice")
        data.differences[diff.id] = diff
    return data


def _difference(item, data: Data, text: str, path: Path) -> Difference:
    if not isinstance(item, dict) or "id" not in item:
        raise DataError(path, _line_of(text, r"^differences:"), "each difference is a mapping that starts with `id:`")
    did = str(item["id"])
    line = _line_of(text, rf"^  - id: {re.escape(did)}\s*$")
    known = {"id", "title", "commands", "output", "notes"}
    unknown = sorted(set(item) - known)
    if unknown:
        raise DataError(
            path, _line_of(text, rf"^\s+{unknown[0]}:", line), f"difference {did}: unknown key {unknown[0]!r}"
        )
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", did):
        raise DataError(path, line, f"difference id {did!r}: lowercase letters, digits and dashes")
    if not item.get("title") or not item.get("notes"):
        raise DataError(path, line, f"difference {did}: needs a title and notes")

    def pattern(p, key):
        try:
            return re.compile(p)
        except (re.error, TypeError) as error:
            raise DataError(path, _line_of(text, rf"^\s+{key}:", line), f"difference {did}: {key}: {error}") from None

    commands = [pattern(p, "commands") for p in item.get("commands") or []]
    output = pattern(item["output"], "output") if item.get("output") else None
    notes = []
    for n, note in enumerate(item["notes"], 1):
        nline = _line_of(text, r"^\s+- for:", line)
        if not isinstance(note, dict) or not {"for", "text", "source"} <= set(note) <= NOTE_KEYS:
            raise DataError(
                path, nline, f"difference {did}, note {n}: keys for, text, source and optional shows or recorded"
            )
        if "shows" in note and "recorded" in note:
            raise DataError(
                path, nline, f"difference {did}, note {n}: shows (typed) or recorded (a transcript), not both"
            )
        recorded = []
        for rel in note.get("recorded") or []:
            transcript = ROOT / str(rel)
            if not transcript.is_file() or not (transcript.parent / "recorded.md").is_file():
                raise DataError(
                    path,
                    _line_of(text, r"^\s+recorded:", nline),
                    f"difference {did}, note {n}: recorded: no "
                    f"transcript {rel} with a recorded.md beside it (python -m course capture writes both)",
                )
            recorded.append(str(rel))
        tokens, setups, stores, labels = [str(t) for t in note["for"]], [], [], []
        for token in tokens:
            if token.startswith("store:") and token[6:] in data.stores:
                stores.append(token[6:])
                labels.append(f"every setup with {data.stores[token[6:]]}")
            elif token in data.groups:
                setups += data.groups[token]["setups"]
                labels.append(data.groups[token]["name"])
            elif token in data.setups:
                setups.append(token)
                labels.append(data.setups[token].name)
            else:
                raise DataError(path, nline, f"difference {did}, note {n}: no setup, group or store {token!r}")
        for key in ("text", "source"):
            if _NO_RELATIVE_LINK.search(str(note[key])):
                raise DataError(path, nline, f"difference {did}, note {n}: {key}: links must be https:// addresses")
        notes.append(
            Note(
                key=f"{did}/{n}",
                tokens=tokens,
                setups=list(dict.fromkeys(setups)),
                stores=stores,
                label=", ".join(labels),
                text=str(note["text"]).strip(),
                shows=str(note["shows"]).rstrip("\n") if note.get("shows") else None,
                source=str(note["source"]).strip(),
                recorded=recorded,
            )
        )
        line = nline + 1
    return Difference(did, str(item["title"]).strip(), commands, output, notes, _line_of(text, rf"^  - id: {did}\s*$"))


# --------------------------------------------------------------------------- fences in docs/
@dataclass
class Found:
    page: str  # path under docs/
    line: int  # of the opening fence
    ids: list[str]


def parse_ids(source: str) -> list[tuple[int, str]]:
    """(offset, id) for each line of a ```differs fence: an id, optionally as `- id`."""
    out = []
    for n, line in enumerate(source.splitlines()):
        item = line.strip().removeprefix("- ").strip()
        if item and not item.startswith("#"):
            out.append((n, item))
    return out


def find_in_text(text: str, page: str, kinds=("differs",)) -> list[Found]:
    found, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        m = FENCE_OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        close = re.compile(rf"^{re.escape(m['indent'])}{re.escape(m['fence'][0])}{{{len(m['fence'])},}}[ \t]*$")
        end = next((j for j in range(i + 1, len(lines)) if close.match(lines[j])), len(lines))
        info = m["info"].split()
        if info and info[0] in kinds:
            body = "\n".join(line[len(m["indent"]) :] for line in lines[i + 1 : end])
            found.append(Found(page, i + 1, [x for _, x in parse_ids(body)]))
        i = end + 1
    return found


def find_all(docs: Path = DOCS) -> list[Found]:
    found = []
    for path in sorted(docs.rglob("*.md")):
        if "vendor" not in path.parts:
            found += find_in_text(path.read_text(encoding="utf-8"), path.relative_to(docs).as_posix())
    return found


def _where(source: str, offset: int) -> str:
    """docs/page.md:LINE of a ```differs fence's line `offset`, found by its ids."""
    wanted = [x for _, x in parse_ids(source)]
    for item in find_all():
        if item.ids == wanted:
            return f"docs/{item.page}:{item.line + 1 + offset}"
    return f"a ```differs fence not found in docs/ (its line {offset + 1})"


@functools.lru_cache(maxsize=64)
def page_title(page: str) -> str:
    path = DOCS / page
    m = re.search(r"^# (.+)$", path.read_text(encoding="utf-8"), re.M) if path.is_file() else None
    return m.group(1).strip() if m else page


def chapter_of(page: str) -> str:
    folder = posixpath.dirname(page)
    return page_title(f"{folder}/index.md") if folder else "Start here"


# --------------------------------------------------------------------------- rendering
_MD = markdown.Markdown(extensions=["pymdownx.inlinehilite"])


def md_html(text: str, inline: bool = False) -> str:
    out = _MD.reset().convert(text).strip()
    if inline and out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return out


def _pre(text: str) -> str:
    return f'<div class="language-text highlight"><pre><code>{html.escape(text)}</code></pre></div>'


def _href(md, target: str) -> str | None:
    """The page's own link to docs/`target`, as MkDocs writes links (directory URLs or .html),
    when MkDocs renders the page; None elsewhere (which-docker.js then sets it)."""
    try:
        relpath = md.treeprocessors["relpath"]
        here = posixpath.dirname(relpath.file.src_uri)
        return relpath.path_to_url(posixpath.relpath(target, here or "."))
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def _link(md, target: str, text: str) -> str:
    href = _href(md, target)
    attr = f' href="{html.escape(href)}"' if href else ""
    return f'<a{attr} data-course-href="{html.escape(target)}">{text}</a>'


def render_note(note: Note) -> str:
    tokens = html.escape(" ".join(note.setups + ["store:" + s for s in note.stores]))
    label = f'<strong class="course-differs__for">{md_html(note.label, inline=True)}:</strong>'
    parts = [
        f'<div class="course-differs__note" data-for="{tokens}">',
        f"<p>{label} {md_html(note.text, inline=True)}</p>",
    ]
    if note.shows:
        parts.append(_pre(note.shows))
    parts += _recorded(note)
    source = md_html(note.source, inline=True)
    if note.recorded:
        parts.append(f'<p class="course-differs__source">Source: {source}</p>')
    else:
        parts.append(f'<p class="course-differs__source">Not recorded on the course\'s engine. Source: {source}</p>')
    parts.append("</div>")
    return "".join(parts)


def _recorded(note: Note) -> list[str]:
    """Each transcript the note shows, and what recorded it (its recorded.md)."""
    parts = []
    for rel, body, record in note.transcripts():
        parts.append(f'<div class="language-console highlight"><pre><code>{html.escape(body)}</code></pre></div>')
        parts.append(f'<p class="course-differs__recorded">{html.escape(record)} (<code>{html.escape(rel)}</code>)</p>')
    return parts


def render_differs(diffs: list[Difference], md=None) -> str:
    titles = "; ".join(md_html(d.title, inline=True) for d in diffs)
    parts = [
        '<details class="note course-differs" data-course-script="which-docker">',
        f'<summary>On other Docker setups: <span class="course-differs__titles">{titles}</span></summary>',
    ]
    for d in diffs:
        parts.append(f'<div class="course-differs__diff" data-differs="{d.id}">')
        if len(diffs) > 1:
            parts.append(f'<p class="course-differs__title">{md_html(d.title, inline=True)}</p>')
        parts += [render_note(n) for n in d.notes]
        parts.append("</div>")
    parts.append(
        f'<p class="course-differs__which">{_link(md, WHICH_PAGE, "Which Docker do you have?")} '
        "Name your setup there, and the pages show its notes first.</p></details>"
    )
    return "".join(parts)


def differs_fence(source, language, class_name, options, md, **kwargs):
    """pymdownx.superfences formatter for ```differs fences."""
    try:
        data = load()
    except DataError as error:
        raise SetupsError(str(error)) from None
    ids = parse_ids(source)
    if not ids:
        raise SetupsError(f"{_where(source, 0)}: differs: name at least one difference of {_rel(DATA)}")
    diffs = []
    for offset, did in ids:
        if did not in data.differences:
            raise SetupsError(
                f"{_where(source, offset)}: differs: no difference {did!r} in {_rel(DATA)} "
                f"(known: {', '.join(sorted(data.differences))})"
            )
        diffs.append(data.differences[did])
    return render_differs(diffs, md)


@functools.lru_cache(maxsize=1)
def reading_order() -> list[str]:
    """The docs pages in the order of mkdocs.yml's nav."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = text[text.index("\nnav:") :] if "\nnav:" in text else ""
    return re.findall(r"([\w./-]+\.md)\s*$", nav, re.M)


def pages_showing(data: Data) -> dict[str, list[str]]:
    """Difference id -> the docs pages whose ```differs fences name it, in reading order."""
    out: dict[str, list[str]] = {d: [] for d in data.differences}
    for found in find_all():
        for did in found.ids:
            if did in out and found.page not in out[did]:
                out[did].append(found.page)
    order = {page: n for n, page in enumerate(reading_order())}
    return {d: sorted(pages, key=lambda p: order.get(p, len(order))) for d, pages in out.items()}


def _table(head: list[str], rows: list[str], cls: str) -> str:
    return (
        f'<div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table class="{cls}">'
        "<thead><tr>"
        + "".join(f"<th>{h}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div></div>"
    )


def setups_table(data: Data) -> str:
    rows = [
        f'<tr id="setup-{s.id}"><td>{html.escape(s.name)}</td><td>{md_html(s.summary, inline=True)}</td>'
        f"<td>{html.escape(data.stores.get(s.store, 'its own (Podman)'))}</td>"
        f"<td>{md_html(s.source, inline=True)}</td></tr>"
        for s in data.setups.values()
    ]
    return _table(
        ["Setup", "What it is", "Image store (unless docker info says otherwise)", "Source"],
        rows,
        "course-setups-table",
    )


def table_fence(source, language, class_name, options, md, **kwargs):
    """```differs-table: `setups` (every setup) or `differences` (every difference and note,
    with the pages that show it)."""
    try:
        data = load()
    except DataError as error:
        raise SetupsError(str(error)) from None
    what = source.strip()
    if what == "setups":
        return setups_table(data)
    if what != "differences":
        raise SetupsError(f"a ```differs-table fence holds one word, setups or differences, not {what!r}")
    shown = pages_showing(data)
    rows = []
    for d in data.differences.values():
        pages = ", ".join(_link(md, p, html.escape(page_title(p))) for p in shown[d.id]) or "(no page runs it)"
        for i, note in enumerate(d.notes):
            first = i == 0
            span = f' rowspan="{len(d.notes)}"' if first and len(d.notes) > 1 else ""
            cells = []
            if first:
                cells.append(
                    f'<td{span} id="differs-{d.id}">{md_html(d.title, inline=True)}<br><code>{d.id}</code></td>'
                )
            cells.append(f"<td>{md_html(note.label, inline=True)}</td>")
            body = md_html(note.text, inline=True) + (_pre(note.shows) if note.shows else "") + "".join(_recorded(note))
            cells.append(f"<td>{body}</td><td>{md_html(note.source, inline=True)}</td>")
            if first:
                cells.append(f"<td{span}>{pages}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
    return _table(["Difference", "On", "What you see instead", "Source", "Pages"], rows, "course-differs-table")


def box_data(data: Data) -> dict:
    shown = pages_showing(data)
    return {
        "setups": [
            {"id": s.id, "name": s.name, "store": s.store, "summary": md_html(s.summary, inline=True)}
            for s in data.setups.values()
        ],
        "stores": data.stores,
        "order": reading_order(),
        "differences": [
            {
                "id": d.id,
                "title": md_html(d.title, inline=True),
                "pages": [{"page": p, "title": page_title(p), "chapter": chapter_of(p)} for p in shown[d.id]],
                "notes": [
                    {
                        "for": n.setups + ["store:" + s for s in n.stores],
                        "label": md_html(n.label, inline=True),
                        "html": md_html(n.text, inline=True),
                    }
                    for n in d.notes
                ],
            }
            for d in data.differences.values()
        ],
    }


def box_fence(source, language, class_name, options, md, **kwargs):
    """```which-docker: the box that names a learner's setup from a pasted `docker version`."""
    try:
        data = load()
    except DataError as error:
        raise SetupsError(str(error)) from None
    payload = html.escape(json.dumps(box_data(data), separators=(",", ":")))
    options_html = "".join(f'<option value="{s.id}">{html.escape(s.name)}</option>' for s in data.setups.values())
    return (
        f'<div class="which-docker" data-course-script="which-docker" data-setups="{payload}" '
        'role="region" aria-label="Which Docker do you have?">'
        "<p>Run <code>docker version</code> (or <code>docker version --format json</code>) and paste all of its "
        "output below. To tell the image store too, run <code>docker info</code> and paste its output after it. "
        "Nothing leaves your browser.</p>"
        '<div class="which-docker__interactive">'
        '<p><label for="which-docker-paste">Output of <code>docker version</code>'
        " (and <code>docker info</code>)</label>"
        '<textarea id="which-docker-paste" rows="10" spellcheck="false" autocomplete="off"></textarea></p>'
        '<p><button type="button" class="md-button course-button which-docker__check">Name my Docker</button> '
        '<button type="button" class="md-button course-button which-docker__forget">Forget it</button></p>'
        '<p><label for="which-docker-choose">Or choose it from the list: </label>'
        '<select id="which-docker-choose" class="which-docker__choose">'
        f'<option value="">…</option>{options_html}</select></p>'
        "</div>"
        '<p class="which-docker__result" role="status" aria-live="polite"></p>'
        '<div class="which-docker__differs"></div>'
        '<p class="which-docker__nojs">With JavaScript off, the table below lists every difference and the '
        "setups it concerns.</p></div>"
    )
