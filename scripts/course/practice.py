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
        button = '<button type="button" class="md-button course-button quiz__check">Check</button>'
        parts.append(f'<p class="quiz__actions">{button}</p>')
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
"""A lab, written in a ````lab fence (four backticks: its solution holds ``` fences) as YAML.

docs/contributing/adding-a-lab.md describes every key and check (spec version 2):

    name: notes                      # the heading above is `## Lab: … { #lab-notes }`
    title: A container that keeps its data
    kind: container                  # what commands[0] inspects: container, image, network, volume
    object: notes                    # its name (an image: name:tag)
    goal: The state to reach, in Markdown.
    commands:                        # read-only; a box for each one's output
      - docker inspect notes
      - command: curl -sS http://127.0.0.1:8088/hello.txt
        powershell: curl.exe -sS http://127.0.0.1:8088/hello.txt
    hints: [one hint, another]       # shown one at a time
    solution: |                      # Markdown, behind a disclosure
      ...
    criteria:                        # judged in the browser by labs.js, in order
      - text: It is running.
        check: running               # a named check (CHECKS), with its parameters as keys
        hint: One instruction.
        lesson: running-containers/running-and-inspecting.md#look-at-a-running-container
      - text: It uses the local driver.
        path: Driver                 # or a dotted path with one operator (OPS)
        equals: local

Only parsing, validating and rendering live here: the checker is
docs/assets/javascripts/labs.js (one implementation; the tests run it in Node).
"""

KINDS = ("container", "image", "network", "volume")
OPS = ("equals", "one_of", "contains", "has_key", "not_equals", "some")
LAB_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LAB_KEYS = ("name", "title", "kind", "object", "goal", "commands", "hints", "solution", "criteria")
CRITERION_KEYS = ("text", "hint", "lesson", "id", "check", "path")
INSPECT = {
    "container": r"docker (?:container )?inspect",
    "image": r"docker (?:image )?inspect",
    "volume": r"docker volume inspect",
    "network": r"docker network inspect",
}
# What a read-only command may not do: change, start, stop or remove what the lab built.
CHANGES = re.compile(
    r"\bdocker\s+(?:container\s+|image\s+|volume\s+|network\s+|compose\s+)?"
    r"(?:rm|rmi|stop|kill|restart|start|create|build|pull|push|prune|up|down|update|rename|tag|commit)\b"
)

# Parameter types: int, str, bool, "strs" (a string or a list of strings), "list" (of strings),
# "port" (8000 or "8000/udp"), "regex", "number", or a tuple of allowed strings.
_ANY = ("container", "image", "volume", "network")
_OUTPUT_OPS = ("contains", "not_contains", "matches", "not_matches", "equals")
CHECKS: dict[str, dict] = {
    "running": {"kinds": ("container",), "params": {}},
    "exited": {"kinds": ("container",), "params": {"code": int}},
    "image": {"kinds": ("container",), "params": {"is": str}, "required": ("is",)},
    "command": {
        "kinds": ("container", "image"),
        "params": {"is": "list", "runs": "strs", "args": "list"},
        "one_of": ("is", "runs"),
    },
    "user": {"kinds": ("container", "image"), "params": {"not_root": bool, "uid": int}, "one_of": ("not_root", "uid")},
    "restart": {"kinds": ("container",), "params": {"policy": "strs", "count_max": int}, "required": ("policy",)},
    "port": {
        "kinds": ("container",),
        "params": {"container": "port", "host": int, "address": str, "published": bool},
    },
    "mount": {
        "kinds": ("container",),
        "params": {"destination": str, "type": ("volume", "bind", "tmpfs"), "name": str, "read_only": bool},
        "required": ("destination",),
    },
    "env": {
        "kinds": ("container", "image"),
        "params": {"name": str, "value": str, "matches": "regex"},
        "required": ("name",),
        "at_most_one": ("value", "matches"),
    },
    "network": {"kinds": ("container",), "params": {"name": str, "alias": str}, "required": ("name",)},
    "health": {"kinds": ("container",), "params": {"status": ("healthy", "unhealthy", "starting")}},
    "memory": {"kinds": ("container",), "params": {"max_bytes": int}, "required": ("max_bytes",)},
    "limits": {
        "kinds": ("container",),
        "params": {"memory_max": int, "swap": int, "cpus": "number", "pids": int},
        "one_or_more": ("memory_max", "swap", "cpus", "pids"),
    },
    "label": {
        "kinds": ("container", "image"),
        "params": {"name": str, "value": str, "matches": "regex"},
        "required": ("name",),
        "at_most_one": ("value", "matches"),
    },
    "exec_form": {"kinds": ("image",), "params": {}},
    "workdir": {"kinds": ("image",), "params": {"is": str}, "required": ("is",)},
    "exposes": {"kinds": ("image",), "params": {"port": "port"}, "required": ("port",)},
    "healthcheck": {"kinds": ("image",), "params": {"contains": str}},
    "size": {"kinds": ("image",), "params": {"max_mb": "number"}, "required": ("max_mb",)},
    "tag": {"kinds": ("image",), "params": {"is": str}, "required": ("is",)},
    "output": {
        "kinds": _ANY,
        "params": {"command": int, **{op: "regex" if "matches" in op else str for op in _OUTPUT_OPS}},
        "required": ("command",),
        "one_of": _OUTPUT_OPS,
    },
}


class LabSyntax(Exception):
    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset = offset


def _anchors(page: Path) -> set[str]:
    from markdown.extensions.toc import slugify

    text = page.read_text(encoding="utf-8")
    anchors = {slugify(m.group(1).strip(), "-") for m in re.finditer(r"^#{1,6} +(.+?) *$", text, re.M)}
    anchors |= set(re.findall(r"\{\s*#([\w-]+)[^}]*\}", text))  # attr_list ids: { #lab-notes }
    return anchors


def _lines(text: str) -> dict:
    """Line (0-based) of each key of the YAML mapping, and of each criterion and its keys:
    {("kind",): 2, ("criteria", 0): 30, ("criteria", 0, "check"): 31, ...}."""
    import yaml

    lines: dict = {}
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return lines
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        lines[(key.value,)] = key.start_mark.line
        if isinstance(value, yaml.SequenceNode):
            for i, item in enumerate(value.value):
                lines[(key.value, i)] = item.start_mark.line
                if isinstance(item, yaml.MappingNode):
                    for k, _ in item.value:
                        lines[(key.value, i, k.value)] = k.start_mark.line
    return lines


def _param_ok(kind, value) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is bool:
        return isinstance(value, bool)
    if kind is str:
        return isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value) != ""
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
    if kind == "strs":
        return (isinstance(value, str) and value) or (
            isinstance(value, list) and value and all(isinstance(v, str) and v for v in value)
        )
    if kind == "list":
        return isinstance(value, list) and value and all(isinstance(v, (str, int)) for v in value)
    if kind == "port":
        return (isinstance(value, int) and 0 < value < 65536) or bool(
            isinstance(value, str) and re.fullmatch(r"\d{1,5}(/(tcp|udp|sctp))?", value)
        )
    if kind == "regex":
        try:
            re.compile(str(value))
        except re.error:
            return False
        return True
    return value in kind  # a tuple of allowed strings


def _describe(kind) -> str:
    names = {int: "a whole number", bool: "true or false", str: "a text"}
    if kind in names:
        return names[kind]
    return {
        "number": "a positive number",
        "strs": "a name or a list of names",
        "list": "a list",
        "port": "a port number such as 8000 or 8000/udp",
        "regex": "a regular expression",
    }.get(kind, "one of " + ", ".join(kind) if isinstance(kind, tuple) else str(kind))


def _criterion(c, n: int, spec: dict, line) -> dict:
    """A criterion checked and completed (its id); LabSyntax naming it on bad input."""
    here = line(("criteria", n))
    if not isinstance(c, dict):
        raise LabSyntax(here, f"criterion {n + 1} is not a mapping (text:, check: or path:, hint:, lesson:)")
    label = f"criterion {n + 1} ({c.get('text', '?')!r})"
    for key in ("text", "hint", "lesson"):
        if not c.get(key) or not isinstance(c[key], str):
            raise LabSyntax(here, f"{label} has no {key}")
    if ("check" in c) == ("path" in c):
        raise LabSyntax(here, f"{label} needs either check: (a named check) or path: (a field and an operator)")
    if "check" in c:
        name = c["check"]
        if name not in CHECKS:
            raise LabSyntax(
                line(("criteria", n, "check")), f"{label}: unknown check {name!r} (known: {', '.join(CHECKS)})"
            )
        rule = CHECKS[name]
        if spec["kind"] not in rule["kinds"]:
            raise LabSyntax(
                line(("criteria", n, "check")),
                f"{label}: check {name!r} is for {' and '.join(rule['kinds'])} labs, "
                f"this lab inspects a {spec['kind']}",
            )
        params = {k: v for k, v in c.items() if k not in CRITERION_KEYS}
        for key, value in params.items():
            if key not in rule["params"]:
                known = ", ".join(rule["params"]) or "none"
                raise LabSyntax(
                    line(("criteria", n, key)),
                    f"{label}: check {name!r} has no parameter {key!r} (its parameters: {known})",
                )
            if not _param_ok(rule["params"][key], value):
                raise LabSyntax(line(("criteria", n, key)), f"{label}: {key} must be {_describe(rule['params'][key])}")
        for key in rule.get("required", ()):
            if key not in params:
                raise LabSyntax(here, f"{label}: check {name!r} needs {key!r}")
        if name == "port" and params.get("published", True) is not False:
            if "published" in params:
                raise LabSyntax(line(("criteria", n, "published")), f"{label}: published: false, or leave it out")
            if "container" not in params:
                raise LabSyntax(here, f"{label}: check 'port' needs 'container'")
        if name == "port" and params.get("published") is False and ({"host", "address"} & set(params)):
            raise LabSyntax(here, f"{label}: host and address describe a published port, not published: false")
        if rule.get("one_or_more") and not set(rule["one_or_more"]) & set(params):
            raise LabSyntax(here, f"{label}: check {name!r} needs at least one of {', '.join(rule['one_or_more'])}")
        group = rule.get("one_of")
        if group and sum(k in params for k in group) != 1:
            raise LabSyntax(here, f"{label}: check {name!r} needs exactly one of {', '.join(group)}")
        if name == "user" and params.get("not_root") is False:
            raise LabSyntax(line(("criteria", n, "not_root")), f"{label}: not_root: true, or leave it out and give uid")
        if sum(k in params for k in rule.get("at_most_one", ())) > 1:
            raise LabSyntax(here, f"{label}: give only one of {', '.join(rule['at_most_one'])}")
        if name == "command" and "args" in params and "runs" not in params:
            raise LabSyntax(line(("criteria", n, "args")), f"{label}: args goes with runs (is gives the whole command)")
        if name == "output" and not 1 <= params["command"] <= len(spec["commands"]):
            raise LabSyntax(
                line(("criteria", n, "command")),
                f"{label}: command {params['command']}: the lab has {len(spec['commands'])} command(s), "
                "numbered from 1",
            )
        default_id = name
    else:
        ops = [op for op in OPS if op in c]
        extra = sorted(set(c) - set(CRITERION_KEYS) - set(OPS))
        if len(ops) != 1 or extra:
            raise LabSyntax(
                here,
                f"{label}: path: needs exactly one of {', '.join(OPS)}" + (f" (not {extra[0]!r})" if extra else ""),
            )
        default_id = str(c["path"])
    target, _, anchor = c["lesson"].partition("#")
    page = DOCS / target
    if not page.is_file():
        raise LabSyntax(line(("criteria", n, "lesson")), f"{label}: lesson {c['lesson']!r}: no page docs/{target}")
    if anchor and anchor not in _anchors(page):
        raise LabSyntax(
            line(("criteria", n, "lesson")), f"{label}: lesson {c['lesson']!r}: no heading with that anchor"
        )
    done = dict(c)
    done["id"] = str(c.get("id") or default_id)
    return done


def _commands(spec: dict, line) -> list[dict]:
    commands = spec["commands"]
    if not isinstance(commands, list):
        raise LabSyntax(line(("commands",)), "commands: a list of read-only commands")
    out = []
    for n, item in enumerate(commands):
        here = line(("commands", n))
        if isinstance(item, str):
            item = {"command": item}
        if not isinstance(item, dict) or not isinstance(item.get("command"), str) or not item["command"].strip():
            raise LabSyntax(here, f"command {n + 1}: a command, or command: and powershell:")
        unknown = sorted(set(item) - {"command", "powershell"})
        if unknown:
            raise LabSyntax(here, f"command {n + 1}: unknown key {unknown[0]!r} (known: command, powershell)")
        for key in ("command", "powershell"):
            text = item.get(key)
            if text is None:
                continue
            if "\n" in str(text).strip():
                raise LabSyntax(here, f"command {n + 1}: one line")
            if CHANGES.search(str(text)) or (
                re.search(r"\bdocker\s+(?:container\s+)?run\b", str(text)) and "--rm" not in str(text)
            ):
                raise LabSyntax(here, f"command {n + 1}: {text!r} is not read-only (a `docker run` needs --rm)")
        out.append({k: str(v).strip() for k, v in item.items()})
    if not out:
        raise LabSyntax(line(("commands",)), "commands: at least one, the inspect of the object")
    first = out[0]["command"]
    if not re.match(rf"^{INSPECT[spec['kind']]}\b", first) or spec["object"] not in first.split():
        example = {"container": "docker inspect", "image": "docker image inspect"}.get(
            spec["kind"], f"docker {spec['kind']} inspect"
        )
        raise LabSyntax(
            line(("commands", 0)),
            f"command 1 must inspect the {spec['kind']} {spec['object']!r}: `{example} {spec['object']}`",
        )
    return out


def parse_lab(source: str) -> dict:
    """The lab's spec, checked and completed (commands as mappings, each criterion's id)."""
    import yaml

    text = normalize(source)
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise LabSyntax(mark.line if mark else 0, f"not valid YAML: {getattr(error, 'problem', error)}") from None
    if not isinstance(spec, dict):
        raise LabSyntax(0, "a lab is a YAML mapping (name:, title:, kind:, …)")
    lines = _lines(text)

    def line(key: tuple) -> int:
        return lines.get(key, lines.get(key[:1], 0))

    if "command" in spec and "commands" not in spec:
        raise LabSyntax(
            line(("command",)), "command: is version 1 of the spec: write commands: (a list, the inspect first)"
        )
    missing = [k for k in LAB_KEYS if not spec.get(k)]
    if missing:
        raise LabSyntax(0, f"missing {', '.join(missing)}")
    unknown = sorted(set(spec) - set(LAB_KEYS))
    if unknown:
        raise LabSyntax(line((unknown[0],)), f"unknown key {unknown[0]!r} (known: {', '.join(LAB_KEYS)})")
    if not LAB_NAME.match(str(spec["name"])):
        raise LabSyntax(line(("name",)), "name: lowercase letters, digits and dashes")
    if spec["kind"] not in KINDS:
        raise LabSyntax(line(("kind",)), f"kind: one of {', '.join(KINDS)}")
    spec["object"] = str(spec["object"])
    if not isinstance(spec["hints"], list) or not all(isinstance(h, str) for h in spec["hints"]):
        raise LabSyntax(line(("hints",)), "hints: a list of sentences")
    spec["commands"] = _commands(spec, line)
    if not isinstance(spec["criteria"], list):
        raise LabSyntax(line(("criteria",)), "criteria: a list")
    spec["criteria"] = [_criterion(c, n, spec, line) for n, c in enumerate(spec["criteria"])]
    seen: dict[str, int] = {}
    for n, c in enumerate(spec["criteria"]):
        if c["id"] in seen:
            raise LabSyntax(
                line(("criteria", n)),
                f"criteria {seen[c['id']] + 1} and {n + 1} both have the id {c['id']!r}: "
                "give one of them id: (a short name)",
            )
        seen[c["id"]] = n
    return spec


_BLOCKS = markdown.Markdown(
    extensions=["pymdownx.highlight", "pymdownx.superfences", "pymdownx.inlinehilite"],
    extension_configs={"pymdownx.highlight": {"pygments_lang_class": True}},
)


def blocks(text: str) -> str:
    return _BLOCKS.reset().convert(text)


def lab_data(spec: dict) -> dict:
    """What the page's checker gets (the lab element's data-spec): no goal, hints or solution."""
    return {
        "name": spec["name"],
        "kind": spec["kind"],
        "object": spec["object"],
        "commands": spec["commands"],
        "criteria": spec["criteria"],
    }


def _console(command: str) -> str:
    return (
        '<div class="language-console highlight"><pre><code>'
        f'<span class="gp">$ </span>{html.escape(command)}</code></pre></div>'
    )


def render_lab(spec: dict, lab_id: str) -> str:
    name = spec["name"]
    spec_json = html.escape(json.dumps(lab_data(spec), separators=(",", ":")))
    hints = "".join(f"<li>{inline(h)}</li>" for h in spec["hints"])
    checks = "".join(
        f'<li>{inline(c["text"])} <span class="lab__if-not">If not: {inline(c["hint"])}</span></li>'
        for c in spec["criteria"]
    )
    several = len(spec["commands"]) > 1
    steps = []
    for n, c in enumerate(spec["commands"], 1):
        command = html.escape(c["command"])
        windows = (
            f'<p class="lab__powershell">In PowerShell on Windows: <code>{html.escape(c["powershell"])}</code></p>'
            if c.get("powershell")
            else ""
        )
        steps.append(
            f'<li class="lab__command">{_console(c["command"])}{windows}'
            f'<p class="lab__interactive lab__box">'
            f'<label for="lab-{name}-paste-{n}">Output of <code>{command}</code></label>'
            f'<textarea id="lab-{name}-paste-{n}" data-command="{n}" rows="{8 if n == 1 else 3}" '
            f'spellcheck="false" autocomplete="off"></textarea></p></li>'
        )
    intro = (
        "Run these read-only commands, on Linux, macOS or Windows alike, and paste what each one printed in its box."
        if several
        else "Run this read-only command, on Linux, macOS or Windows alike, and paste all of its output in the box."
    )
    # On paper (the PDF) there is no box: the commands to run, and where to read the verdict.
    paper = (
        f"Run {'these read-only commands' if several else 'this read-only command'}, on Linux, macOS or "
        f"Windows alike: what {'they print' if several else 'it prints'} shows whether your work meets each "
        "point of <em>What the check looks at</em>, below. On the course's web site, the page checks it for you."
    )
    return (
        f'<div class="lab" data-lab="{lab_id}" data-name="{name}" data-spec="{spec_json}" data-course-script="labs" '
        f'role="region" '
        f'aria-label="Lab: {html.escape(str(spec["title"]))}">'
        f'<div class="lab__goal"><p><strong>Goal.</strong> {inline(spec["goal"])}</p></div>'
        f'<details class="lab__hints"><summary>Hints</summary><ol>{hints}</ol></details>'
        f'<details class="lab__solution"><summary>Solution</summary>{blocks(spec["solution"])}</details>'
        f'<p><strong>Check your work.</strong> <span class="lab__on-screen">{intro} Nothing leaves your browser.</span>'
        f'<span class="lab__on-paper">{paper}</span></p>'
        f'<ol class="lab__commands">{"".join(steps)}</ol>'
        f'<div class="lab__interactive lab__asks"></div>'
        f'<p class="lab__interactive lab__actions">'
        f'<button type="button" class="md-button course-button lab__hint-button">Show a hint</button> '
        f'<button type="button" class="md-button course-button lab__check">Check</button></p>'
        f'<p class="lab__result" role="status" aria-live="polite"></p>'
        f'<ul class="lab__criteria"></ul>'
        f'<details class="lab__checks"><summary>What the check looks at</summary><ul>{checks}</ul></details>'
        f"</div>"
    )


def _lab_error(source: str, error: LabSyntax) -> str:
    """`docs/PAGE.md:LINE: lab NAME: what is wrong`. The build passes the fence with its --8<--
    includes expanded (a Dockerfile in the solution adds lines): the page's own text of the
    same lab gives the line."""
    name = re.search(r"^name:\s*(\S+)", normalize(source), re.M)
    label = f"lab {name.group(1)}" if name else "lab"
    same = re.compile(rf"^name:\s*{re.escape(name.group(1))}\s*$", re.M) if name else None
    raw = next((f.source for f in find_all() if f.kind == "lab" and same and same.search(f.source)), None)
    if raw is not None and raw != normalize(source):
        try:
            parse_lab(raw)
        except LabSyntax as again:
            source, error = raw, again
    return f"{where('lab', source, error.offset)}: {label}: {error}"


def lab_fence(source, language, class_name, options, md, **kwargs):
    """pymdownx.superfences formatter for ````lab fences."""
    try:
        spec = parse_lab(source)
    except LabSyntax as error:
        raise PracticeError(_lab_error(source, error)) from None
    return render_lab(spec, lab_id(spec))


def lab_id(spec: dict) -> str:
    """A lab's id: from what it asks and checks (not its solution, which may include files)."""
    keys = ("name", "kind", "object", "commands", "goal", "criteria")
    return content_id(json.dumps({k: spec[k] for k in keys}, sort_keys=True))


def lab_spec(name: str) -> dict:
    """The spec of the lab called `name`, from docs/."""
    for item in find_all():
        if item.kind == "lab":
            spec = parse_lab(item.source)
            if spec["name"] == name:
                return spec
    raise KeyError(f"no lab named {name!r} in docs/")


def lab_page(name: str) -> str:
    """docs/PAGE.md of the lab called `name`."""
    for item in find_all():
        if item.kind == "lab" and re.search(rf"^name:\s*{re.escape(name)}\s*$", item.source, re.M):
            return f"docs/{item.page}"
    raise KeyError(f"no lab named {name!r} in docs/")
