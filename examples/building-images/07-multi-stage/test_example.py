"""Example 07: a multi-stage build ships only the compiled binary (fixtures: see the root conftest.py)."""

import io
import re
import subprocess
import tarfile

import pytest

GREETING = re.compile(r"^Hello, (?P<name>.+)!\n\(compiled by gcc (?P<gcc>\d+\.\d+\.\d+) when the image was built\)\n$")


@pytest.fixture(scope="module")
def here(request):
    return request.path.parent


@pytest.fixture(scope="module")
def multi(build, here):
    return build(here)


@pytest.fixture(scope="module")
def single(build, here):
    return build(here, dockerfile=here / "Dockerfile.single-stage")


def test_both_images_run_the_same_program(engine, multi, single):
    for image in (multi, single):
        run = engine.run_container(image.tag, detach=False)
        assert run.returncode == 0, run.stderr
        assert GREETING.match(run.stdout), run.stdout
    run = engine.run_container(multi.tag, ["Docker"], detach=False)
    assert GREETING.match(run.stdout)["name"] == "Docker"


def test_the_binary_was_compiled_in_the_build_stage(multi):
    stages = {step.stage for step in multi.instruction_steps if "gcc" in step.instruction}
    assert stages == {"build"}, [s.name for s in multi.instruction_steps]


def test_runtime_stage_holds_only_the_binary(engine, container, multi):
    # scratch has no shell and no ls: list the files of a stopped container with `docker export`.
    c = container(multi.tag, ports=(), wait=None)
    c.wait()
    tar = subprocess.run(engine.docker_cmd + ["export", c.id], capture_output=True, env=engine.env, check=True)
    files = {m.name for m in tarfile.open(fileobj=io.BytesIO(tar.stdout)) if m.isfile()}
    # Docker itself adds these to every container: mount points for the terminal and the network settings.
    runtime = {".dockerenv", "dev/console", "etc/hostname", "etc/hosts", "etc/resolv.conf"}
    assert files - runtime == {"greet"}, sorted(files)


def test_no_compiler_in_the_multi_stage_image(engine, multi, single):
    found = engine.run_container(single.tag, ["--version"], options=["--entrypoint", "gcc"], detach=False)
    assert found.returncode == 0 and "gcc" in found.stdout
    missing = engine.run_container(multi.tag, ["--version"], options=["--entrypoint", "gcc"], detach=False)
    assert missing.returncode != 0
    assert "executable file not found" in missing.stderr, missing.stderr


def test_multi_stage_image_is_a_fraction_of_the_single_stage_one(engine, multi, single):
    small, big = engine.image_size(multi.tag), engine.image_size(single.tag)
    assert small < 2_000_000, f"multi-stage image is {small} bytes"
    assert big > 50 * small, f"single-stage {big} bytes vs multi-stage {small} bytes"


def test_runs_as_non_root(engine, multi, single):
    for image in (multi, single):
        assert engine.inspect(image.tag)["Config"]["User"] == "10001:10001"


def test_captured_sizes_show_both_images(here):
    sizes = (here / "output" / "sizes.txt").read_text(encoding="utf-8")
    rows = [line.split() for line in sizes.splitlines() if line.startswith(("multi-stage ", "single-stage "))]
    assert sorted(r[0] for r in rows) == ["multi-stage", "single-stage"], sizes
