"""06-registry: push and pull through a local registry; a tag moves, a digest does not.

The registry (the registry:2 image) listens on a random port of 127.0.0.1, so
the test does not collide with a registry of yours on port 5001 (the README's).
"""

from __future__ import annotations

import json
import re
import urllib.request
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.docker

HERE = Path(__file__).resolve().parent
V1 = "Hello from version 1"  # the Dockerfile's default MESSAGE
V2 = "Hello from version 2"


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as resp:
        return json.load(resp)


def run(engine, image: str) -> str:
    cp = engine.run_container(image, detach=False)
    assert cp.returncode == 0, cp.stderr
    return cp.stdout.strip()


@pytest.fixture
def registry(container):
    """A registry:2 container; returns 'localhost:PORT'."""
    c = container("registry:2", ports=(5000,), wait="port", options=["--rm"])
    return f"localhost:{c.host_port(5000)}"


def test_default_message(engine, build):
    assert run(engine, build(HERE).tag) == V1


def test_push_pull_and_pin_by_digest(engine, build, registry):
    repo = f"{registry}/hello-{uuid.uuid4().hex[:8]}"
    name = repo.split("/", 1)[1]
    ref = f"{repo}:1.0"
    digest_line = None
    assert get_json(f"http://{registry}/v2/_catalog") == {"repositories": []}
    try:
        # Version 1: push, and read the digest the registry answered with.
        engine.run_cmd("tag", build(HERE).tag, ref)
        pushed = engine.run_cmd("push", ref, timeout=120).stdout
        digest_line = re.search(r"1\.0: digest: (sha256:[0-9a-f]{64})", pushed)
        assert digest_line, pushed
        # With the containerd image store the image also lists a digest under the build's own name.
        repo_digests = json.loads(engine.out("image", "inspect", "--format", "{{json .RepoDigests}}", ref))
        pinned = f"{repo}@{digest_line.group(1)}"
        assert pinned in repo_digests
        assert get_json(f"http://{registry}/v2/_catalog") == {"repositories": [name]}
        assert get_json(f"http://{registry}/v2/{name}/tags/list") == {"name": name, "tags": ["1.0"]}

        # Version 2 under the same tag: the tag now points to another digest.
        engine.run_cmd("tag", build(HERE, build_args={"MESSAGE": V2}).tag, ref)
        pushed2 = engine.run_cmd("push", ref, timeout=120).stdout
        assert digest_line.group(1) not in pushed2

        # Version 1 keeps the build's own tag here, so it is still in the local store (the README,
        # which builds straight under the registry name, shows it gone: checked by its transcripts).
        v1_still_here = engine.run_cmd("image", "inspect", pinned, check=False).returncode == 0

        # Pull both back from the registry, not from the local store.
        engine.run_cmd("image", "rm", ref, *([pinned] if v1_still_here else []))
        assert engine.run_cmd("image", "inspect", pinned, check=False).returncode != 0
        engine.run_cmd("pull", "--quiet", ref, timeout=120)
        engine.run_cmd("pull", "--quiet", pinned, timeout=120)
        assert run(engine, ref) == V2
        assert run(engine, pinned) == V1
    finally:
        engine.run_cmd("image", "rm", ref, check=False)
        engine.run_cmd("image", "rm", f"{repo}@{digest_line.group(1)}" if digest_line else ref, check=False)
