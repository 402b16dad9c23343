"""Fewer elements in highlighted code: a Python-Markdown extension.

Pygments wraps every token in a span, whitespace included, so the Compose
page's three JavaScript files alone made 2,100 spans, about half of its
DOM. Long pages then spent most of mobile Lighthouse's blocking time on
style and layout (issue 15). This extension leaves what a reader sees as it
was and removes spans that draw nothing:

- a whitespace token's span (class ``w``): no theme colours a blank;
- the seam between two tokens of the same class that only whitespace
  separates (``)`` and ``{`` in ``) {``): one span holds both.

Only spans inside a highlighted block's ``<code>`` change, and only spans that
hold plain text: highlighted lines (``hll``), annotations and the copy button
read the same text as before. An extension, not a hook, so Zensical runs it.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor

CODE_BLOCK = re.compile(r'(<div class="language-[^"]*highlight">.*?<code>)(.*?)(</code>)', re.S)
BLANK_TOKEN = re.compile(r'<span class="w">(\s*)</span>')
# Not the classes with a background (a highlighted line, a diff's added or removed text):
# a blank between two of them shows.
SAME_CLASS_RUN = re.compile(
    r'<span class="(?!(?:hll|gd|gi)")([\w-]+)">[^<]*</span>(?:\s*<span class="\1">[^<]*</span>)+'
)
TAG = re.compile(r"<[^>]+>")


def _merge_run(run: re.Match[str]) -> str:
    return f'<span class="{run.group(1)}">{TAG.sub("", run.group(0))}</span>'


def slim_code(code: str) -> str:
    """Code block HTML with the spans that draw nothing removed; its text unchanged."""
    return SAME_CLASS_RUN.sub(_merge_run, BLANK_TOKEN.sub(r"\1", code))


def slim_html(page: str) -> str:
    return CODE_BLOCK.sub(lambda m: m.group(1) + slim_code(m.group(2)) + m.group(3), page)


class SlimCode(Postprocessor):
    def run(self, text: str) -> str:
        return slim_html(text)


class CodeSpansExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # After raw HTML is put back (priority 30): superfences stashes highlighted blocks there.
        md.postprocessors.register(SlimCode(md), "course_slim_code", 5)


def makeExtension(**kwargs: object) -> CodeSpansExtension:  # noqa: N802
    return CodeSpansExtension(**kwargs)
