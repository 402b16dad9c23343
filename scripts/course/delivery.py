"""Ways to take the course away: an offline zip and one PDF.

``python -m course offline``  builds the offline site (mkdocs.offline.yml, as
    `make build-offline`) and zips it to dist/docker-basics-offline.zip: one
    folder, docker-basics-offline/, whose index.html opens from file:// with no
    network.
``python -m course pdf``  builds the print variant (mkdocs.print.yml: the
    whole course as one page, by mkdocs-print-site-plugin), opens it in headless
    Chromium, waits until every Mermaid diagram is drawn and prints it to
    dist/docker-basics.pdf (table of contents, numbered headings, internal
    links, PDF outline).

Both write to a temporary name beside the result and rename it at the end; an
existing result is removed first, so a failed build (its own error printed as
it comes) leaves no file behind that could pass for a fresh one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OFFLINE_ZIP = "dist/docker-basics-offline.zip"
ZIP_FOLDER = "docker-basics-offline"
PDF = "dist/docker-basics.pdf"

README = """Docker Basics, for reading offline
==================================

Open index.html (in this folder) in your web browser. Everything the course
needs is in this folder: it works with no network. Search, diagrams and
copying code work as on the web site.

Firefox keeps the results of each page's quiz and lab on that page only when
it opens the course from a file. For one progress for the whole course, serve
this folder instead: in it, run

    python3 -m http.server 8000      (Windows: py -m http.server 8000)

and open http://localhost:8000/ (the page "Your progress" says more).
"""

DIAGRAM = re.compile(r'<div [^>]*\bclass="diagram"')  # drawn at build time (scripts/course/diagrams.py)


class BuildFailed(RuntimeError):
    pass


def mkdocs_build(project: Path, config: str, site_dir: Path) -> None:
    """A strict MkDocs build; its output goes straight to ours (the build's own error, if any)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", config, "--site-dir", str(site_dir)]
    print("$ " + " ".join(["mkdocs"] + cmd[3:]), flush=True)
    result = subprocess.run(cmd, cwd=project, env=env)
    if result.returncode != 0:
        raise BuildFailed(f"the strict build with {config} failed (exit {result.returncode}), see above")


def _fresh_target(output: Path) -> Path:
    """Remove an old result; return the temporary path to write to."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.unlink(missing_ok=True)
    return output.with_name(f".{output.name}.{os.getpid()}.tmp")


# --------------------------------------------------------------------------- offline zip
def zip_site(site_dir: Path, output: Path, folder: str = ZIP_FOLDER) -> int:
    """Zip `site_dir` into `output` under `folder`/; returns the number of files."""
    tmp = _fresh_target(output)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    files = sorted(p for p in site_dir.rglob("*") if p.is_file())
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            entries = [(f"{folder}/README.txt", README.encode(), None)]
            entries += [(f"{folder}/{p.relative_to(site_dir).as_posix()}", None, p) for p in files]
            for name, data, path in entries:
                stamp = float(epoch) if epoch else (path.stat().st_mtime if path else time.time())
                info = zipfile.ZipInfo(name, date_time=time.localtime(max(stamp, 315532800))[:6])
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data if data is not None else path.read_bytes(), compresslevel=9)
        tmp.rename(output)
    finally:
        tmp.unlink(missing_ok=True)
    return len(files) + 1


def make_offline(project: Path, output: Path, site_dir: Path | None = None) -> int:
    output.unlink(missing_ok=True)
    site_dir = site_dir or project / "site-offline"
    mkdocs_build(project, "mkdocs.offline.yml", site_dir)
    count = zip_site(site_dir, output)
    print(
        f"wrote {output} ({count} files, {output.stat().st_size / 1e6:.1f} MB): "
        f"unzip it and open {ZIP_FOLDER}/index.html"
    )
    return 0


# --------------------------------------------------------------------------- PDF
def print_pdf(site_dir: Path, output: Path, *, timeout: float = 60) -> dict:
    """Print site_dir/print_page/ to `output`; returns {"diagrams": n, "seconds": s}."""
    from course import browser, webserver

    page_file = site_dir / "print_page" / "index.html"
    if not page_file.is_file():
        raise BuildFailed(f"{page_file} is missing: is print-site enabled in mkdocs.print.yml?")
    html = page_file.read_text(encoding="utf-8")
    expected = len(DIAGRAM.findall(html))
    # The print page addresses the site from the path of site_url (e.g.
    # /docker-basics/), as 404.html does: serve it under that path.
    match = re.search(r'"base": "(/[^"]*)"', html)
    prefix = match.group(1).strip("/") if match else ""
    root = Path(tempfile.mkdtemp(prefix="docker-basics-serve-"))
    if prefix:
        (root / prefix).parent.mkdir(parents=True, exist_ok=True)
        (root / prefix).symlink_to(site_dir.resolve(), target_is_directory=True)
    else:
        root.rmdir()
        root = site_dir
    tmp = _fresh_target(output)
    start = time.monotonic()
    try:
        with webserver.serve(root) as server, browser.chromium() as chromium:
            base = server + (prefix + "/" if prefix else "")
            context = chromium.new_context(viewport={"width": 1100, "height": 1400}, color_scheme="light")
            context.add_init_script(browser.INIT_SCRIPT)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            browser.navigate(page, base + "print_page/", wait_until="load")
            drawn = browser.wait_for_diagrams(page, expected, timeout=timeout)
            if drawn < expected:
                raise RuntimeError(f"only {drawn} of {expected} Mermaid diagrams were drawn on the print page")
            if errors:
                raise RuntimeError("the print page logged errors: " + "; ".join(errors))
            page.emulate_media(media="print", color_scheme="light")
            page.wait_for_timeout(300)
            # Page size, margins and page numbers come from print-site's CSS (@page).
            page.pdf(path=str(tmp), prefer_css_page_size=True, print_background=True, outline=True, tagged=True)
            context.close()
        tmp.rename(output)
    finally:
        tmp.unlink(missing_ok=True)
        if root != site_dir:
            shutil.rmtree(root, ignore_errors=True)  # the symlink, not the site
    return {"diagrams": expected, "seconds": time.monotonic() - start}


def make_pdf(project: Path, output: Path, site_dir: Path | None = None) -> int:
    output.unlink(missing_ok=True)
    keep = site_dir is not None
    site_dir = site_dir or Path(tempfile.mkdtemp(prefix="docker-basics-print-"))
    try:
        mkdocs_build(project, "mkdocs.print.yml", site_dir)
        info = print_pdf(site_dir, output)
    finally:
        if not keep:
            shutil.rmtree(site_dir, ignore_errors=True)
    print(
        f"wrote {output} ({output.stat().st_size / 1e6:.1f} MB, {info['diagrams']} diagrams, "
        f"printed in {info['seconds']:.1f}s)"
    )
    return 0


# --------------------------------------------------------------------------- commands
def _run(make, default_output: str):
    def command(args) -> int:
        project = Path(args.project).resolve()
        output = Path(args.output) if args.output else project / default_output
        try:
            site_dir = Path(args.site_dir).resolve() if args.site_dir else None
            return make(project, output.resolve(), site_dir)
        except BuildFailed as exc:
            print(f"FAILED: {exc}", file=sys.stderr)
            return 1
        except Exception as exc:  # noqa: BLE001 - a readable message, and a non-zero exit
            print(f"FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1

    return command


def register(subparsers) -> None:
    for name, make, output, text in (
        ("offline", make_offline, OFFLINE_ZIP, "build the offline site and zip it (for file://)"),
        ("pdf", make_pdf, PDF, "print the whole course to one PDF (headless Chromium)"),
    ):
        p = subparsers.add_parser(name, help=text)
        p.add_argument("--project", default=str(ROOT), help="project folder (default: this repository)")
        p.add_argument("--output", help=f"result file (default: {output} in the project)")
        p.add_argument(
            "--site-dir",
            help="where to build the site (default: "
            + ("site-offline/ in the project" if name == "offline" else "a temporary folder")
            + ")",
        )
        p.set_defaults(func=_run(make, output))
