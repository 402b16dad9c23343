"""05-layer-cache: the order of instructions decides what a source edit rebuilds.

Each test copies the example to a temporary folder, builds it, changes only
app.sh, builds again and reads BuildKit's `--progress=plain` log: a step that
was reused is marked CACHED.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.docker

HERE = Path(__file__).resolve().parent
INSTALL = "apt-get install"  # a fragment of the RUN step that installs packages.txt
EXPECTED = "Docker Basics has 3 chapters:\n- Concepts\n- Building images\n- Reference\n"


def edit_source(folder: Path) -> str:
    """Change only app.sh; a unique line, so that no earlier build can match it."""
    token = f"edited {uuid.uuid4().hex[:8]}"
    with open(folder / "app.sh", "a", encoding="utf-8") as fh:
        fh.write(f'echo "{token}"\n')
    return token


def rebuild_after_edit(build, example_copy, dockerfile: str):
    copy = example_copy(HERE)
    build(copy, dockerfile=copy / dockerfile, fresh=True)
    token = edit_source(copy)
    return build(copy, dockerfile=copy / dockerfile, fresh=True), token


@pytest.mark.parametrize("dockerfile", ["Dockerfile", "Dockerfile.good"])
def test_both_images_run_the_app(engine, build, dockerfile):
    image = build(HERE, dockerfile=HERE / dockerfile).tag
    cp = engine.run_container(image, detach=False)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout == EXPECTED
    assert engine.inspect(image)["Config"]["User"] == "10001:10001"


def test_good_order_reuses_the_install_step(engine, build, example_copy):
    result, token = rebuild_after_edit(build, example_copy, "Dockerfile.good")
    assert result.was_cached("COPY packages.txt")
    assert result.was_cached(INSTALL), result.log_tail()
    assert [s for s in result.rebuilt if "COPY . ." in s], result.log_tail()
    # The edit did reach the image.
    cp = engine.run_container(result.tag, detach=False)
    assert cp.stdout.rstrip().endswith(token)


def test_bad_order_reinstalls_after_any_source_edit(engine, build, example_copy):
    result, token = rebuild_after_edit(build, example_copy, "Dockerfile")
    rebuilt = " | ".join(result.rebuilt)
    assert "COPY . ." in rebuilt
    assert INSTALL in rebuilt, result.log_tail()
    assert not result.was_cached(INSTALL)
    cp = engine.run_container(result.tag, detach=False)
    assert cp.stdout.rstrip().endswith(token)


def test_only_filesystem_instructions_add_layers(engine, build):
    image = build(HERE, dockerfile=HERE / "Dockerfile.good").tag
    base = engine.inspect("debian:trixie-slim")["RootFS"]["Layers"]
    layers = engine.inspect(image)["RootFS"]["Layers"]
    assert layers[: len(base)] == base  # the base image's layers, unchanged, at the bottom
    added = len(layers) - len(base)
    # Six instructions follow FROM. COPY, RUN, COPY add a layer each, and BuildKit
    # also records WORKDIR as a (0-byte) layer; USER and CMD only change the config.
    assert added in (3, 4)
    rows = {r["CreatedBy"].split()[0]: r["SizeBytes"] for r in engine.history(image)[:2]}
    assert rows == {"CMD": 0, "USER": 0}


def test_modification_time_alone_does_not_invalidate_the_cache(build, example_copy):
    copy = example_copy(HERE)
    build(copy, dockerfile=copy / "Dockerfile.good", fresh=True)
    later = time.time() + 3600
    os.utime(copy / "app.sh", (later, later))  # like `touch app.sh`, an hour from now
    again = build(copy, dockerfile=copy / "Dockerfile.good", fresh=True)
    assert again.rebuilt == [], again.log_tail()
    assert again.was_cached("COPY . .")


def test_readme_shows_the_real_output():
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    assert "```console\n$ docker run --rm layer-cache:good\n" + EXPECTED + "```" in readme
    assert EXPECTED + "Edited!\n```" in readme
