"""The page scripts' pure parts (paste reading, checkers, matchers), tested in Node without a browser.

The tests are tests/js/*.test.mjs (node:test); tests/js/load.mjs loads the scripts as the site
serves them. What needs a page (clicks, focus, layout) is tested in Chromium elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_page_scripts_in_node():
    node = shutil.which("node")
    assert node, "node is not on PATH (the README's set-up needs Node.js 20+)"
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "js").glob("*.test.mjs"))
    assert files, "no tests/js/*.test.mjs"
    # The error finder's tests ask this Python for the box's data (tests/js/errors-data.mjs).
    env = {**os.environ, "PYTHON": sys.executable}
    cp = subprocess.run([node, "--test", *files], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    failed = [line for line in cp.stdout.splitlines() if line.startswith("not ok")]
    assert cp.returncode == 0, "\n".join(failed) + "\n" + cp.stdout[-4000:] + cp.stderr[-2000:]
