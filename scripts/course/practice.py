"""Quizzes, labs and the progress page: pymdownx.superfences custom fences.

No MkDocs plugin or hook (Zensical runs superfences formatters and drops
those): mkdocs.yml registers `quiz_fence`, `lab_fence` and `progress_fence`
under pymdownx.superfences' custom_fences. Each fence becomes static HTML that
reads well without JavaScript and in the PDF (every question with its answer
and explanations, every lab with its task, command and solution);
docs/assets/javascripts/practice.js makes it interactive.

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
        return content_id(self.source)


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
        closing = re.compile(rf"^[ \t]*{re.escape(char)}{{{length},}}[ \t]*$")
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
    for item in find_all():
        if item.kind == kind and item.source == wanted:
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
    parts = [f'<div class="quiz" data-quiz="{quiz_id}" data-questions="{len(questions)}">']
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
        entry = pages.setdefault(item.page, {"quiz": None, "labs": []})
        if item.kind == "quiz":
            entry["quiz"] = item.id
        else:
            entry["labs"].append(item.id)
    data = html.escape(json.dumps(pages, sort_keys=True, separators=(",", ":")), quote=False)
    return (
        f'<script type="application/json" id="progress-content">{data}</script>'
        '<div class="progress-tools" data-progress>'
        '<p class="progress-tools__nojs">Your progress is kept by a small script in your browser; '
        "with JavaScript off there is nothing to show.</p></div>"
    )
