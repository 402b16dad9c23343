"""Every ```console block on every page runs against Docker and prints what the page says.

One test per page (pages without runnable blocks pass without Docker). Also: the
transcripts that example READMEs capture (examples/*/*/output/*.txt, included by
pages) still match a fresh run. Format and rules: scripts/course/console.py.
"""

from __future__ import annotations

import pytest

from course import console


def _page_param(page):
    marks = [pytest.mark.docker] if console.has_commands(page) else []
    return pytest.param(page, id=console._rel(page), marks=marks)


@pytest.mark.parametrize("page", [_page_param(p) for p in console.pages()])
def test_console_blocks(page, request):
    try:
        blocks = console.parse_file(page)
    except console.ConsoleSyntaxError as exc:
        pytest.fail(str(exc), pytrace=False)
    if not any(b.commands and not b.skip for b in blocks):
        return
    engine = request.getfixturevalue("engine")
    result = console.run_blocks(blocks, console._rel(page), engine)
    if result.failure:
        pytest.fail(str(result.failure), pytrace=False)


@pytest.mark.docker
@pytest.mark.parametrize("example", console.examples_with_captures(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_captured_transcripts_still_match(example, engine):
    failures = console.capture(example, engine, check=True)
    if failures:
        pytest.fail("\n".join(str(f) for f in failures), pytrace=False)
