"""Copy what you run: a Python-Markdown extension.

Material's copy button copies a code block's ``data-copy`` attribute when it
has one. For every ``console`` block this extension writes that attribute at
build time, from the block's text: each line that starts with ``$ `` without
the prompt, the lines that continue it (after a trailing ``\\``) and a
here-document's body. Output is never copied, whatever it looks like: the
console lexer marks BuildKit's ``#5 [2/3] RUN …`` lines and the ``$(`` of
``echo $((6 * 7))`` as prompts, so the copy cannot trust its marks (issue 26).
A block with no ``$ `` line is copied whole, as Material does.
"""

from __future__ import annotations

import html
import re

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor

CONSOLE_BLOCK = re.compile(r'(<div class="language-console highlight">(?:(?!</div>).)*?<pre[^>]*>)(.*?)(</pre>)', re.S)
CODE = re.compile(r"(<code)([^>]*>)(.*?)(</code>)", re.S)
TAG = re.compile(r"<[^>]+>")
HEREDOC = re.compile(r"<<-?\s*(['\"]?)(\w+)\1")


def commands_of(text: str) -> str | None:
    """The commands of a console block's text, one per line as typed; None if it has no prompt."""
    lines = text.split("\n")
    if not any(line.startswith("$ ") for line in lines):
        return None
    out: list[str] = []
    going = False
    heredoc: str | None = None
    for line in lines:
        if heredoc is not None:
            out.append(line)
            if line.strip() == heredoc:
                heredoc = None
            continue
        if line.startswith("$ "):
            line = line[2:]
        elif not going:
            continue
        out.append(line)
        going = line.rstrip().endswith("\\")
        marker = HEREDOC.search(line)
        if marker:
            heredoc = marker.group(2)
    return "\n".join(out)


def _with_copy(block: re.Match[str]) -> str:
    def code(m: re.Match[str]) -> str:
        if "data-copy=" in m.group(2):
            return m.group(0)
        commands = commands_of(html.unescape(TAG.sub("", m.group(3))))
        if commands is None:
            return m.group(0)
        return f'{m.group(1)} data-copy="{html.escape(commands)}"{m.group(2)}{m.group(3)}{m.group(4)}'

    return block.group(1) + CODE.sub(code, block.group(2)) + block.group(3)


def with_copy_text(page: str) -> str:
    return CONSOLE_BLOCK.sub(_with_copy, page)


class ConsoleCopy(Postprocessor):
    def run(self, text: str) -> str:
        return with_copy_text(text)


class ConsoleCopyExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # After raw HTML is put back (priority 30: superfences stashes highlighted blocks there) and
        # after course.codespans (5), which reads a bare <code>.
        md.postprocessors.register(ConsoleCopy(md), "course_console_copy", 4)


def makeExtension(**kwargs: object) -> ConsoleCopyExtension:  # noqa: N802
    return ConsoleCopyExtension(**kwargs)
