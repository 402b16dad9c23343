"""What the copy button of a console block copies (scripts/course/consolecopy.py): the commands only."""

from __future__ import annotations

import pytest

from course.consolecopy import commands_of, with_copy_text

CASES = {
    "prompts and output": ("$ docker run -d web\nabc123\n$ docker ps\nCONTAINER ID\n", "docker run -d web\ndocker ps"),
    "continuation": ("$ docker run \\\n  --name web \\\n  nginx\nid\n", "docker run \\\n  --name web \\\n  nginx"),
    # BuildKit's step lines and a root prompt look alike to the console lexer: both are output here.
    "BuildKit output": (
        "$ docker build --progress=plain .\n#5 [2/3] RUN apt-get update\n#5 DONE 1.2s\n# a comment line\n",
        "docker build --progress=plain .",
    ),
    "arithmetic": ("$ echo $((6 * 7))\n42\n", "echo $((6 * 7))"),
    "here-document": (
        "$ cat > notes.txt <<'EOF'\nfirst\n$ not a prompt\nEOF\n$ wc -l notes.txt\n2 notes.txt\n",
        "cat > notes.txt <<'EOF'\nfirst\n$ not a prompt\nEOF\nwc -l notes.txt",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_commands_of_a_console_block(case):
    text, want = CASES[case]
    assert commands_of(text) == want


def test_a_block_without_prompts_is_left_to_material():
    assert commands_of("CONTAINER ID   IMAGE\nabc   web\n") is None
    page = '<div class="language-console highlight"><pre><span></span><code>just output\n</code></pre></div>'
    assert with_copy_text(page) == page


def test_the_attribute_holds_the_commands_escaped():
    page = (
        '<div class="language-console highlight"><pre><span></span><code><span class="gp">$ </span>'
        'echo &quot;a &amp; b&quot;\n<span class="gp">#5 </span>DONE\n</code></pre></div>'
    )
    assert 'data-copy="echo &quot;a &amp; b&quot;"' in with_copy_text(page)
