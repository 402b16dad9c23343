"""The course as a container image (the root Dockerfile), and its Content-Security-Policy.

``python -m course image``  builds the image (tag docker-basics:latest) with
    BuildKit: first the base images the Dockerfile names (pulled, or local
    stand-ins: ``python -m course baseimages``), then the three stages.
``python -m course csp SITE``  prints the nginx line that sends the
    Content-Security-Policy for a built site; the Dockerfile runs it after the
    build (see "Content-Security-Policy" below).

Certificates: where HTTPS goes through a proxy that re-signs it, pip and npm in
the build need the proxy's CA. The CA bundle the host trusts (the file named by
DOCKER_BASICS_BUILD_CA, PIP_CERT, SSL_CERT_FILE or REQUESTS_CA_BUNDLE, else
/etc/ssl/certs/ca-certificates.crt) is handed to the build as the BuildKit
secret ``ca``: mounted for the download steps only, never stored in a layer.
Where there is no such proxy this changes nothing: the host's bundle holds the
same public CAs as pip's and Node's own. Without any bundle the build runs
exactly as a learner's `docker build .`.

Content-Security-Policy
-----------------------
Material writes small inline scripts into every page (reading the colour
palette and tabs from localStorage, the site's base address; ours adds the
vendored-library addresses). Instead of allowing every inline script
(``'unsafe-inline'``), the policy lists the SHA-256 hash of each distinct inline
script of the built site: a script injected into a page does not match and
does not run. Styles keep ``'unsafe-inline'``: Mermaid writes a ``<style>``
element into every diagram it draws, at run time, so its text cannot be
hashed in advance; injected CSS cannot run code.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TAG = "docker-basics:latest"
CA_VARIABLES = ("DOCKER_BASICS_BUILD_CA", "PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
SYSTEM_CA = "/etc/ssl/certs/ca-certificates.crt"  # Debian and Ubuntu

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}

POLICY = [
    "default-src 'self'",
    "script-src 'self' {hashes}",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]


# --------------------------------------------------------------------------- CSP
def inline_scripts(html: str) -> list[str]:
    """Texts of the inline scripts a browser runs (JSON data blocks and src= scripts left out)."""
    found = []
    for attributes, text in _SCRIPT.findall(html):
        if re.search(r"\ssrc\s*=", " " + attributes, re.I):
            continue
        kind = re.search(r"""\stype\s*=\s*["']?([^"'\s>]+)""", " " + attributes, re.I)
        if (kind.group(1).lower() if kind else "") not in _JS_TYPES:
            continue
        # Browsers turn CR LF and CR into LF before they read a page.
        found.append(text.replace("\r\n", "\n").replace("\r", "\n"))
    return found


def script_hashes(site_dir: Path) -> list[str]:
    """'sha256-…' sources for every distinct inline script in the site's HTML files."""
    hashes = set()
    for page in sorted(site_dir.rglob("*.html")):
        for text in inline_scripts(page.read_text(encoding="utf-8")):
            digest = hashlib.sha256(text.encode("utf-8")).digest()
            hashes.add(f"'sha256-{base64.b64encode(digest).decode()}'")
    return sorted(hashes)


def policy(site_dir: Path) -> str:
    hashes = script_hashes(site_dir)
    return "; ".join(POLICY).format(hashes=" ".join(hashes)).replace("  ", " ")


def nginx_csp(site_dir: Path) -> str:
    return (
        "# Written by `python -m course csp` when the image was built: the hashes of\n"
        "# the site's inline scripts. Included by security-headers.conf.\n"
        f'add_header Content-Security-Policy "{policy(site_dir)}" always;\n'
    )


# --------------------------------------------------------------------------- image
def build_ca() -> str | None:
    """The CA bundle the host trusts (the first of CA_VARIABLES naming a file, else the system's)."""
    for name in CA_VARIABLES:
        value = os.environ.get(name)
        if value and Path(value).is_file():
            return value
    return SYSTEM_CA if Path(SYSTEM_CA).is_file() else None


def dockerfile_images(root: Path = ROOT) -> list[str]:
    from course.baseimages import dockerfile_from_images

    return dockerfile_from_images((root / "Dockerfile").read_text(encoding="utf-8"))


def build_image(
    engine, tag: str = DEFAULT_TAG, *, root: Path = ROOT, labels=(), build_args=None, log=print, timeout: float = 1800
):
    """Ensure the base images, then build root/Dockerfile as `tag`. Returns the BuildResult.

    Raises DockerError (with the build log's tail) if the build fails.
    """
    from course import baseimages

    baseimages.ensure(engine, dockerfile_images(root), log=log)
    ca = build_ca()
    log(f"$ docker build -t {tag} {root}" + (f"   (CA for pip/npm from {ca})" if ca else ""))
    return engine.build(
        root,
        tag,
        build_args=build_args,
        labels=labels,
        secrets={"ca": ca} if ca else None,
        timeout=timeout,
    )


# --------------------------------------------------------------------------- commands
def _cmd_image(args) -> int:
    from course.engine import DockerError, engine_or_exit

    engine = engine_or_exit()
    try:
        result = build_image(engine, args.tag, log=lambda m: print(m, flush=True))
    except (DockerError, RuntimeError) as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    size = engine.image_size(args.tag)
    print(
        f"built {args.tag} in {result.seconds:.0f}s ({size / 1e6:.0f} MB)\n"
        f"run it:  docker run --rm -p 8080:8080 {args.tag}   then open http://localhost:8080/"
    )
    return 0


def _cmd_csp(args) -> int:
    site_dir = Path(args.site_dir)
    if not (site_dir / "index.html").is_file():
        print(f"{site_dir} holds no built site (index.html missing)", file=sys.stderr)
        return 1
    sys.stdout.write(nginx_csp(site_dir))
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("image", help="build the course's container image (root Dockerfile)")
    p.add_argument("--tag", default=DEFAULT_TAG, help=f"image tag (default: {DEFAULT_TAG})")
    p.set_defaults(func=_cmd_image)
    p = subparsers.add_parser("csp", help="print the nginx Content-Security-Policy line for a built site")
    p.add_argument("site_dir", help="folder of the built site")
    p.set_defaults(func=_cmd_csp)
