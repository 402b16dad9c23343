"""Capture what Podman prints for the labs' states: test data for the lab checkers and the
"Which Docker do you have?" box.

``python -m course podman [--install]`` runs Debian 12's ``podman`` (4.3.1) as root,
with the course's base images (saved from the course's engine, loaded into Podman),
puts every lab's state in place (the ``first-box`` container run to its end, the
``greeter`` image built from examples/labs/02-greeter-image, the ``notes``
container running and published, then stopped, its volume, an object that is gone)
and writes what ``podman inspect`` and the others print into tests/data/podman/
(CAPTURES, listed with their commands in captures.json). It also captures
``podman version`` (plain and ``--format json``), ``podman info``, and what
``docker version`` prints through Debian's ``podman-docker`` script (downloaded,
not installed: installed, its /usr/bin/docker would stand in the course engine's way).

``--install`` first installs the Debian packages PACKAGES when they are missing;
without it a missing podman is an error that names the command. `make test` never
runs this (installing and capturing take about 20 s): tests/test_podman_data.py
checks the committed data instead.

How Podman runs here (tests/data/podman/README.md says why):

* in a network and mount namespace of its own (``unshare -n -m``): its bridge,
  iptables rules and published port 127.0.0.1:8088 exist only there, so nothing
  meets the course's engine or another test's port; tmpfs over /var/lib/cni,
  /run/netns and /var/lib/containers keep its state out of the host's folders;
* storage, volumes and temporary files under WORK (emptied before and after);
* CONTAINERS_CONF: runtime ``runc`` (Debian 12's crun 1.8.1 refuses this machine's
  hybrid cgroups: "cgroups in hybrid mode not supported, drop all controllers from
  cgroupv2"), cgroupfs, file events, and default ulimits no higher than this
  process's own (without CAP_SYS_RESOURCE, Podman's defaults fail with
  "setrlimit `RLIMIT_NOFILE`: Operation not permitted").
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import resource
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

from course.engine import Engine, engine_or_exit

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "podman"
WORK = Path("/tmp/docker-basics-podman")  # a fixed path: it shows in `podman info`
PACKAGES = ("podman", "runc")
PODMAN = Path("/usr/bin/podman")
IMAGES = ("debian:trixie-slim", "python:3.13-slim")
# Podman's state outside its configured folders: a tmpfs over each in its namespace.
HIDDEN = ("/var/lib/cni", "/run/netns", "/var/lib/containers")
GREETER = ROOT / "examples" / "labs" / "02-greeter-image"
NOTES_RUN = (
    "podman run -d --name notes --restart unless-stopped -p 127.0.0.1:8088:8000 -v notes-data:/data "
    "python:3.13-slim python3 -m http.server 8000 --directory /data"
)

# (file, command, what it shows). Run in this order in WORK's namespace; a command whose
# file is None only sets up the next capture. "2>&1": the file holds both streams, as a
# terminal shows them; otherwise stdout alone, and anything on stderr fails the capture.
CAPTURES: list[tuple[str | None, str, str]] = [
    ("version.txt", "podman version", "the client's version (no server part: Podman has no daemon)"),
    ("version.json", "podman version --format json", "the same as JSON"),
    (
        "docker-version.txt",
        "docker version 2>&1",
        "`docker version` through Debian's podman-docker: its notice on stderr, then podman's output",
    ),
    (
        "docker-version.json",
        "docker version --format json 2>/dev/null",
        "`docker version --format json` through podman-docker (stdout: the notice goes to stderr)",
    ),
    ("info.txt", "podman info", "podman info (YAML)"),
    ("info.json", "podman info --format json", "podman info as JSON"),
    (None, "podman run --name first-box debian:trixie-slim cat /etc/os-release", "lab 1"),
    ("container-first-box-exited.json", "podman inspect first-box", "lab 1: a container that ran to its end, code 0"),
    (None, f"cd {shlex.quote(str(GREETER))} && podman build --quiet -t greeter:lab . > /dev/null", "lab 2"),
    ("image-greeter.json", "podman image inspect greeter:lab", "lab 2: an image built from the reference Dockerfile"),
    ("image-greeter-inspect.json", "podman inspect greeter:lab", "lab 2: the same through `podman inspect`"),
    (None, NOTES_RUN + " > /dev/null", "lab 3"),
    (None, "podman exec notes sh -c 'echo hello from the volume > /data/hello.txt'", "lab 3"),
    ("container-notes-running.json", "podman inspect notes", "lab 3: running, published on 127.0.0.1:8088"),
    (
        "container-notes-running-line.json",
        "podman inspect --format '{{json .}}' notes",
        "lab 3: the one-line form a learner may paste",
    ),
    ("curl-hello.txt", "curl -sS --retry 5 --retry-connrefused http://127.0.0.1:8088/hello.txt", "lab 3: the port"),
    ("exec-ls-data.txt", "podman exec notes ls /data", "lab 3: the file in the volume"),
    ("volume-notes-data.json", "podman volume inspect notes-data", "lab 3: the named volume"),
    (None, "podman stop --time 1 notes > /dev/null 2>&1", "lab 3"),
    ("container-notes-stopped.json", "podman inspect notes", "lab 3: the same container stopped"),
    (None, "podman rm notes > /dev/null && podman volume rm notes-data > /dev/null", "clean up"),
    ("missing-container.txt", "podman inspect notes 2>&1", "an object that is gone: what the terminal shows"),
]


def _containers_conf() -> str:
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    # Podman lowers its own process limit to the kernel's pid_max before it starts a container.
    nproc = min(resource.getrlimit(resource.RLIMIT_NPROC)[1], int(Path("/proc/sys/kernel/pid_max").read_text()))
    return f"""[containers]
default_ulimits = ["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "{WORK}/tmp"
volume_path = "{WORK}/volumes"
"""


STORAGE_CONF = f"""[storage]
driver = "overlay"
graphroot = "{WORK}/storage"
runroot = "{WORK}/run"
"""


class CaptureError(RuntimeError):
    pass


def missing_packages() -> list[str]:
    return [p for p in PACKAGES if shutil.which(p, path="/usr/sbin:/usr/bin:/sbin:/bin") is None]


def install(log=print) -> None:
    missing = missing_packages()
    if not missing:
        return
    log(f"installing Debian packages: {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    commands = (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing])
    for command in commands:
        cp = subprocess.run(command, env=env, capture_output=True, text=True)
        if cp.returncode != 0:
            raise CaptureError(f"`{shlex.join(command)}` failed:\n{(cp.stdout + cp.stderr)[-2000:]}")


def podman_docker_script(work: Path) -> Path:
    """Debian's podman-docker /usr/bin/docker, downloaded and unpacked under `work`, not installed."""
    debs = work / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    cp = subprocess.run(["apt-get", "download", "podman-docker"], cwd=debs, capture_output=True, text=True)
    found = sorted(debs.glob("podman-docker_*.deb"))
    if cp.returncode != 0 or not found:
        raise CaptureError(f"apt-get download podman-docker failed:\n{cp.stdout}{cp.stderr}")
    subprocess.run(["dpkg-deb", "-x", str(found[-1]), str(debs / "root")], check=True)
    bin_dir = work / "bin"
    bin_dir.mkdir(exist_ok=True)
    shutil.copy2(debs / "root/usr/bin/docker", bin_dir / "docker")
    return bin_dir / "docker"


def _inside(work: Path, out: Path) -> int:
    """Run CAPTURES; called in the private namespaces (see capture())."""
    for folder in HIDDEN:
        Path(folder).mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "tmpfs", folder], check=True)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    env = {
        **os.environ,
        "CONTAINERS_CONF": str(work / "containers.conf"),
        "CONTAINERS_STORAGE_CONF": str(work / "storage.conf"),
        "PATH": f"{work / 'bin'}:/usr/sbin:/usr/bin:/sbin:/bin",
    }
    for image in IMAGES:
        tar = work / f"{image.replace(':', '_')}.tar"
        subprocess.run(["podman", "load", "-q", "-i", str(tar)], env=env, check=True, capture_output=True)
    manifest = []
    for file, command, what in CAPTURES:
        cp = subprocess.run(["bash", "-c", command], env=env, cwd=work, capture_output=True, text=True, timeout=300)
        both = command.endswith(" 2>&1")
        if file is None:
            if cp.returncode != 0:
                print(f"`{command}` exited {cp.returncode}:\n{cp.stdout}{cp.stderr}", file=sys.stderr)
                return 1
            continue
        if cp.stderr and not both:
            print(f"`{command}` printed on stderr:\n{cp.stderr}", file=sys.stderr)
            return 1
        (out / file).write_text(cp.stdout, encoding="utf-8")
        shown = command.removesuffix(" 2>&1").removesuffix(" 2>/dev/null")
        manifest.append({"file": file, "command": shown, "exit": cp.returncode, "shows": what})
    (out / "captures.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return 0


def capture(engine: Engine, out: Path = OUT, log=print) -> float:
    """Capture into `out`; returns the seconds it took."""
    if os.geteuid() != 0:
        raise CaptureError("capturing runs Podman as root: sudo env PYTHONPATH=scripts python3 -m course podman")
    if missing_packages():
        raise CaptureError(f"{', '.join(missing_packages())} missing: run `python -m course podman --install`")
    start = time.monotonic()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    made = [Path(f) for f in HIDDEN if not Path(f).exists()]  # mount points made here, removed after
    try:
        (WORK / "containers.conf").write_text(_containers_conf(), encoding="utf-8")
        (WORK / "storage.conf").write_text(STORAGE_CONF, encoding="utf-8")
        podman_docker_script(WORK)
        for image in IMAGES:
            engine.run_cmd("image", "save", "-o", str(WORK / f"{image.replace(':', '_')}.tar"), image, timeout=300)
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("*.json"):
            old.unlink()
        for old in out.glob("*.txt"):
            old.unlink()
        inner = [sys.executable, "-m", "course", "podman", "--inside", str(WORK), "--out", str(out)]
        cp = subprocess.run(
            ["unshare", "-n", "-m", "--propagation", "private", *inner],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT / "scripts")},
        )
        if cp.returncode != 0:
            raise CaptureError("the capture failed (the command and its output are above)")
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
        for folder in made:
            with contextlib.suppress(OSError):
                folder.rmdir()
    seconds = time.monotonic() - start
    log(f"captured {len(list(out.glob('*.*')))} files into {out} in {seconds:.1f} s")
    return seconds


def recorded(out: Path = OUT) -> dict:
    """What recorded the data: written next to it as recorded.json."""
    version = json.loads((out / "version.json").read_text(encoding="utf-8"))["Client"]
    query = ["dpkg-query", "-W", "-f", "${Package} ${Version}\n", *PACKAGES, "conmon", "containernetworking-plugins"]
    packages = dict(line.split(" ", 1) for line in subprocess.check_output(query, text=True).splitlines())
    return {
        "podman": version["Version"],
        "debian": Path("/etc/debian_version").read_text().strip(),
        "packages": packages,
        "date": datetime.date.today().isoformat(),
    }


def _cmd(args) -> int:
    if args.inside:
        return _inside(Path(args.inside), Path(args.out))
    try:
        if args.install:
            install()
        engine = engine_or_exit()
        capture(engine, Path(args.out))
        meta = recorded(Path(args.out))
        (Path(args.out) / "recorded.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    except CaptureError as exc:
        print(f"podman: {exc}", file=sys.stderr)
        return 1
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("podman", help="capture Podman's output for the labs' states into tests/data/podman")
    p.add_argument("--install", action="store_true", help=f"install {' and '.join(PACKAGES)} first (root)")
    p.add_argument("--out", default=str(OUT), help="where to write the captures")
    p.add_argument("--inside", help=argparse.SUPPRESS)
    p.set_defaults(func=_cmd)
