"""Provision the course's own Docker engine: Engine 28 with the containerd image store.

This is machine set-up, not teaching.  With Docker Desktop, or any Docker
Engine 28+ that uses the containerd image store, skip this module: the
course uses the engine that already answers (see course.engine).

Where the machine's own engine is older (Debian 12 ships 20.10), the course
builds one from Debian "forky" packages, pinned in PINS:

* ``debootstrap`` a minimal forky root once, install the pinned docker.io,
  docker-cli, docker-buildx, docker-compose and containerd into it, and cache
  it under ~/.cache/docker-basics/engine/root (reused while PINS match);
* run that root's dockerd inside a private mount namespace (``unshare -m``),
  with the root as its ``/`` (pivot_root) and the host folders in HOST_DIRS at
  their own paths, with the containerd image store and a bounded build history
  (DAEMON_JSON); its socket is SOCKET (and /var/run/docker.sock links to it when
  free), its log LOG, its images persist in DATA;
* at every ``engine up``, restart it if it runs with an older DAEMON_JSON. It prunes no
  build cache: see DAEMON_JSON.

Because the mounts live in a namespace of their own, stopping dockerd
(``python -m course engine down``) leaves nothing mounted on the host.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from course.debian_root import DEBIAN_MIRROR, NO_SERVICE_STARTS, debootstrap

SUITE = "forky"
# Debian 12's debootstrap has no forky script; sid's bootstraps forky fine.
DEBOOTSTRAP_SCRIPT = "sid"
# Exact Debian versions. When one leaves the mirror, `engine up` names it: update it here.
PINS = {
    "docker.io": "28.5.2+dfsg4-5",
    "docker-cli": "28.5.2+dfsg4-5",
    "docker-buildx": "0.29.1+ds1-4",
    "docker-compose": "2.40.3-3",
    "containerd": "2.1.9+ds1-5",
}
UNPINNED = ["iptables", "ca-certificates"]
# forky's Release file is past its Valid-Until on the mirror.
APT_OPTIONS = ["-o", "Acquire::Check-Valid-Until=false"]

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "docker-basics" / "engine"
ROOT_DIR = CACHE / "root"
STAMP = ROOT_DIR / "docker-basics-engine.json"
DATA = CACHE / "data"  # bound at ROOT/var/lib/docker: images survive `down` and a rebuilt root
LOG = CACHE / "dockerd.log"
CLIENT_CONFIG = CACHE / "client"  # DOCKER_CONFIG for the root's CLI: finds its buildx and compose plugins
LOADER_DIR = CACHE / "client-loader"  # wrappers (and DOCKER_CONFIG) that run the root's CLI with its own glibc
PLUGINS = ROOT_DIR / "usr/libexec/docker/cli-plugins"
RUN = Path("/run/docker-basics")
SOCKET = RUN / "docker.sock"
PIDFILE = RUN / "dockerd.pid"
NSFILE = RUN / "mntns"  # the engine's mount namespace: its processes are the ones in it
CONFIG = RUN / "daemon.json"  # under RUN: the engine's namespace sees RUN at the same path
DOCKER_HOST = f"unix://{SOCKET}"
DEFAULT_SOCKET = Path("/var/run/docker.sock")  # a link to SOCKET while the engine is up, if free
# Host folders dockerd sees at their own paths (bind-mount sources, scratch copies in /tmp).
# Other paths resolve inside the forky root: `-v /etc/ssl/certs/...:...` mounts forky's file,
# not the host's; /etc, /usr and /var stay the root's so that dockerd runs on its own system.
HOST_DIRS = ["/tmp", "/var/tmp", "/root", "/home", "/work", "/srv", "/opt", "/mnt", "/media"]
# BuildKit keeps a record of every build for 48 hours, whatever the count, and containerd walks
# all of them (and every build-cache record) on each garbage collection: after a day of test
# runs (about 700 builds each) the engine spent three times the CPU on the same build. Records
# beyond the newest 50 go after an hour here. The build cache is left to BuildKit's own garbage
# collection (48 hours for build contexts, a share of the disk for the rest): on this dockerd
# (28.5.2), a prune that removes any cache record, even one 8 kB build context of another
# folder, makes every later build run all its steps again, so pruning at each `make test` made
# every warm run a cold one.
DAEMON_JSON = {
    "features": {"containerd-snapshotter": True},
    "builder": {"history": {"maxAge": "1h", "maxEntries": 50}},
}
UP_COMMAND = "sudo env PYTHONPATH=scripts python3 -m course engine up"


class ProvisionError(RuntimeError):
    pass


# ---- the root -----------------------------------------------------------------


def root_info() -> dict | None:
    """What the cached root holds (pins, build date), or None when there is none."""
    try:
        return json.loads(STAMP.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _runs_on_host(binary: Path) -> bool:
    try:
        return subprocess.run([binary, "--version"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def loader_wrappers() -> tuple[Path, Path]:
    """Scripts that run the root's CLI and plugins with the root's own dynamic loader and
    libraries: for a root whose binaries need a newer glibc than the host has."""
    libs = f"{ROOT_DIR}/lib/x86_64-linux-gnu:{ROOT_DIR}/usr/lib/x86_64-linux-gnu"
    loader = ROOT_DIR / "lib64/ld-linux-x86-64.so.2"
    plugin_dir = LOADER_DIR / "cli-plugins"
    plugin_dir.mkdir(parents=True, exist_ok=True)
    targets = [(ROOT_DIR / "usr/bin/docker", LOADER_DIR / "docker")]
    targets += [(p, plugin_dir / p.name) for p in sorted(PLUGINS.iterdir())]
    for target, wrapper in targets:
        wrapper.write_text(f'#!/bin/sh\nexec "{loader}" --library-path "{libs}" "{target}" "$@"\n')
        wrapper.chmod(0o755)
    return LOADER_DIR / "docker", plugin_dir


def client_paths(use_loader: bool | None = None) -> dict[str, Path] | None:
    """The root's docker CLI and its plugin folder, when the root is built.

    Debian's binaries run on the host's glibc when it is new enough (forky's docker 28.5.2
    needs GLIBC_2.34; Debian 12 has 2.36); otherwise they run through loader_wrappers()."""
    if root_info() is None:
        return None
    docker = ROOT_DIR / "usr/bin/docker"
    if use_loader is None:
        use_loader = not _runs_on_host(docker)
    if use_loader:
        docker, plugins = loader_wrappers()
        return {"docker": docker, "plugins": plugins}
    return {"docker": docker, "plugins": PLUGINS}


def client_env(plugins: Path | None = None) -> dict[str, str]:
    """Environment that lets the root's CLI find its plugins (its own DOCKER_CONFIG)."""
    config_dir = CLIENT_CONFIG if plugins in (None, PLUGINS) else plugins.parent
    config_dir.mkdir(parents=True, exist_ok=True)
    config = config_dir / "config.json"
    want = {"cliPluginsExtraDirs": [str(plugins or PLUGINS)]}
    if not config.is_file() or json.loads(config.read_text() or "{}") != want:
        config.write_text(json.dumps(want, indent=2) + "\n")
    return {"DOCKER_CONFIG": str(config_dir)}


def _run(cmd: list[str], what: str, timeout: float = 900) -> str:
    cp = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    if cp.returncode != 0:
        tail = "\n".join(cp.stdout.rstrip().splitlines()[-15:])
        raise ProvisionError(f"{what} failed (exit {cp.returncode}):\n{tail}")
    return cp.stdout


def _in_root(root: Path, shell: str, what: str) -> str:
    """Run `shell` chrooted in `root` with /proc, /sys and /dev mounted, in a private mount namespace."""
    script = f"""set -e
mount -t proc proc '{root}/proc'
mount --rbind /sys '{root}/sys'
mount --rbind /dev '{root}/dev'
exec chroot '{root}' /bin/sh -c "$1"
"""
    return _run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", shell], what)


def build_root(log=print) -> bool:
    """Build the forky root unless the cached one has PINS. Returns True when it built one."""
    info = root_info()
    if info and info.get("pins") == PINS:
        return False
    for tool in ("debootstrap", "unshare", "chroot"):
        if shutil.which(tool) is None:
            raise ProvisionError(f"{tool} is missing: apt-get install debootstrap util-linux coreutils")
    work = CACHE / "root.new"
    shutil.rmtree(work, ignore_errors=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    log(f"debootstrap {SUITE} into {work} from {DEBIAN_MIRROR} ...")
    debootstrap(SUITE, work, lambda command: _run(command, f"debootstrap {SUITE}", timeout=1800), DEBOOTSTRAP_SCRIPT)
    apt = "apt-get " + " ".join(APT_OPTIONS)
    _in_root(work, f"{apt} update -q", f"apt-get update in the {SUITE} root")
    # Say which pinned version is gone before apt fails with a page of text.
    available = _in_root(work, "apt-cache madison " + " ".join(PINS), "apt-cache madison")
    for package, version in PINS.items():
        if not any(
            line.split("|")[0].strip() == package and line.split("|")[1].strip() == version
            for line in available.splitlines()
            if line.count("|") >= 2
        ):
            raise ProvisionError(
                f"{package} {version} is no longer on {DEBIAN_MIRROR} ({SUITE}): "
                f"update PINS in scripts/course/provision_engine.py"
            )
    packages = " ".join(f"{p}={v}" for p, v in PINS.items()) + " " + " ".join(UNPINNED)
    _in_root(
        work,
        # No init system in the root: tell maintainer scripts not to start services.
        f"{NO_SERVICE_STARTS} && DEBIAN_FRONTEND=noninteractive {apt} install -y -q --no-install-recommends {packages}"
        " && apt-get clean && rm -rf /var/lib/apt/lists/*",
        "apt-get install " + packages,
    )
    (work / STAMP.name).write_text(
        json.dumps(
            {
                "suite": SUITE,
                "mirror": DEBIAN_MIRROR,
                "pins": PINS,
                "built": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "seconds": round(time.monotonic() - start, 1),
            },
            indent=2,
        )
        + "\n"
    )
    shutil.rmtree(ROOT_DIR, ignore_errors=True)
    work.rename(ROOT_DIR)
    log(f"built the {SUITE} root in {time.monotonic() - start:.1f} s: {ROOT_DIR}")
    return True


# ---- the daemon -----------------------------------------------------------------


def ping(sock: Path = SOCKET, timeout: float = 2) -> bool:
    """True when an engine answers GET /_ping on the unix socket."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(sock))
            s.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            return s.recv(64).split(b"\r\n")[0].endswith(b" 200 OK")
    except OSError:
        return False


def _pid(pidfile: Path = PIDFILE) -> int | None:
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    # After a kill -9 (CI ends a session's processes) the number may belong to another process now.
    try:
        return pid if Path(f"/proc/{pid}/comm").read_text().strip() == "dockerd" else None
    except OSError:
        return None


def _processes_in_root(nsfile: Path = NSFILE) -> list[int]:
    """A daemon's processes (dockerd, containerd, shims): those in dockerd's mount namespace."""
    try:
        ns = nsfile.read_text().strip()
    except OSError:
        return []
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if os.readlink(proc / "ns/mnt") == ns:
                    pids.append(int(proc.name))
            except OSError:
                pass
    return pids


@dataclasses.dataclass(frozen=True)
class Daemon:
    """Where one dockerd of the root keeps its state: the course's engine (ENGINE) or another
    beside it (course.classic_engine). Each runs in a mount namespace of its own, so its
    /run (exec-root, containerd's sockets) is its own; `data` is bound at /var/lib/docker there."""

    name: str
    socket: Path
    pidfile: Path
    nsfile: Path
    data: Path
    log: Path
    args: tuple[str, ...] = ()  # more dockerd options
    # A network namespace of its own too: a dockerd started with `--bridge none` deletes the
    # host's docker0 (libnetwork removes the default bridge it is told not to use), which
    # would cut off the course's engine beside it.
    own_network: bool = False

    @property
    def host(self) -> str:
        return f"unix://{self.socket}"


ENGINE = Daemon("engine", SOCKET, PIDFILE, NSFILE, DATA, LOG, ("--config-file", str(CONFIG)))


def launch(daemon: Daemon, timeout: float = 90) -> float:
    """Start `daemon`'s dockerd from the root; returns the seconds until it answered."""
    daemon.data.mkdir(parents=True, exist_ok=True)
    RUN.mkdir(parents=True, exist_ok=True)
    daemon.socket.unlink(missing_ok=True)
    if _pid(daemon.pidfile) is None:  # a stale pid file makes dockerd refuse to start
        daemon.pidfile.unlink(missing_ok=True)
    shutil.copy2("/etc/resolv.conf", ROOT_DIR / "etc/resolv.conf")
    r = str(ROOT_DIR)
    # pivot_root, not chroot: `docker exec` joins a container's mount namespace, whose root
    # must be the forky root (after a chroot it would be the host's /).  Host folders that
    # bind mounts (`-v "$(pwd)/data:/data"`) and build tools name keep their host paths.
    host_dirs = " ".join(d for d in HOST_DIRS if Path(d).is_dir())
    dockerd = shlex.join(["/usr/sbin/dockerd", "-H", daemon.host, "--pidfile", str(daemon.pidfile), *daemon.args])
    loopback = "ip link set lo up\n" if daemon.own_network else ""
    script = f"""set -e
{loopback}mount --rbind '{r}' '{r}'
mount -t proc proc '{r}/proc'
mount --rbind /sys '{r}/sys'
mount --rbind /dev '{r}/dev'
mount -t tmpfs tmpfs '{r}/run'
mkdir -p '{r}{RUN}' '{r}/var/lib/docker' '{r}/.host'
mount --bind '{RUN}' '{r}{RUN}'
mount --bind '{daemon.data}' '{r}/var/lib/docker'
for d in {host_dirs}; do mkdir -p "{r}$d"; mount --rbind "$d" "{r}$d"; done
cd '{r}'
pivot_root . .host
umount -l /.host
exec {dockerd}
"""
    started = time.monotonic()
    with open(daemon.log, "ab") as out:
        out.write(f"\n==== {daemon.name} up {datetime.datetime.now().isoformat(timespec='seconds')} ====\n".encode())
        out.flush()
        proc = subprocess.Popen(
            ["unshare", "-m", *(["-n"] if daemon.own_network else []), "--propagation", "private", "sh", "-c", script],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    while time.monotonic() - started < timeout:
        if ping(daemon.socket):
            daemon.nsfile.write_text(os.readlink(f"/proc/{proc.pid}/ns/mnt"))
            return time.monotonic() - started
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    tail = "\n".join(daemon.log.read_text(errors="replace").splitlines()[-15:])
    if proc.poll() is None:
        proc.terminate()
    raise ProvisionError(
        f"dockerd did not answer on {daemon.socket} within {timeout:.0f} s; {daemon.log} ends:\n{tail}"
    )


def start(log=print, timeout: float = 90) -> float:
    """Start the course's dockerd from the root; returns the seconds until it answered."""
    RUN.mkdir(parents=True, exist_ok=True)
    CONFIG.write_text(_config_text(), encoding="utf-8")
    seconds = launch(ENGINE, timeout)
    _link_default_socket()
    return seconds


def _link_default_socket() -> None:
    """Make /var/run/docker.sock lead to this engine when no other engine has it, so commands
    the pages teach (`curl --unix-socket /var/run/docker.sock`, `docker` without DOCKER_HOST) work."""
    if not DEFAULT_SOCKET.exists() and not DEFAULT_SOCKET.is_symlink():
        DEFAULT_SOCKET.symlink_to(SOCKET)


def _unlink_default_socket() -> None:
    if DEFAULT_SOCKET.is_symlink() and os.readlink(DEFAULT_SOCKET) == str(SOCKET):
        DEFAULT_SOCKET.unlink()


def halt(daemon: Daemon, log=print, timeout: float = 60) -> bool:
    """Stop `daemon`'s dockerd (it stops its containers and containerd first). False when it was not running."""
    pid = _pid(daemon.pidfile)
    if pid is None and not _processes_in_root(daemon.nsfile):
        return False
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (_pid(daemon.pidfile) is not None or _processes_in_root(daemon.nsfile)):
        time.sleep(0.1)
    left = _processes_in_root(daemon.nsfile)
    for p in left:  # only processes running in this daemon's own namespace
        os.kill(p, signal.SIGKILL)
    if left:
        log(f"killed {len(left)} process(es) that outlived dockerd: {left}")
    for f in (daemon.socket, daemon.pidfile, daemon.nsfile):
        f.unlink(missing_ok=True)
    mounted = [line for line in Path("/proc/self/mountinfo").read_text().splitlines() if str(ROOT_DIR) in line]
    if mounted:
        raise ProvisionError(f"still mounted after stop: {mounted[0]}")
    return True


def stop(log=print, timeout: float = 60) -> bool:
    """Stop the course's dockerd. False when it was not running."""
    try:
        return halt(ENGINE, log, timeout)
    finally:
        _unlink_default_socket()


# ---- commands ---------------------------------------------------------------------


def _need_root(action: str) -> bool:
    if os.geteuid() == 0:
        return True
    verb = UP_COMMAND if action == "up" else UP_COMMAND.replace(" up", f" {action}")
    print(f"`engine {action}` needs root (it runs dockerd): {verb}", file=sys.stderr)
    return False


def is_course_engine(host: str) -> bool:
    """Whether the Docker host `host` (unix://PATH) is this engine's socket, or a link to it."""
    return host.startswith("unix://") and os.path.realpath(host.removeprefix("unix://")) == str(SOCKET)


def _config_text() -> str:
    return json.dumps(DAEMON_JSON, indent=2) + "\n"


def config_is_current() -> bool:
    """Whether the running engine was started with today's DAEMON_JSON."""
    try:
        return CONFIG.read_text(encoding="utf-8") == _config_text()
    except OSError:
        return False


def up() -> int:
    current = config_is_current()
    if ping() and (current or os.geteuid() != 0):
        print(f"engine already up: {DOCKER_HOST} (log: {LOG})")
        if not current:
            print(f"it runs with an older {CONFIG.name}; to restart it with today's: {UP_COMMAND}")
            return 0
        return _linked()
    if not _need_root("up"):
        return 1
    try:
        if ping():
            print(f"engine up with an older {CONFIG.name}: restarting it")
        t0 = time.monotonic()
        if build_root():
            print(f"root built in {time.monotonic() - t0:.1f} s")
        else:
            print(f"reusing the {SUITE} root in {ROOT_DIR} (pins match)")
        if _pid() or _processes_in_root():
            stop()
        seconds = start()
    except ProvisionError as exc:
        print(f"engine up: {exc}", file=sys.stderr)
        return 1
    print(f"engine up in {seconds:.1f} s: DOCKER_HOST={DOCKER_HOST}\nlog: {LOG}")
    return _linked()


def _linked() -> int:
    if os.geteuid() == 0:
        _link_default_socket()
    return 0


def down() -> int:
    if not _pid() and not _processes_in_root():
        print("engine is not running")
        return 0
    if not _need_root("down"):
        return 1
    try:
        stop()
    except ProvisionError as exc:
        print(f"engine down: {exc}", file=sys.stderr)
        return 1
    print("engine stopped; nothing of it is running or mounted")
    return 0
