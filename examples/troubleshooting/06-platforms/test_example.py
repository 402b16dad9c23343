"""06-platforms: an arm64 image cross-compiled on amd64, its exec format error, a multi-platform image.

Fixtures: the root conftest.py (engine) and examples/troubleshooting/conftest.py (docker).
The images are built with the test labels and removed at the end of the session. The
engine the tests run must be amd64 without arm64 emulation: the test checks that first.

The image's metadata names a platform; what the binary holds is another matter. So the
tests read the machine code of each variant (its ELF header), and run the Dockerfile's
choice of compiler as an amd64 and as an arm64 builder would.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from course.engine import SESSION_ID, SESSION_LABEL, TEST_LABEL

HERE = Path(__file__).resolve().parent
EXEC_FORMAT_ERROR = "exec /hello: exec format error"
# ELF e_machine (bytes 18-19, little-endian) of each platform's code.
MACHINE = {"amd64": 0x3E, "arm64": 0xB7}  # EM_X86_64, EM_AARCH64


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


def elf_machine(path: Path) -> int:
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF", f"{path} is not an ELF binary"
    assert header[4] == 2 and header[5] == 1, f"{path} is not 64-bit little-endian"
    return int.from_bytes(header[18:20], "little")


def test_each_variant_holds_machine_code_for_its_own_platform(engine, images, tmp_path):
    """The README's check: the multi-platform build's files (cached), each binary read as ELF."""
    out = tmp_path / "out"
    engine.run_cmd(
        "build", "-q", "--platform", "linux/amd64,linux/arm64", "--output", f"type=local,dest={out}", str(HERE),
        timeout=600,
    )  # fmt: skip
    found = {p.parent.name: elf_machine(p) for p in out.glob("*/hello")}
    assert found == {"linux_amd64": MACHINE["amd64"], "linux_arm64": MACHINE["arm64"]}


def compile_step() -> str:
    """The Dockerfile's RUN that picks the compiler, as the shell in the build stage runs it."""
    text = (HERE / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n", " ", text)  # continuation lines, as the Dockerfile parser joins them
    (step,) = [line[len("RUN ") :] for line in joined.splitlines() if line.startswith("RUN ") and "TARGETARCH" in line]
    return step


@pytest.mark.parametrize("builder", ["amd64", "arm64"])
@pytest.mark.parametrize("target", ["amd64", "arm64"])
def test_the_compiler_is_chosen_by_the_target_whatever_the_builder(tmp_path, builder, target):
    """On an amd64 builder `gcc` makes amd64 code, on an arm64 builder (Apple silicon, arm64 CI)
    arm64 code: a step that calls `gcc` for one target builds the wrong binary on one of them.
    Each compiler here writes the CPU it makes code for, as Debian's would on that builder."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    makes = {"gcc": builder, "cc": builder, "x86_64-linux-gnu-gcc": "amd64", "aarch64-linux-gnu-gcc": "arm64"}
    for name, arch in makes.items():
        tool = bin_dir / name
        tool.write_text(f'#!/bin/sh\nwhile [ "$1" != -o ]; do shift; done\necho {arch} > "$2"\n')
        tool.chmod(0o755)
    (tmp_path / "hello.c").write_text("")
    env = {"PATH": f"{bin_dir}:{os.defpath}", "TARGETARCH": target, "BUILDARCH": builder}
    cp = subprocess.run(["sh", "-c", compile_step()], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert cp.returncode == 0, cp.stderr
    made = (tmp_path / "hello").read_text().strip()
    assert made == target, f"on a {builder} builder, the {target} variant gets {made} code"
