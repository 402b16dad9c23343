"""06-platforms: an arm64 image cross-compiled on amd64, its exec format error, a multi-platform image.

Fixtures: the root conftest.py (engine) and examples/troubleshooting/conftest.py (docker).
The images are built with the test labels and removed at the end of the session. The
engine the tests run must be amd64 without arm64 emulation: the test checks that first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from course.engine import SESSION_ID, SESSION_LABEL, TEST_LABEL

HERE = Path(__file__).resolve().parent
EXEC_FORMAT_ERROR = "exec /hello: exec format error"


@pytest.fixture(scope="module")
def images(engine):
    """{"arm64": tag, "multi": tag}: built as the README builds them."""
    tags = {}
    for name, platforms in (("arm64", "linux/arm64"), ("multi", "linux/amd64,linux/arm64")):
        tag = f"docker-basics-test/ts-hello-{name}:{SESSION_ID}"
        engine.run_cmd(
            "build", "--platform", platforms, "--label", TEST_LABEL, "--label", SESSION_LABEL, "-t", tag, str(HERE),
            timeout=600,
        )  # fmt: skip
        tags[name] = tag
    yield tags
    engine.run_cmd("rmi", *tags.values(), check=False)


def platform(docker, ref: str, *option: str) -> str:
    return docker("image", "inspect", *option, "--format", "{{.Os}}/{{.Architecture}}", ref).stdout.strip()


def test_the_engine_is_amd64_without_arm64_emulation(engine):
    assert engine.out("version", "--format", "{{.Server.Arch}}") == "amd64"
    assert not Path("/proc/sys/fs/binfmt_misc/qemu-aarch64").exists(), "QEMU for arm64 is installed on this host"


def test_the_cross_compiled_image_is_arm64(docker, images):
    assert platform(docker, images["arm64"]) == "linux/arm64"


def test_an_arm64_image_on_amd64_gives_exec_format_error(docker, images):
    cp = docker("run", "--rm", *docker.labels(), images["arm64"])
    assert cp.returncode == 255
    warning, error = cp.stderr.strip().splitlines()
    assert warning.startswith(
        "WARNING: The requested image's platform (linux/arm64) does not match the detected host platform (linux/amd64"
    )
    assert warning.endswith(") and no specific platform was requested")
    assert error == EXEC_FORMAT_ERROR
    cp = docker("run", "--rm", *docker.labels(), "--platform", "linux/arm64", images["arm64"])
    assert (cp.returncode, cp.stderr.strip()) == (255, EXEC_FORMAT_ERROR)  # asked for: no warning
    assert docker.leftovers() == []


def test_the_multi_platform_image_keeps_both_platforms(docker, images):
    multi = images["multi"]
    tree = docker("image", "ls", "--tree", multi).stdout
    assert "linux/amd64" in tree and "linux/arm64" in tree, tree
    assert platform(docker, multi, "--platform", "linux/amd64") == "linux/amd64"
    assert platform(docker, multi, "--platform", "linux/arm64") == "linux/arm64"


def test_run_picks_the_hosts_platform_and_platform_picks_the_other(docker, images):
    cp = docker("run", "--rm", *docker.labels(), images["multi"])
    assert (cp.returncode, cp.stdout) == (0, "hello from amd64\n"), cp.stderr
    cp = docker("run", "--rm", *docker.labels(), "--platform", "linux/arm64", images["multi"])
    assert (cp.returncode, cp.stderr.strip()) == (255, EXEC_FORMAT_ERROR)
    assert docker.leftovers() == []
