"""Quizzes, labs and the progress page: pymdownx.superfences custom fences.

No MkDocs plugin or hook (Zensical runs superfences formatters and drops
those): mkdocs.yml registers `quiz_fence`, `lab_fence` and `progress_fence`
under pymdownx.superfences' custom_fences. Each fence becomes static HTML that
reads well without JavaScript and in the PDF (every question with its answer
and explanations, every lab with its task, command and solution);
docs/assets/javascripts/practice.js (quizzes, progress) and labs.js make them
interactive, each loaded by course.js on the pages that have one.

A quiz, written in a ```quiz fence (docs/contributing/writing-style.md):

    ? Which command builds an image called `hello` from the current folder?
    + `docker build -t hello .`
      `-t` names the image; `.` is the build context.
    - `docker run hello`
      `docker run` starts a container from an image that already exists.

`? ` starts a question (more lines indented by two spaces continue it), `+ `
is a right choice and `- ` a wrong one, each followed by its explanation on
lines indented by two spaces. A question has two choices or more, at least one
right; several right choices make a "choose all that apply" question. Inline
Markdown (code, emphasis) works; links do not (the build would not check them).
Bad input fails the build with the page and the line.

Each quiz and lab has an id: a short hash of its source, so an edited quiz
starts afresh in the learner's progress instead of showing an old result.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import markdown
from pymdownx.superfences import SuperFencesException

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)$")


class PracticeError(SuperFencesException):
    """A quiz or lab the build cannot use. A SuperFencesException, so superfences fails the build."""


def normalize(source: str) -> str:
    lines = [line.rstrip() for line in textwrap.dedent(source.expandtabs(4)).splitlines()]
    return "\n".join(lines).strip("\n")


def content_id(source: str) -> str:
    """Short id of a quiz or lab: changes whenever its text changes."""
    return hashlib.sha256(normalize(source).encode()).hexdigest()[:8]


# --------------------------------------------------------------------------- finding fences in docs/
@dataclass
class Found:
    kind: str  # "quiz" or "lab"
    page: str  # path under docs/, e.g. "concepts/index.md"
    line: int  # line of the opening fence
    source: str

    @property
    def id(self) -> str:
        return lab_id(parse_lab(self.source)) if self.kind == "lab" else content_id(self.source)


def find_in_text(text: str, page: str, kinds=("quiz", "lab")) -> list[Found]:
    found = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE_OPEN.match(lines[i])
        if not opening:
            i += 1
            continue
        char, length = opening["fence"][0], len(opening["fence"])
        # The closing fence has the opening's indent (a lab's solution holds indented fences).
        closing = re.compile(rf"^{re.escape(opening['indent'])}{re.escape(char)}{{{length},}}[ \t]*$")
        end = next((j for j in range(i + 1, len(lines)) if closing.match(lines[j])), len(lines))
        info = opening["info"].split()
        if info and info[0] in kinds:
            indent = opening["indent"]
            body = [line[len(indent) :] if line.startswith(indent) else line for line in lines[i + 1 : end]]
            found.append(Found(info[0], page, i + 1, normalize("\n".join(body))))
        i = end + 1
    return found


def find_all(docs_dir: Path = DOCS) -> list[Found]:
    found = []
    for path in sorted(docs_dir.rglob("*.md")):
        if "vendor" in path.parts:
            continue
        found += find_in_text(path.read_text(encoding="utf-8"), path.relative_to(docs_dir).as_posix())
    return found


def where(kind: str, source: str, offset: int) -> str:
    """`docs/page.md:LINE` of line `offset` (0-based) of a fence's body, found by its text."""
    wanted = normalize(source)
    name = re.search(r"^name:\s*(\S+)", wanted, re.M)
    for item in find_all():
        same_lab = kind == "lab" and name and re.search(rf"^name:\s*{re.escape(name.group(1))}\s*$", item.source, re.M)
        if item.kind == kind and (item.source == wanted or same_lab):
            # normalize() strips leading blank lines: count them back.
            lead = len(source.expandtabs(4).splitlines()) - len(source.expandtabs(4).lstrip("\n").splitlines())
            return f"docs/{item.page}:{item.line + 1 + lead + offset}"
    return f"a {kind} not found in docs/ (line {offset + 1} of the fence)"


# --------------------------------------------------------------------------- inline Markdown
_INLINE = markdown.Markdown(extensions=["pymdownx.inlinehilite"])


def inline(text: str) -> str:
    out = _INLINE.reset().convert(text).strip()
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return out


# --------------------------------------------------------------------------- quizzes
@dataclass
class Choice:
    text: str
    right: bool
    why: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class Question:
    text: list[str]
    line: int
    choices: list[Choice] = field(default_factory=list)

    @property
    def multiple(self) -> bool:
        return sum(c.right for c in self.choices) > 1


def parse_quiz(source: str) -> list[Question]:
    """The questions of a ```quiz fence; QuizSyntax(offset, message) on bad input."""
    questions: list[Question] = []
    lines = normalize(source).splitlines()
    for n, line in enumerate(lines):
        if not line.strip():
            continue
        if line.startswith("? "):
            questions.append(Question([line[2:].strip()], n))
        elif line.startswith(("+ ", "- ")):
            if not questions:
                raise QuizSyntax(n, "a choice before the first question (start a question with `? `)")
            questions[-1].choices.append(Choice(line[2:].strip(), line[0] == "+", line=n))
        elif line.startswith("  ") and questions:
            q = questions[-1]
            if q.choices:
                q.choices[-1].why.append(line.strip())
            else:
                q.text.append(line.strip())
        else:
            raise QuizSyntax(
                n,
                f"cannot read {line.strip()!r}: a line starts with `? ` (question), `+ ` (right choice), "
                "`- ` (wrong choice) or two spaces (more of the line above: an explanation after a choice)",
            )
    if not questions:
        raise QuizSyntax(0, "the quiz has no question (start one with `? `)")
    for q in questions:
        title = " ".join(q.text)
        if len(q.choices) < 2:
            raise QuizSyntax(q.line, f"question {title!r} needs at least two choices (`+ ` right, `- ` wrong)")
        if not any(c.right for c in q.choices):
            raise QuizSyntax(q.line, f"question {title!r} has no right choice (mark one with `+ `)")
        for c in q.choices:
            if not c.why:
                raise QuizSyntax(c.line, f"choice {c.text!r} has no explanation (indent it by two spaces below)")
            if "](" in c.text + " ".join(c.why) + title:
                raise QuizSyntax(c.line, "links are not checked inside a quiz: put them in the page instead")
    return questions


class QuizSyntax(Exception):
    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset = offset


def shuffled(choices: list[Choice], quiz_id: str, n: int) -> list[Choice]:
    """Authors write the right choice first; readers get a fixed order that does not give it away."""
    order = sorted(range(len(choices)), key=lambda i: hashlib.sha256(f"{quiz_id}/{n}/{i}".encode()).digest())
    return [choices[i] for i in order]


def render_quiz(questions: list[Question], quiz_id: str) -> str:
    parts = [
        f'<div class="quiz" data-quiz="{quiz_id}" data-questions="{len(questions)}" data-course-script="practice">'
    ]
    for n, q in enumerate(questions, 1):
        choices = shuffled(q.choices, quiz_id, n)
        kind = "checkbox" if q.multiple else "radio"
        how = "choose all that apply" if q.multiple else "choose one"
        right = ",".join(str(i) for i, c in enumerate(choices) if c.right)
        name = f"quiz-{quiz_id}-{n}"
        parts.append(f'<fieldset class="quiz__question" data-right="{right}">')
        parts.append(
            f'<legend class="quiz__legend"><span class="quiz__number">{n}.</span> {inline(" ".join(q.text))} '
            f'<span class="quiz__how">({how})</span></legend>'
        )
        parts.append('<ul class="quiz__choices">')
        for i, c in enumerate(choices):
            parts.append(
                f'<li class="quiz__choice"><label><input type="{kind}" name="{name}" value="{i}"> '
                f"<span>{inline(c.text)}</span></label></li>"
            )
        parts.append("</ul>")
        parts.append('<p class="quiz__actions"><button type="button" class="md-button quiz__check">Check</button></p>')
        parts.append('<p class="quiz__result" role="status" aria-live="polite"></p>')
        parts.append('<details class="quiz__answer"><summary>Answer and explanations</summary><ul>')
        for c in choices:
            mark = "Right" if c.right else "Wrong"
            parts.append(
                f'<li class="quiz__why" data-right="{str(c.right).lower()}"><strong>{mark}:</strong> '
                f'{inline(c.text)} <span class="quiz__because">{inline(" ".join(c.why))}</span></li>'
            )
        parts.append("</ul></details></fieldset>")
    parts.append('<p class="quiz__score" role="status" aria-live="polite"></p></div>')
    return "\n".join(parts)


def quiz_fence(source, language, class_name, options, md, **kwargs):
    """pymdownx.superfences formatter for ```quiz fences."""
    try:
        questions = parse_quiz(source)
    except QuizSyntax as error:
        raise PracticeError(f"{where('quiz', source, error.offset)}: quiz: {error}") from None
    return render_quiz(questions, content_id(source))


# --------------------------------------------------------------------------- the progress page
def progress_fence(source, language, class_name, options, md, **kwargs):
    """```progress: the ids of every quiz and lab of docs/, for the progress page's script.

    The page itself lists the lessons and labs in Markdown (links the build
    checks); this map tells the script which result is current for each page.
    """
    pages: dict[str, dict] = {}
    for item in find_all():
        entry = pages.setdefault(item.page, {"quiz": None, "labs": {}})
        if item.kind == "quiz":
            entry["quiz"] = item.id
        else:
            entry["labs"][f"lab-{parse_lab(item.source)['name']}"] = item.id
    # Data in an attribute, not a <script type="application/json">: Material's instant
    # navigation re-runs every <script> of a new page as JavaScript.
    data = html.escape(json.dumps(pages, sort_keys=True, separators=(",", ":")))
    return (
        f'<div class="progress-tools" data-progress="{data}" data-course-script="practice">'
        '<p class="progress-tools__nojs">Your progress is kept by a small script in your browser; '
        "with JavaScript off there is nothing to show.</p></div>"
    )


# --------------------------------------------------------------------------- labs
"""A lab, written in a ````lab fence (four backticks: its solution holds ``` fences) as YAML:

    name: first-box                  # the heading above is `## Lab: … { #lab-first-box }`
    title: Your first container
    kind: container                  # what the command inspects: container, image, network, volume
    object: first-box                # its name (an image: name:tag)
    command: docker inspect first-box
    goal: A Markdown paragraph that states the state to reach, not the commands.
    hints: [one hint, another]       # shown one at a time
    solution: |                      # Markdown, behind a disclosure
      ```console
      $ docker run --name first-box debian:trixie-slim cat /etc/os-release
      ```
    criteria:                        # checked in the browser, in order
      - text: It was created from `debian:trixie-slim`.
        path: Config.Image           # dotted path in the inspected object
        equals: debian:trixie-slim   # or one_of: [...], contains: x, has_key: k,
                                     #    not_equals: x, some: {field: value, ...}
        hint: What to change when it fails.
        lesson: concepts/images-containers-registries.md#the-container-lifecycle
"""

KINDS = ("container", "image", "network", "volume")
OPS = ("equals", "one_of", "contains", "has_key", "not_equals", "some")
LAB_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class LabSyntax(Exception):
    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset = offset


def _yaml_line(source: str, key: str) -> int:
    for n, line in enumerate(normalize(source).splitlines()):
        if re.match(rf"^\s*-?\s*{re.escape(key)}\s*:", line):
            return n
    return 0


def _anchors(page: Path) -> set[str]:
    from markdown.extensions.toc import slugify

    text = page.read_text(encoding="utf-8")
    return {slugify(m.group(1).strip(), "-") for m in re.finditer(r"^#{1,6} +(.+?) *$", text, re.M)}


def parse_lab(source: str) -> dict:
    import yaml

    try:
        spec = yaml.safe_load(normalize(source))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise LabSyntax(mark.line if mark else 0, f"not valid YAML: {getattr(error, 'problem', error)}") from None
    if not isinstance(spec, dict):
        raise LabSyntax(0, "a lab is a YAML mapping (name:, title:, kind:, …)")
    need = ["name", "title", "kind", "object", "command", "goal", "hints", "solution", "criteria"]
    missing = [k for k in need if not spec.get(k)]
    if missing:
        raise LabSyntax(0, f"missing {', '.join(missing)}")
    unknown = sorted(set(spec) - set(need))
    if unknown:
        raise LabSyntax(_yaml_line(source, unknown[0]), f"unknown key {unknown[0]!r} (known: {', '.join(need)})")
    if not LAB_NAME.match(str(spec["name"])):
        raise LabSyntax(_yaml_line(source, "name"), "name: lowercase letters, digits and dashes")
    if spec["kind"] not in KINDS:
        raise LabSyntax(_yaml_line(source, "kind"), f"kind: one of {', '.join(KINDS)}")
    if not isinstance(spec["hints"], list) or not all(isinstance(h, str) for h in spec["hints"]):
        raise LabSyntax(_yaml_line(source, "hints"), "hints: a list of sentences")
    if not isinstance(spec["criteria"], list):
        raise LabSyntax(_yaml_line(source, "criteria"), "criteria: a list")
    for c in spec["criteria"]:
        line = _yaml_line(source, "text") if not isinstance(c, dict) else 0
        if not isinstance(c, dict):
            raise LabSyntax(line, "each criterion is a mapping with text, path, an operator, hint and lesson")
        ops = [op for op in OPS if op in c]
        for key in ("text", "path", "hint", "lesson"):
            if not c.get(key):
                raise LabSyntax(_yaml_line(source, "criteria"), f"criterion {c.get('text', '?')!r} has no {key}")
        if len(ops) != 1:
            raise LabSyntax(
                _yaml_line(source, "criteria"),
                f"criterion {c['text']!r} needs exactly one of {', '.join(OPS)}",
            )
        target, _, anchor = c["lesson"].partition("#")
        page = DOCS / target
        if not page.is_file():
            raise LabSyntax(_yaml_line(source, "lesson"), f"lesson {c['lesson']!r}: no page docs/{target}")
        if anchor and anchor not in _anchors(page):
            raise LabSyntax(_yaml_line(source, "lesson"), f"lesson {c['lesson']!r}: no heading with that anchor")
    return spec


_BLOCKS = markdown.Markdown(
    extensions=["pymdownx.highlight", "pymdownx.superfences", "pymdownx.inlinehilite"],
    extension_configs={"pymdownx.highlight": {"pygments_lang_class": True}},
)


def blocks(text: str) -> str:
    return _BLOCKS.reset().convert(text)


def render_lab(spec: dict, lab_id: str) -> str:
    name = spec["name"]
    data = {
        "name": name,
        "kind": spec["kind"],
        "object": spec["object"],
        "command": spec["command"],
        "criteria": [{k: c[k] for k in ("text", "path", "hint", "lesson", *OPS) if k in c} for c in spec["criteria"]],
    }
    spec_json = html.escape(json.dumps(data, separators=(",", ":")))
    hints = "".join(f"<li>{inline(h)}</li>" for h in spec["hints"])
    checks = "".join(
        f'<li>{inline(c["text"])} <span class="lab__if-not">If not: {inline(c["hint"])}</span></li>'
        for c in spec["criteria"]
    )
    command = html.escape(spec["command"])
    return (
        f'<div class="lab" data-lab="{lab_id}" data-name="{name}" data-spec="{spec_json}" data-course-script="labs" '
        f'role="region" '
        f'aria-label="Lab: {html.escape(str(spec["title"]))}">'
        f'<div class="lab__goal"><p><strong>Goal.</strong> {inline(spec["goal"])}</p></div>'
        f'<details class="lab__hints"><summary>Hints</summary><ol>{hints}</ol></details>'
        f'<details class="lab__solution"><summary>Solution</summary>{blocks(spec["solution"])}</details>'
        f"<p><strong>Check your work.</strong> Run this read-only command, on Linux, macOS or Windows alike, "
        f"and paste all of its output below. Nothing leaves your browser.</p>"
        f'<div class="language-console highlight"><pre><code><span class="gp">$ </span>{command}</code></pre></div>'
        f'<div class="lab__interactive">'
        f'<p><button type="button" class="md-button lab__hint-button">Show a hint</button></p>'
        f'<p><label for="lab-{name}-paste">Output of <code>{command}</code></label>'
        f'<textarea id="lab-{name}-paste" rows="8" spellcheck="false" autocomplete="off"></textarea></p>'
        f'<p><button type="button" class="md-button lab__check">Check</button></p></div>'
        f'<p class="lab__result" role="status" aria-live="polite"></p>'
        f'<ul class="lab__criteria"></ul>'
        f'<details class="lab__checks"><summary>What the check looks at</summary><ul>{checks}</ul></details>'
        f"</div>"
    )


def lab_fence(source, language, class_name, options, md, **kwargs):
    """pymdownx.superfences formatter for ```lab fences."""
    try:
        spec = parse_lab(source)
    except LabSyntax as error:
        raise PracticeError(f"{where('lab', source, error.offset)}: lab: {error}") from None
    return render_lab(spec, lab_id(spec))


def lab_id(spec: dict) -> str:
    """A lab's id: from what it asks and checks (not its solution, which may include files)."""
    keys = ("name", "kind", "object", "command", "goal", "criteria")
    return content_id(json.dumps({k: spec[k] for k in keys}, sort_keys=True))


# --------------------------------------------------------------------------- the checker, in Python
# A port of check() in docs/assets/javascripts/labs.js, for the examples' tests
# (examples/labs/*/test_example.py). tests/test_practice_browser.py runs both on the
# same captured outputs and bad inputs and asserts they agree.
MAX_PASTE = 1_000_000


def _get(obj, path: str):
    for part in path.split("."):
        if isinstance(obj, dict):
            obj = obj.get(part)
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            return None
    return obj


def _passes(c: dict, obj) -> bool:
    v = _get(obj, c["path"])
    if "equals" in c:
        return v == c["equals"]
    if "not_equals" in c:
        return v is not None and v != c["not_equals"]
    if "one_of" in c:
        return v in c["one_of"]
    if "contains" in c:
        return isinstance(v, list) and c["contains"] in v
    if "has_key" in c:
        return isinstance(v, dict) and c["has_key"] in v
    if "some" in c:
        return isinstance(v, list) and any(
            isinstance(x, dict) and all(x.get(k) == want for k, want in c["some"].items()) for x in v
        )
    return False


def _kind(obj) -> str:
    if not isinstance(obj, dict):
        return ""
    if "State" in obj and "HostConfig" in obj:
        return "container"
    if "RootFS" in obj and "RepoTags" in obj:
        return "image"
    if "IPAM" in obj and "Driver" in obj:
        return "network"
    if "Mountpoint" in obj and "Driver" in obj:
        return "volume"
    return ""


def check(spec: dict, text: str) -> dict:
    """{"passed": bool, "failed": [criterion texts], "message": str | None (for input that is not checked)}."""

    def refuse(message: str) -> dict:
        return {"passed": False, "failed": [], "message": message}

    if not text or not text.strip():
        return refuse("empty")
    if len(text) > MAX_PASTE:
        return refuse("too long")
    t = text.strip()
    if t[0] not in "[{":
        return refuse("not the output")
    try:
        value = json.loads(t)
    except ValueError:
        return refuse("not complete JSON")
    items = value if isinstance(value, list) else [value]
    if len(items) != 1:
        return refuse("not one object")
    obj = items[0]
    kind = _kind(obj)
    if kind != spec["kind"]:
        return refuse("another kind")
    if kind == "container":
        names = [str(obj.get("Name") or "").removeprefix("/")]
    elif kind == "image":
        names = [t.removeprefix("docker.io/library/") for t in obj.get("RepoTags") or []]
    else:
        names = [str(obj.get("Name") or "")]
    if spec["object"] not in names:
        return refuse("another object")
    failed = [c["text"] for c in spec["criteria"] if not _passes(c, obj)]
    return {"passed": not failed, "failed": failed, "message": None}


def lab_spec(name: str) -> dict:
    """The spec of the lab called `name`, from docs/."""
    for item in find_all():
        if item.kind == "lab":
            spec = parse_lab(item.source)
            if spec["name"] == name:
                return spec
    raise KeyError(f"no lab named {name!r} in docs/")


def inspect_output(transcript: str) -> str:
    """The output of the first `docker … inspect` command of a captured transcript."""
    out: list[str] | None = None
    for line in transcript.splitlines():
        if line.startswith("$ "):
            if out is not None:
                break
            if re.match(r"\$ docker (image |container |network |volume )?inspect ", line):
                out = []
        elif out is not None:
            out.append(line)
    if out is None:
        raise ValueError("no `docker inspect` command in the transcript")
    return "\n".join(out)
