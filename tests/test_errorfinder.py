"""The troubleshooting entries' ```messages fences and the "paste your error" box (scripts/course/errorfinder.py).

Without a browser: the fence's rules (bad input fails the build with the page and the line),
what it renders, how the entries compile into the box's data, and the box's cost. The matcher
itself runs in Node on every test paste (tests/js/errors.test.mjs), and through the real box in
Chromium (tests/test_errorfinder_browser.py).
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from course import errorfinder

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "docs" / "assets" / "javascripts" / "errors.js"
MAX_SCRIPT_GZ = 10 * 1024  # issue 25: at most 10 KB compressed, plus the fingerprint data

GOOD = """cause: A container with that name exists already, running or stopped.
messages:
  - 'docker: Error response from daemon: Conflict. The container name "/<name>" is already in use by "<id>".'
  - 'docker: Error response from daemon: Conflict. The container name "/web" is already in use by "0a1b2c3d4e5f".'
seen: {1: "Engine 29"}
"""

PAGE = """# Errors

Intro.

## Names

### `Conflict. The container name "/ts-hello" is already in use` {#name-in-use}

```messages
CAUSE_AND_MESSAGES```

**Cause.** Names are unique.

**Confirm.** `docker ps -a`.

**Fix.** Remove it.

???+ example "Reproduced"

    ```console
    --8<-- "examples/troubleshooting/02-running/output/name-in-use.txt"
    ```

### `Error response from daemon: No such container: ts-hello` {#no-such-container}

**Cause.** No container has that name. It was removed.

**Confirm.** `docker ps -a`.

**Fix.** Use a name from the list.
"""


@pytest.fixture
def docs(tmp_path, monkeypatch):
    """A docs/ folder with one troubleshooting page, where the module looks for pages."""
    root = tmp_path / "docs"
    (root / "troubleshooting").mkdir(parents=True)
    monkeypatch.setattr(errorfinder, "DOCS", root)

    def write(fence: str = GOOD, page: str = PAGE) -> Path:
        path = root / "troubleshooting" / "running.md"
        path.write_text(page.replace("CAUSE_AND_MESSAGES", fence), encoding="utf-8")
        return path

    return write


# --------------------------------------------------------------------------- the ```messages fence
BAD = {
    "not YAML": ("cause: x.\nmessages: [one\n", 1, "not valid YAML"),
    "not a mapping": ("- a\n- b\n", 0, "a messages fence is YAML"),
    "unknown key": ("cause: X.\nmessages: [one two]\nsource: y\n", 2, "unknown key 'source'"),
    "no cause": ("messages: [one two]\n", 0, "`cause:` is missing"),
    "two sentences": ("cause: One. Two.\nmessages: [one two]\n", 0, "one sentence"),
    "no full stop": ("cause: A cause\nmessages: [one two]\n", 0, "one sentence"),
    "no messages": ("cause: A cause.\nmessages: []\n", 1, "`messages:` is a list"),
    "not a list": ("cause: A cause.\nmessages: one\n", 1, "`messages:` is a list"),
    "unquoted colon": ("cause: A cause.\nmessages:\n  - one\n  - Error: two three\n", 3, "put it in single quotes"),
    "two lines": ("cause: A cause.\nmessages:\n  - one\n  - |\n    one\n    two\n", 3, "one line"),
    "unknown placeholder": ("cause: A cause.\nmessages:\n  - 'one <thing> two'\n", 2, "unknown placeholder <thing>"),
    "only variable parts": ("cause: A cause.\nmessages:\n  - '<name> 42 /tmp/x'\n", 2, "no fixed word"),
    "seen out of range": ("cause: A cause.\nmessages: [one two]\nseen: {1: x}\n", 2, "not the position of a wording"),
    "seen with a link": ("cause: A cause.\nmessages: [one two]\nseen: {0: '[x](y)'}\n", 2, "plain text"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_messages_fence_fails_the_build_with_page_and_line(case, docs):
    source, offset, words = BAD[case]
    docs(source)
    with pytest.raises(errorfinder.ErrorFinderError) as error:
        errorfinder.messages_fence(source, "messages", "messages", {}, None)
    # The fence opens on line 9 of the page: its first line is line 10.
    assert f"docs/troubleshooting/running.md:{10 + offset}: messages:" in str(error.value), str(error.value)
    assert words in str(error.value)
    # The box compiles the same page: it fails on the same line.
    with pytest.raises(errorfinder.ErrorFinderError) as error:
        errorfinder.finder_fence("", "error-finder", "error-finder", {}, None)
    assert f"docs/troubleshooting/running.md:{10 + offset}: messages:" in str(error.value), str(error.value)


def test_the_fence_lists_how_the_message_reads(docs):
    docs()
    soup = BeautifulSoup(errorfinder.messages_fence(GOOD, "messages", "messages", {}, None), "html.parser")
    assert soup.select_one(".error-messages__title").get_text() == "How the message reads"
    items = soup.select(".error-messages__list li")
    assert [li.code.get_text() for li in items] == [
        'docker: Error response from daemon: Conflict. The container name "/name" is already in use by "id".',
        'docker: Error response from daemon: Conflict. The container name "/web" is already in use by "0a1b2c3d4e5f".',
    ]
    assert [v.get_text() for v in items[0].select("var")] == ["name", "id"], "placeholders are marked as such"
    assert items[1].select_one(".error-messages__seen").get_text() == "(Engine 29)"
    assert not items[0].select(".error-messages__seen")


def test_a_fence_away_from_an_entry_or_a_second_one_fails(docs):
    docs(page=PAGE.replace("## Names", "```messages\n" + GOOD + "```\n\n## Names"))
    with pytest.raises(errorfinder.ErrorFinderError, match=r"running.md:5: .*right under an entry's ### heading"):
        errorfinder.entries()
    twice = PAGE.replace("**Cause.** Names", "```messages\n" + GOOD + "```\n\n**Cause.** Names")
    docs(page=twice)
    with pytest.raises(errorfinder.ErrorFinderError, match=r"a second messages fence for the entry of line 7"):
        errorfinder.entries()
    docs(page=PAGE.replace(" {#no-such-container}", ""))
    with pytest.raises(errorfinder.ErrorFinderError, match=r"running.md:\d+: an entry's heading needs an anchor"):
        errorfinder.entries()


def test_entries_compile_into_the_box_data(docs):
    docs()
    found = errorfinder.entries()
    assert [(e.anchor, e.fence_line) for e in found] == [("name-in-use", 9), ("no-such-container", None)]
    first, second = found
    assert first.transcripts == ["examples/troubleshooting/02-running/output/name-in-use.txt"]
    assert first.blank_lines_before_fence
    # Both wordings give one fingerprint: the literal one's name and ID are wildcards too.
    assert first.fingerprints == [
        "docker error response from daemon conflict the container name <name> is already in use by <id>"
    ]
    # Without a fence: the heading's message and the cause's first sentence.
    assert second.messages == ["Error response from daemon: No such container: ts-hello"]
    assert second.fingerprints == ["error response from daemon no such container <name>"]
    assert second.cause == "No container has that name."
    data = errorfinder.finder_data(found)
    assert data["entries"][0] == {
        "u": "troubleshooting/running.md#name-in-use",
        "h": '`Conflict. The container name "/ts-hello" is already in use`',
        "c": "A container with that name exists already, running or stopped.",
        "f": first.fingerprints,
    }
    assert data["issue"] == "https://github.com/docker-basics/docker-basics/issues/new?template=error-not-listed.yml"
    assert (ROOT / ".github" / "ISSUE_TEMPLATE" / errorfinder.ISSUE_TEMPLATE).is_file()
    html = errorfinder.finder_fence("", "error-finder", "error-finder", {}, None)
    box = BeautifulSoup(html, "html.parser").select_one(".error-finder")
    assert json.loads(box["data-finder"]) == data
    assert box["data-course-script"] == "errors"
    (errorfinder.DOCS / "troubleshooting" / "index.md").write_text("# T\n\n```error-finder\nentries: all\n```\n")
    with pytest.raises(
        errorfinder.ErrorFinderError, match=r"docs/troubleshooting/index.md:4: error-finder: .*no content"
    ):
        errorfinder.finder_fence("entries: all\n", "error-finder", "error-finder", {}, None)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            'Conflict. The container name "/x" is in use by "<id>"',
            "conflict the container name <name> is in use by <id>",
        ),
        ("Bind for 0.0.0.0:8080 failed", "bind for <address> failed"),
        ("failed to bind host port for 127.0.0.1:18181:172.17.0.3:8000/tcp", "failed to bind host port for <path>"),
        ("listen tcp [::]:80: bind", "listen tcp <address> bind"),
        (
            "dial tcp: lookup registry-1.docker.io on 10.0.0.2:53: no such host",
            "dial tcp lookup <host> on <address> no such host",
        ),
        ("unix:///var/run/docker.sock. Is the docker daemon running?", "unix <path> is the docker daemon running"),
        ("open //./pipe/dockerDesktopLinuxEngine: The system", "open <path> the system"),
        ("C:\\Users\\me\\app\\Dockerfile: no such file", "<path> no such file"),
        (
            "client version 1.41 is too old. Minimum supported API version is 1.44",
            "client version <version> is too old minimum supported api version is <version>",
        ),
        ("sha256:8ee183138282a4f1cec63051dcf8c529e454c953453b27ff2146ff5a559ae07a not found", "<id> not found"),
        ("ref 3r2bgd27myido9rdlv0fa2pwl::lr7qlb1xdobp0fn1kc6b7vubf: x", "ref <id>"),
        ("exit code: 100 at 2026-12-03T13:21:50Z", "exit code <n> at <n>"),
        ("endpoint ts-web-2 (e0a135873fd5)", "endpoint <id>"),
        (
            "no matching manifest for linux/arm64/v8 in the manifest list entries",
            "no matching manifest for linux <path> in the manifest list entries",
        ),
        ("Das System kann die angegebene Datei nicht finden.", "das system kann die angegebene datei nicht finden"),
        ("exec /app/start.sh: no such file or directory", "exec <path> no such file or directory"),
        ("the attribute `version` is obsolete", "the attribute version is obsolete"),
        ("docker: '<name>' is not a docker command.", "docker <name> is not docker command"),
    ],
)
def test_variable_parts_become_wildcards(line, expected):
    assert errorfinder.fingerprint(line) == expected


def test_the_patterns_keep_to_what_python_and_javascript_read_alike():
    """errorfinder.json's rule; tests/js/errors.test.mjs shows that both read every wording alike.
    (On the ASCII text both read, \\d, \\w and \\s mean the same in both.)"""
    not_in_javascript = re.compile(r"\(\?P|\(\?<[=!a-zA-Z]|\(\?[aiLmsux-]+[):]|\(\?>|\\[AZ]|[*+?}][+]")
    for kind, regex in errorfinder.PATTERNS["patterns"]:
        assert not not_in_javascript.search(regex.replace("\\\\", "")), (kind, regex)
        assert re.compile(regex).groups == 0, f"{kind}: (?:...) groups only: the box numbers the patterns by group"


# --------------------------------------------------------------------------- the pages
def test_every_entry_lists_its_wordings_right_under_its_heading():
    """The entry's contract (docs/contributing/writing-style.md, "Troubleshooting entries"): its
    ```messages fence right under its heading, with nothing but blank lines above it."""
    found = errorfinder.entries()
    missing = [f"{e.where} ({e.anchor})" for e in found if e.fence_line is None]
    assert not missing, "entries without a ```messages fence (the box reads only their heading): " + ", ".join(missing)
    apart = [f"docs/{e.page}:{e.fence_line}" for e in found if not e.blank_lines_before_fence]
    assert not apart, "a ```messages fence goes right under its entry's heading: " + ", ".join(apart)


# --------------------------------------------------------------------------- cost
def test_the_box_script_is_small():
    size = len(gzip.compress(SCRIPT.read_bytes(), 9))
    assert size <= MAX_SCRIPT_GZ, f"{SCRIPT.relative_to(ROOT)}: {size} bytes compressed > {MAX_SCRIPT_GZ}"


def test_the_troubleshooting_overview_leads_with_the_box(site):
    """The page's first paragraph tells the reader to paste into the box by its label, and the box
    comes right after it, before the other ways in (search, the pages by topic)."""
    soup = BeautifulSoup((site.site_dir / "troubleshooting" / "index.html").read_text(encoding="utf-8"), "html.parser")
    h1 = soup.select_one("article h1")
    first, second = h1.find_next_siblings(limit=2)
    assert first.name == "p" and "Paste the error" in first.get_text(), first
    assert "error-finder" in second.get("class", []), second
    search = soup.select_one("article").find(string=re.compile(r"\bSearch\b"))
    assert search is not None and second.sourceline < search.parent.sourceline


def test_the_box_is_on_the_troubleshooting_overview_only(site):
    pages = [p for p in site.site_dir.rglob("*.html") if 'data-course-script="errors"' in p.read_text(encoding="utf-8")]
    assert [p.relative_to(site.site_dir).as_posix() for p in pages] == ["troubleshooting/index.html"]
    box = BeautifulSoup(pages[0].read_text(encoding="utf-8"), "html.parser").select_one(".error-finder")
    data = json.loads(box["data-finder"])
    assert [e["u"].split("#")[1] for e in data["entries"]] == [e.anchor for e in errorfinder.entries()]
    assert box.select_one("label[for=error-finder-paste]").get_text() == "Paste the error"
    # A paste longer than the box takes keeps its end (course.js), where a terminal prints the error.
    assert box.select_one("textarea#error-finder-paste")["data-paste-keeps"] == "end"
    assert box.select_one("button").get_text() == "Find the cause"
    assert box.select_one("[aria-live=polite]").select_one("ol.error-finder__results") is not None
