"""A large paste does not freeze a practice box (issue 26), in Chromium; Firefox:
test_firefox.py. Every kind of box (a lab's, the progress code's, Which Docker's, any box to come)
on the first page that has it: after a paste of the most the box takes (course.paste.MAX, at
least LEAST characters) and of 1 MB and 5 MB (refused, with a note; the error finder's box keeps
their last lines, and says so), the page answers checking, editing and clearing the box within a
second, measured in the page as the time from the action's event to the next frame drawn
(site_checks/states.js).
"""

from __future__ import annotations

import pytest

from course.browser import navigate
from site_checks import states
from site_checks.building import site_pages

pytestmark = pytest.mark.browser

SIZES = (1_000_000, 5_000_000)
LEAST = 100_000  # what a box must take at least: many times what any command of the course prints
# What a terminal shows: a command at its prompt and its JSON output.
TERMINAL = """$ docker inspect notes
[
    {
        "Id": "953a7e9388d23a7e62aed3258d7c324349102b4a8182994c2e19182a8eed06eb",
        "Created": "2026-12-03T13:58:44.893614188Z",
        "Path": "python3",
        "Args": ["-m", "http.server", "8000", "--directory", "/data"],
        "State": {"Status": "running", "Running": true, "ExitCode": 0},
        "Mounts": [{"Type": "volume", "Name": "notes-data", "Destination": "/data"}]
    }
]
"""


def test_a_large_paste_leaves_every_box_answering(served_site, context):
    built, base = served_site
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    problems, kinds = [], []
    for source in states.practice_pages(built.site_dir, site_pages()):
        navigate(page, base + source.url, wait_until="load")
        for box in states.boxes(page):
            kinds.append(box["kind"])
            answers = states.paste_answers(page, box["selector"], TERMINAL, SIZES)
            problems += states.paste_problems(f"{source.source} ({box['kind']})", answers, LEAST)
    assert {"lab", "progress-tools"} <= {k.split()[0] for k in kinds}, kinds
    assert problems == []
