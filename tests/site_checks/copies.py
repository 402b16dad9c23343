"""What the copy button of each console block must copy: its commands, as course.console reads
them from the page's source (a command with its continuation lines, never output), and what
the button really copied in the browser (Material's own button, the real clipboard)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from course import console

ROOT = Path(__file__).resolve().parents[2]
LAB_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*lab\b")


@dataclass
class Lab:
    """The console blocks a lab renders: its solution's blocks, and the commands it asks to run."""

    line: int
    solution: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    powershell: list[str] = field(default_factory=list)  # where Windows differs


@dataclass
class Sources:
    blocks: list[tuple[str, str]]  # (file:line, commands) of each ```console block, in page order
    labs: list[Lab]  # each lab of the page, in page order


def commands(block: console.Block) -> str:
    return "\n".join(command.text for command in block.commands)


def _lab(lines: list[console.Line], start: int) -> tuple[Lab, int]:
    """The lab whose fence opens at lines[start]; and the index after its closing fence."""
    opening = LAB_FENCE.match(lines[start].text)
    indent, fence = opening["indent"], opening["fence"]
    close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
    end = next(j for j in range(start + 1, len(lines)) if close.match(lines[j].text))
    body = [ln.text[len(indent) :] if ln.text.startswith(indent) else ln.text for ln in lines[start + 1 : end]]
    spec = yaml.safe_load("\n".join(body))
    lab = Lab(lines[start].lineno)
    solution = [console.Line(text, lines[start].file, lines[start].lineno) for text in spec["solution"].splitlines()]
    lab.solution = [commands(block) for block in console.parse_lines(solution)]
    # Version 1 of the lab spec: one `command`; version 2: `commands`, each a string or
    # {command, powershell} (CONTRACTS.md, section 2).
    for item in [spec["command"]] if "command" in spec else spec.get("commands", []):
        lab.commands.append(item if isinstance(item, str) else item["command"])
        lab.powershell += [item["powershell"]] if isinstance(item, dict) and "powershell" in item else []
    return lab, end + 1


def sources(page: str, project: Path = ROOT) -> Sources:
    """The console blocks of a docs page (docs/…md) of `project`, snippets expanded, as
    course.console parses them."""
    lines = console.expand(project / page, project)
    labs: list[Lab] = []
    i = 0
    while i < len(lines):
        if LAB_FENCE.match(lines[i].text):
            lab, i = _lab(lines, i)
            labs.append(lab)
        else:
            i += 1
    blocks = [(f"{b.file}:{b.lineno}", commands(b)) for b in console.parse_lines(lines, page)]
    return Sources(blocks, labs)


# Clicks Material's copy button of every console block and reads the clipboard after each
# click (a sentinel is written first, so that a click that copies nothing cannot pass as an
# earlier block's copy). Needs the clipboard-read and clipboard-write permissions.
COPIED_JS = """
async () => {
  const labs = [...document.querySelectorAll(".lab")];
  const copied = [];
  for (const block of document.querySelectorAll(".md-content div.language-console")) {
    const button = block.querySelector("button[data-md-type=copy]");
    await navigator.clipboard.writeText("(the button copied nothing)");
    if (button) button.click();
    copied.push({
      text: button ? await navigator.clipboard.readText() : "(no copy button)",
      lab: labs.indexOf(block.closest(".lab")),
    });
  }
  return copied;
}
"""


def differences(page: str, copied: list[dict], project: Path = ROOT) -> list[str]:
    """Where what the buttons copied differs from the page source's commands."""
    want = sources(page, project)
    problems = []
    outside = [c["text"] for c in copied if c["lab"] < 0]
    if len(outside) != len(want.blocks):
        problems.append(f"{len(outside)} console blocks on the page, {len(want.blocks)} in its source")
    for (where, expected), got in zip(want.blocks, outside, strict=False):  # a count that differs is said above
        if got != expected:
            problems.append(f"the block at {where} copies {got!r}, its commands are {expected!r}")
    shown = max((c["lab"] for c in copied), default=-1) + 1
    if shown > len(want.labs):
        problems.append(f"console blocks in {shown} labs on the page, {len(want.labs)} labs in its source")
    for index, lab in enumerate(want.labs):
        mine = [c["text"] for c in copied if c["lab"] == index]
        allowed = set(lab.solution) | set(lab.commands) | set(lab.powershell)
        problems += [f"a block of the lab at line {lab.line} copies {got!r}" for got in mine if got not in allowed]
        problems += [
            f"the lab at line {lab.line}: no block copies {expected!r}"
            for expected in lab.solution + lab.commands
            if expected not in mine
        ]
    return problems
