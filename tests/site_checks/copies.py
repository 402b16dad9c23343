"""What the copy button of each console block must copy: its commands, as course.console reads
them (a command with its continuation lines, never output), and what the button really copied
in the browser (Material's own button, the real clipboard).

Every block's copy is compared with the commands course.console reads from the text the block
shows; and every ```console fence of the page's source (snippets expanded) must be copied as its
commands by one of the page's blocks. The page also has blocks that a fence renders from data (a
lab's commands, the notes on other Docker setups), which are not ```console fences of the page.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from course import console

ROOT = Path(__file__).resolve().parents[2]


def commands(cmds: list[console.Command]) -> str:
    return "\n".join(command.text for command in cmds)


def page_blocks(page: str, project: Path = ROOT) -> list[tuple[str, str]]:
    """(file:line, commands) of each ```console fence of a docs page (docs/…md) of `project`, in
    order, snippets expanded, as course.console parses them."""
    blocks = console.parse_lines(console.expand(project / page, project), page)
    return [(f"{b.file}:{b.lineno}", commands(b.commands)) for b in blocks]


def shown_commands(text: str) -> str:
    """The commands course.console reads from a block's text; a block with none is copied whole."""
    lines = [console.Line(line, "", n) for n, line in enumerate(text.rstrip("\n").split("\n"), 1)]
    try:
        return commands(console.parse_block(lines))
    except console.ConsoleSyntaxError:  # output before any command: no prompt at all
        return text.rstrip()


# Clicks Material's copy button of every console block and reads the clipboard after each
# click (a sentinel is written first, so that a click that copies nothing cannot pass as an
# earlier block's copy). Needs the clipboard-read and clipboard-write permissions.
COPIED_JS = """
async () => {
  const copied = [];
  for (const block of document.querySelectorAll(".md-content div.language-console")) {
    const button = block.querySelector("button[data-md-type=copy]");
    await navigator.clipboard.writeText("(the button copied nothing)");
    if (button) button.click();
    copied.push({
      text: button ? await navigator.clipboard.readText() : "(no copy button)",
      shown: block.querySelector("code").textContent,
    });
  }
  return copied;
}
"""


def differences(page: str, copied: list[dict], project: Path = ROOT) -> list[str]:
    """Where what the buttons copied differs from the commands of their blocks, and the page
    source's console blocks that no button copies as their commands."""
    problems = []
    for block in copied:
        expected = shown_commands(block["shown"])
        if block["text"] != expected:
            first = block["shown"].strip().split("\n")[0][:60]
            problems.append(f"the block {first!r}… copies {block['text']!r}, its commands are {expected!r}")
    left = Counter(block["text"] for block in copied)
    for where, expected in page_blocks(page, project):
        if left[expected]:
            left[expected] -= 1
        else:
            problems.append(f"no copy button copies the commands of the block at {where}: {expected!r}")
    return problems
