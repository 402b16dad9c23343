"""Build the site the way `make build` does, into any folder (also a copy of the project)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What a copy of the project needs to build the site.
SITE_SOURCES = [
    "mkdocs.yml",
    "mkdocs.offline.yml",
    "mkdocs.print.yml",
    "Dockerfile",
    "docs",
    "hooks",
    "overrides",
    "includes",
    "examples",
    "scripts",  # mkdocs.yml's diagram formatter (course.diagrams)
]


@dataclass
class Build:
    returncode: int
    log: str
    site_dir: Path

    @property
    def warnings(self) -> list[str]:
        return [line for line in self.log.splitlines() if line.startswith(("WARNING", "ERROR"))]


def build(
    project: Path = ROOT, site_dir: Path | None = None, config: str = "mkdocs.yml", site_url: str | None = None
) -> Build:
    """Run a strict build of `project`; never raises on a failed build."""
    site_dir = site_dir or project / "site"
    # mkdocs.yml names the diagram formatter course.diagrams.fence (scripts/), as make does.
    python_path = os.pathsep.join(filter(None, [str(ROOT / "scripts"), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": python_path}
    if site_url:
        env["SITE_URL"] = site_url
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", config, "--site-dir", str(site_dir)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return Build(result.returncode, result.stdout + result.stderr, site_dir)


def copy_project(destination: Path) -> Path:
    """Copy what the site is built from, to plant a fault without touching the work tree."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in SITE_SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, destination / name)
    return destination


@dataclass(frozen=True)
class Page:
    source: str  # docs/… path, for messages
    url: str  # site-relative URL, e.g. "concepts/architecture/"
    dest: str  # site-relative file, e.g. "concepts/architecture/index.html"


def site_pages(config: str = "mkdocs.yml") -> list[Page]:
    """Every page MkDocs builds, from its own view of docs/ (excluded files left out)."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    cfg = load_config(str(ROOT / config))
    if config == "mkdocs.offline.yml":
        cfg.use_directory_urls = False  # what the offline plugin sets at build time
    files = get_files(cfg)
    return [Page(f"docs/{f.src_uri}", f.url, f.dest_uri) for f in files.documentation_pages()]
