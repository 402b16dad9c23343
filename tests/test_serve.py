"""`make serve`: the site answers at the address the README gives, and reloads on a change."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request

from site_checks.building import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_make_serve_serves_the_home_page_at_the_root():
    port = free_port()
    # Run the recipe as make would, without re-running its prerequisites.
    command = ["make", "--no-print-directory", "-o", "vendor", "serve", f"PORT={port}"]
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        start_new_session=True,
    )
    try:
        home = get(f"http://127.0.0.1:{port}/")
        assert "<title>Docker Basics</title>" in home
        assert "livereload" in home, "the served page has no live-reload script"
        assert "Architecture" in get(f"http://127.0.0.1:{port}/concepts/architecture/")
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
