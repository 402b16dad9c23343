"""Unit tests of the console-block parser and the loose output comparison (no Docker)."""

from __future__ import annotations

import os
import textwrap

import pytest

from course import console
from course.console import ConsoleSyntaxError, lines_match, normalise, output_matches


def parse(tmp_path, text, name="page.md", root=None):
    page = tmp_path / name
    page.write_text(textwrap.dedent(text))
    return console.parse_lines(console.expand(page, root or tmp_path), str(page))


def test_commands_and_expected_output(tmp_path):
    (block,) = parse(
        tmp_path,
        """\
        Intro.

        ```console
        $ echo one
        one
        $ docker run --rm \\
            debian:trixie-slim echo two
        two

        ```
        """,
    )
    assert [c.text for c in block.commands] == ["echo one", "docker run --rm \\\n    debian:trixie-slim echo two"]
    assert block.commands[0].expected == ["one"]
    assert block.commands[1].expected == ["two"]
    assert block.commands[0].line.lineno == 4
    assert block.lineno == 3


def test_other_fences_are_ignored_even_if_they_show_console_syntax(tmp_path):
    blocks = parse(
        tmp_path,
        """\
        ````markdown
        ```console
        $ rm -rf /
        ```
        ````

        ```python
        print("$ not a command")
        ```
        """,
    )
    assert blocks == []


def test_skip_directive_with_reason(tmp_path):
    (block,) = parse(
        tmp_path,
        """\
        <!-- console: skip (needs a remote host) -->
        ```console
        $ docker --context remote ps
        ```
        """,
    )
    assert block.skip == "needs a remote host"


@pytest.mark.parametrize(
    "directive", ["<!-- console: skip -->", "<!-- console: skip () -->", "<!-- console: skip (  ) -->"]
)
def test_skip_without_reason_is_an_error_naming_file_and_line(tmp_path, directive):
    with pytest.raises(ConsoleSyntaxError) as err:
        parse(
            tmp_path,
            f"""\
            Text.

            {directive}
            ```console
            $ true
            ```
            """,
        )
    assert str(err.value).startswith(f"{tmp_path.name}/page.md:3:") or ":3:" in str(err.value)
    assert "reason" in str(err.value)
    assert err.value.line == 3 and err.value.file.endswith("page.md")


def test_unknown_directive_is_an_error(tmp_path):
    with pytest.raises(ConsoleSyntaxError, match="unknown console directive"):
        parse(tmp_path, "<!-- console: skipp (x) -->\n```console\n$ true\n```\n")


def test_directive_must_precede_a_console_block(tmp_path):
    with pytest.raises(ConsoleSyntaxError, match="not followed by a ```console block") as err:
        parse(tmp_path, "<!-- console: skip (x) -->\nSome text.\n")
    assert err.value.line == 1


def test_unterminated_fence_is_an_error_naming_file_and_line(tmp_path):
    with pytest.raises(ConsoleSyntaxError) as err:
        parse(tmp_path, "# Title\n\n```console\n$ echo hi\nhi\n")
    assert err.value.line == 3 and err.value.file.endswith("page.md")
    assert "unterminated" in str(err.value)


def test_output_before_first_command_is_an_error(tmp_path):
    with pytest.raises(ConsoleSyntaxError, match="before the first") as err:
        parse(tmp_path, "```console\nhello\n$ echo hi\n```\n")
    assert err.value.line == 2


def test_snippets_are_expanded_relative_to_the_root(tmp_path):
    out = tmp_path / "examples" / "x" / "output"
    out.mkdir(parents=True)
    (out / "run.txt").write_text("$ echo included\nincluded\n")
    (block,) = parse(
        tmp_path,
        """\
        ```console
        --8<-- "examples/x/output/run.txt"
        $ echo after
        ```
        """,
        name="page.md",
    )
    assert [c.text for c in block.commands] == ["echo included", "echo after"]
    assert block.commands[0].expected == ["included"]
    first = block.commands[0]
    assert first.line.file.endswith("examples/x/output/run.txt") and first.line.lineno == 1
    assert first.line.via.endswith("page.md:2")


def test_missing_snippet_is_an_error(tmp_path):
    with pytest.raises(ConsoleSyntaxError, match="no such file") as err:
        parse(tmp_path, 'Text\n\n--8<-- "nope.txt"\n')
    assert err.value.line == 3


def test_indented_block_inside_an_admonition(tmp_path):
    (block,) = parse(
        tmp_path,
        """\
        !!! example

            ```console
            $ echo hi
            hi
            ```
        """,
    )
    assert block.commands[0].text == "echo hi" and block.commands[0].expected == ["hi"]


def test_error_output_means_the_command_must_fail(tmp_path):
    (block,) = parse(
        tmp_path,
        """\
        ```console
        $ docker run nope
        docker: Error response from daemon: ...
        $ echo ok
        ok
        ```
        """,
    )
    assert block.commands[0].must_fail and not block.commands[1].must_fail


@pytest.mark.parametrize(
    "a, b",
    [
        ("a1b2c3d4e5f6   first-image   latest", "0123456789ab first-image latest"),
        ("Deleted: sha256:" + "a" * 64, "Deleted: sha256:" + "b" * 64),
        ("first-image latest 12.3MB", "first-image latest 130MB"),
        ("Up 3 seconds (healthy)", "Up About a minute (healthy)"),
        ("Exited (0) 2 seconds ago", "Exited (0) 5 minutes ago"),
        ("CREATED 2 seconds ago", "CREATED 3 hours ago"),
        ("#5 DONE 0.3s", "#5 DONE 12.0s"),
        ("built at 2025-01-02T03:04:05Z", "built at 2026-11-28T16:00:00.123+01:00"),
        ("Python 3.13.5", "Python 3.13.7"),
        ("v24.9.0", "v24.22.3"),
        ("a    b\tc", "a b c"),
        ("1.2kB", "350B"),
    ],
)
def test_normalise_makes_volatile_parts_equal(a, b):
    assert normalise(a) == normalise(b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("HELLO FROM AN IMAGE", "HELLO FROM A CONTAINER"),
        ("uid=1000(node)", "uid=0(root)"),
        ("status: ok", "status: failed"),
    ],
)
def test_normalise_keeps_meaningful_differences(a, b):
    assert normalise(a) != normalise(b)


def test_ellipsis_matches_any_number_of_lines():
    assert lines_match(["start", "...", "end"], ["start", "end"])
    assert lines_match(["start", "...", "end"], ["start", "x", "y", "end"])
    assert lines_match(["...", "end"], ["a", "end"])
    assert lines_match(["start", "..."], ["start", "a", "b"])
    assert not lines_match(["start", "...", "end"], ["start", "x"])
    assert not lines_match(["a", "b"], ["a", "b", "c"])
    assert lines_match(["a", "b", ""], ["a", "b"])


def test_build_output_is_compared_by_its_steps():
    expected = [
        "#1 [internal] load build definition from Dockerfile",
        "#4 [1/3] FROM docker.io/library/x",
        "#6 [2/3] COPY . /app",
        "#6 CACHED",
        "#7 [3/3] RUN make",
        "#7 DONE 4.1s",
    ]
    actual = [
        '#0 building with "default" instance',
        "#5 [1/3] FROM docker.io/library/x@sha256:" + "c" * 64,
        "#7 [2/3] COPY . /app",
        "#7 DONE 0.1s",
        "#8 [3/3] RUN make",
        "#8 0.3 make: done",
        "#8 DONE 0.4s",
    ]
    # a FROM with or without the pulled image's digest is the same step
    assert output_matches("docker build -t x .", expected, actual)
    assert not output_matches("docker build -t x .", expected[:4] + ["#7 [3/3] RUN make all"], actual)
    assert not output_matches("docker build -t x .", expected, actual[:3])


def test_no_expected_output_means_only_the_exit_status_counts():
    assert output_matches("echo hi", [], ["anything"])


def test_transcripts_match_command_by_command():
    saved = ["$ docker run --rm x", "HELLO", "$ docker images x", "x latest a1b2c3d4e5f6 10MB"]
    fresh = ["$ docker run --rm x", "HELLO", "$ docker images x", "x latest 0f0f0f0f0f0f 11.2MB"]
    assert console.transcripts_match(saved, fresh)
    assert not console.transcripts_match(saved, fresh[:2] + ["$ docker ps"])


def test_update_expected_writes_the_real_output_into_the_page(tmp_path, monkeypatch):
    monkeypatch.setattr(console, "ROOT", tmp_path)
    page = tmp_path / "page.md"
    page.write_text(
        'Intro\n\n=== "Linux"\n\n    ```console\n    $ docker image ls x\n    OLD 1\n    $ echo a \\\n'
        "      b\n    a b\n    $ docker ps\n    ...\n    ```\n",
        encoding="utf-8",
    )
    blocks = console.parse_file(page, tmp_path)
    result = console.RunResult("page.md")
    cmds = blocks[0].commands
    result.outputs = [
        (blocks[0], cmds[0], "NEW 1\nNEW 2\n"),
        (blocks[0], cmds[1], "a b\n"),
        (blocks[0], cmds[2], "x\n"),
    ]
    assert console.update_expected(page, result) == 1
    assert page.read_text(encoding="utf-8") == (
        'Intro\n\n=== "Linux"\n\n    ```console\n    $ docker image ls x\n    NEW 1\n    NEW 2\n    $ echo a \\\n'
        "      b\n    a b\n    $ docker ps\n    ...\n    ```\n"
    )


def test_listings_match_in_any_row_order_but_not_with_other_rows():
    cmd = "docker image ls greet"
    expected = [
        "REPOSITORY   TAG    IMAGE ID       CREATED         SIZE",
        "greet  a  59b8f0389b88  1 minute ago  1MB",
        "greet  b  97237cd2bb8e  1 minute ago  398MB",
    ]
    swapped = [expected[0], expected[2], expected[1]]
    assert console.output_matches(cmd, expected, swapped)
    assert not console.output_matches(cmd, expected, [expected[0], expected[1], expected[1].replace(" a ", " c ")])
    assert not console.output_matches("docker image ls greet | head -n 2", expected, swapped)


# What each rule of console.RULES forgives (left: the transcript, right: another run), and a
# real difference of the same line that must still fail. A rule without a case fails below.
RULE_CASES = {
    "digest": ("@sha256:" + "a" * 64, "@sha256:" + "b" * 64, "@sha256:" + "b" * 64 + " (pulled)"),
    "long id": ("a" * 64, "b" * 64, "b" * 64 + " exited"),
    "short id": ("container a1b2c3d4e5f6", "container 0f0f0f0f0f0f", "image 0f0f0f0f0f0f"),
    "timestamp": ("at 2026-12-03T12:00:01Z", "at 2027-01-09T08:30:59Z", "from 2027-01-09T08:30:59Z"),
    "date": ("Date: Thu, 03 Dec 2026", "Date: Fri, 04 Dec 2026", "Expires: Fri, 04 Dec 2026"),
    "clock": ("tick at 12:00:01", "tick at 08:30:59", "tock at 08:30:59"),
    "size": ("SIZE 10.2MB", "SIZE 9.87MB", "SIZE 9.87MB (virtual)"),
    "status age": ("Up 3 seconds", "Up About a minute", "Exited (0) 3 seconds ago"),
    "age": ("created 2 minutes ago", "created About an hour ago", "removed About an hour ago"),
    "duration": ("DONE 0.4s", "DONE 12.1s", "ERROR 12.1s"),
    "version": ("Python 3.13.5", "Python 3.13.7", "Perl 3.13.7"),
    "any-address": (
        "Bind for 0.0.0.0:8080 failed: port is already allocated",
        "Bind for :::8080 failed: port is already allocated",
        "Bind for :::8081 failed: port is already allocated",
    ),
    "container address": ("IPAddress 172.18.0.2", "IPAddress 172.19.0.5", "IPAddress 10.0.0.5"),
    "scratch folder": (f"cd {console.CAPTURE_ROOT}/x", "cd /tmp/docker-basics-root-cd34/x", "cd /tmp/other/x"),
    "amd64 level": (
        "does not match the detected host platform (linux/amd64/v3)",
        "does not match the detected host platform (linux/amd64/v4)",
        "does not match the detected host platform (linux/arm64/v8)",
    ),
    "no reply": (
        "curl: (52) Empty reply from server",
        "curl: (56) Recv failure: Connection reset by peer",
        "curl: (7) x",
    ),
    "white space": ("a   b", "a b", "a  c"),
    "inspect size": ('"Size": 51838918,', '"Size": 51838916,', '"Count": 51838916,'),
}


@pytest.mark.parametrize("rule", console.RULES, ids=lambda r: r.name)
def test_each_rule_forgives_only_what_the_engine_leaves_open(rule):
    assert rule.reason, f"rule {rule.name} says no reason"
    assert rule.name in RULE_CASES, f"rule {rule.name}: add a case to RULE_CASES"
    saved, other_run, real_difference = RULE_CASES[rule.name]
    assert console.lines_match([saved], [other_run])
    assert not console.lines_match([saved], [real_difference])


def test_the_address_family_of_a_port_conflict_is_left_open_but_not_the_message():
    """Engine 28 names the IPv4 or the IPv6 binding of a published port in the error, by chance."""
    saved = [
        "docker: Error response from daemon: failed to set up container networking: driver failed programming "
        "external connectivity on endpoint web-2 (" + "a" * 64 + "): Bind for 0.0.0.0:8080 failed: port is already "
        "allocated"
    ]
    for address in (":::8080", "[::]:8080", "0.0.0.0:8080"):
        assert console.lines_match(saved, [saved[0].replace("0.0.0.0:8080", address).replace("a" * 64, "b" * 64)])
    assert not console.lines_match(saved, [saved[0].replace("already allocated", "already in use")])
    assert not console.lines_match(saved, [saved[0].replace("0.0.0.0:8080", "127.0.0.1:8080")])
    assert not console.lines_match(saved, [])  # a missing line


def test_port_bindings_match_in_any_order_but_not_with_another_port():
    saved = ["8000/tcp -> 0.0.0.0:8080", "8000/tcp -> [::]:8080"]
    assert console.output_matches("docker port web", saved, saved[::-1])
    assert not console.output_matches("docker port web", saved, saved[:1])
    assert not console.output_matches("docker port web", saved, [saved[0], "8000/tcp -> [::]:8081"])
    two_ports = ["8000/tcp -> 0.0.0.0:8080", "9000/tcp -> 0.0.0.0:9090"]
    assert console.output_matches("docker port web", two_ports, two_ports[::-1])
    assert not console.output_matches("echo x", two_ports, two_ports[::-1])  # other commands keep their order


# --------------------------------------------------------------------------- READMEs the pages run
def small_project(tmp_path, page_extra="$ docker rmi hello\n"):
    """An example whose README builds, captures a run, and removes its image; a page shows it."""
    example = tmp_path / "examples" / "chapter" / "01-hello"
    (example / "output").mkdir(parents=True)
    (example / "README.md").write_text(
        "```console\n$ docker build -t hello .\n```\n\n"
        "<!-- capture: run -->\n```console\n$ docker run --rm hello\nHello\n```\n\n"
        "```console\n$ docker rmi hello\n```\n"
    )
    (example / "output" / "run.txt").write_text("$ docker run --rm hello\nHello\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.md").write_text(
        "```console\n$ docker build -t hello .\n"
        '--8<-- "examples/chapter/01-hello/output/run.txt"\n' + page_extra + "```\n"
    )
    return example


def test_a_readme_is_run_by_the_pages_when_they_run_its_transcripts_and_its_other_commands(tmp_path):
    example = small_project(tmp_path)
    assert console.not_run_by_pages(example, tmp_path) == []
    assert console.examples_run_by_pages(tmp_path) == [example]
    assert console.examples_to_run(tmp_path) == []


def test_a_readme_command_that_no_page_runs_makes_the_readme_run_on_its_own(tmp_path):
    example = small_project(tmp_path, page_extra="")
    assert console.not_run_by_pages(example, tmp_path) == [
        f"{example / 'README.md'}:12: `docker rmi hello` is run by no page that shows this example"
    ]
    assert console.examples_to_run(tmp_path) == [example]


def test_a_transcript_that_no_page_includes_makes_the_readme_run_on_its_own(tmp_path):
    example = small_project(tmp_path)
    (tmp_path / "docs" / "page.md").write_text("```console\n$ docker build -t hello .\n$ docker rmi hello\n```\n")
    assert (
        console.not_run_by_pages(example, tmp_path)[0]
        == f"transcript {example / 'output' / 'run.txt'}: no page runs it"
    )


def test_a_transcript_that_a_page_includes_only_in_part_makes_the_readme_run_on_its_own(tmp_path):
    example = small_project(tmp_path)
    (example / "output" / "run.txt").write_text("$ docker run --rm hello\nHello\n$ docker ps\n")
    page = tmp_path / "docs" / "page.md"
    page.write_text(page.read_text().replace("output/run.txt", "output/run.txt:1:2"))
    assert console.not_run_by_pages(example, tmp_path) == [
        f"transcript {example / 'output' / 'run.txt'}: no page runs its line(s) 3"
    ]


@pytest.mark.parametrize(
    ("readme_run", "found"),
    [
        ("$ docker run --rm hello\nHello\n", ""),
        ("$ docker run --rm hello\n...\n", ""),
        ("$ docker run --rm hello:2\nHello\n", "are not those of"),
        ("$ docker run --rm hello\nGoodbye\n", "does not have"),
    ],
)
def test_a_readme_must_still_say_what_its_transcripts_say(tmp_path, readme_run, found):
    example = small_project(tmp_path)
    readme = example / "README.md"
    readme.write_text(readme.read_text().replace("$ docker run --rm hello\nHello\n", readme_run))
    failures = " ".join(str(f) for f in console.readme_against_transcripts(example, tmp_path))
    assert (found in failures) if found else failures == ""


class FakeEngine:
    """What run_blocks asks of an engine, without Docker; `docker` is a script in `bin`."""

    def __init__(self, bin_dir):
        self.bin_dir = bin_dir
        self.env = dict(os.environ)

    def wrapper_dir(self):
        return self.bin_dir

    def lock_path(self, name):
        return self.bin_dir / f"{name}.lock"

    def snapshot(self):
        return None


def run_without_docker(tmp_path, page):
    original = console.remove_created
    console.remove_created = lambda engine, before: []
    try:
        return console.run_blocks(console.parse_file(page, tmp_path), "page.md", FakeEngine(tmp_path), cwd=tmp_path)
    finally:
        console.remove_created = original


def test_a_transcript_command_saved_without_output_must_print_none_on_a_page(tmp_path):
    """A transcript is a real run; a page's own command shown without output is checked for
    its exit status only."""

    out = tmp_path / "examples" / "x" / "y" / "output"
    out.mkdir(parents=True)
    (out / "quiet.txt").write_text("$ echo now-it-talks\n")
    page = tmp_path / "page.md"
    page.write_text('```console\n$ echo a page may leave this out\n--8<-- "examples/x/y/output/quiet.txt"\n```\n')
    result = run_without_docker(tmp_path, page)
    assert result.ran == 2
    assert "`echo now-it-talks` printed output, but its transcript" in str(result.failure)


# A stand-in `docker`: `run` prints its error line only from the run numbered $SHOWS_FROM on
# (the engine lost it before), or a changed line with CHANGED=1; every call is logged.
LOSING_DOCKER = """#!/bin/sh
echo "$*" >> "$0.calls"
[ "$1" = rm ] && exit 0
runs=$(grep -c '^run' "$0.calls")
if [ -n "$CHANGED" ]; then echo "cat: /etc/os_release: Permission denied" >&2
elif [ "$runs" -ge "$SHOWS_FROM" ]; then echo "cat: /etc/os_release: No such file or directory" >&2; fi
exit 1
"""
RUN_PAGE = (
    "```console\n"
    '$ docker run --name first-box debian:trixie-slim cat /etc/os_release || echo "exit status $?"\n'
    "cat: /etc/os_release: No such file or directory\nexit status 1\n```\n"
)


@pytest.mark.parametrize(
    ("shows_from", "changed", "calls", "fails"),
    [
        (1, "", ["run"], False),
        (2, "", ["run", "rm -f first-box", "run"], False),  # lost once: removed and run again
        (9, "", ["run", "rm -f first-box", "run", "rm -f first-box", "run"], True),  # lost every time
        (1, "1", ["run"], True),  # another line: a real difference, not run again
    ],
)
def test_a_foreground_run_that_lost_its_output_runs_again(tmp_path, monkeypatch, shows_from, changed, calls, fails):
    docker = tmp_path / "docker"
    docker.write_text(LOSING_DOCKER)
    docker.chmod(0o755)
    monkeypatch.setenv("SHOWS_FROM", str(shows_from))
    monkeypatch.setenv("CHANGED", changed)
    page = tmp_path / "page.md"
    page.write_text(RUN_PAGE)
    result = run_without_docker(tmp_path, page)
    logged = [
        line.split(" debian")[0].replace(" --name first-box", "")
        for line in (tmp_path / "docker.calls").read_text().splitlines()
    ]
    assert logged == calls
    assert (result.failure is not None) == fails, result.failure


@pytest.mark.parametrize(
    ("command", "actual", "lost"),
    [
        ("docker run --rm img", ["a"], True),
        ("docker run --rm img", ["a", "b"], False),
        ("docker run --rm img", ["a", "c"], False),
        ("docker run -d --name x img", ["a"], False),
        ("docker ps", ["a"], False),
    ],
)
def test_lost_output_is_only_missing_lines_of_a_foreground_run(command, actual, lost):
    assert console.lost_output(command, ["a", "b"], actual) is lost


def test_a_capture_runs_in_a_fixed_folder_and_leaves_a_foreign_one_alone(tmp_path, monkeypatch):
    """Captures run in CAPTURE_ROOT, so a path a command prints is the same in every transcript;
    a folder there that no capture made is never removed."""
    fixed = tmp_path / "docker-basics"
    monkeypatch.setattr(console, "CAPTURE_ROOT", fixed)
    with console.capture_root() as cwd:
        assert cwd == fixed
        assert (cwd / "examples").is_dir() and not (cwd / "examples").is_symlink()
        assert (cwd / "docs").is_symlink()
    assert not fixed.exists()
    fixed.mkdir()
    (fixed / "mine.txt").write_text("a learner's clone\n")
    with pytest.raises(RuntimeError, match="not a capture's folder"):
        with console.capture_root():
            pass
    assert (fixed / "mine.txt").is_file()
