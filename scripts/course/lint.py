"""The fast quality gates: pinned, well-kept linters with the project's settings.

``python -m course.lint [GATE ...]`` (``make lint``) runs them all, or the ones
named, and prints each tool's own messages (file:line: rule: text).  The tests
call the same functions, also on a copy of the project with a planted fault
(tests/test_faults.py), so a gate is defined once, here.

Gates and their settings:

* ``markdown``  PyMarkdown (``.pymarkdown.yml``) on pages, example READMEs, repo docs
* ``spelling``  codespell (``.codespellrc``, word list ``.codespell-words.txt``), plus
  the pages again with the en-GB_to_en-US dictionary
* ``dockerfiles`` hadolint (``.hadolint.yaml``) on every Dockerfile
* ``shell``     ShellCheck on ``.ci/run`` and every ``*.sh``
* ``python``    ruff check and ruff format --check (``ruff.toml``)
* ``workflows`` check-jsonschema and zizmor (``zizmor.yml``) on .github/workflows
* ``imports``   import-linter (``.importlinter``): the helpers' layers that CONTRIBUTING.md
  describes, no import cycle in scripts/course or hooks/, what the MkDocs hooks import
* ``links``     LinkChecker (``.linkcheckerrc``) on a built site, served locally:
  internal links and #anchors in the HTML (not in ``make lint``: it needs a build;
  ``python -m course.lint links`` builds one; ``--external`` adds links to other
  sites: the weekly workflow runs that, pull requests never do)
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import html.parser
import http.server
import importlib.metadata
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from course.baseimages import CACHE
from course.doctor import tool  # each tool from the project's environment, never from elsewhere

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".git", ".venv", "node_modules", "site", "site-offline", "vendor", "output", "__pycache__", "tools"}
DOCKERFILE = re.compile(r"(^|[./-])Dockerfile([./-].*)?$|\.dockerfile$", re.I)


@dataclass
class Result:
    gate: str
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def walk(root: Path, *tops: str, match: Callable[[Path], bool]) -> list[Path]:
    """Files under `tops` (relative to root) that `match`, skipping generated and third-party folders."""
    found = []
    for top in tops:
        start = root / top
        if start.is_file():
            found += [start] if match(start) else []
            continue
        if not start.is_dir():
            continue
        for path in start.rglob("*"):
            if path.is_file() and not SKIP_DIRS & set(path.relative_to(root).parts) and match(path):
                found.append(path)
    return sorted(set(found))


def rel(root: Path, paths: list[Path]) -> list[str]:
    return [str(p.relative_to(root)) for p in paths]


def markdown_files(root: Path) -> list[Path]:
    return walk(root, "docs", "examples", ".github", "README.md", "CONTRIBUTING.md", match=lambda p: p.suffix == ".md")


def page_files(root: Path) -> list[Path]:
    """What readers read: the site's pages and the example READMEs."""
    return walk(root, "docs", "examples", "README.md", "CONTRIBUTING.md", match=lambda p: p.suffix == ".md")


def dockerfiles(root: Path) -> list[Path]:
    return walk(root, "examples", ".devcontainer", match=lambda p: bool(DOCKERFILE.search(p.name))) + sorted(
        p for p in root.glob("*") if p.is_file() and DOCKERFILE.search(p.name)
    )


def shell_scripts(root: Path) -> list[Path]:
    def is_shell(path: Path) -> bool:
        if path.suffix == ".sh":
            return True
        with open(path, "rb") as f:
            first = f.readline(100)
        return first.startswith(b"#!") and bool(re.search(rb"\b(ba|da)?sh\b", first))

    return walk(root, ".ci", "examples", "scripts", match=is_shell)


def run(gate: str, root: Path, *commands: list[str], env: dict[str, str] | None = None) -> Result:
    """Run the commands in `root`; the gate fails if any of them fails. Output is the tools' own."""
    code, output = 0, []
    for command in commands:
        cp = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=600, check=False, env=env)
        code = code or cp.returncode
        text = (cp.stdout + cp.stderr).strip()
        if cp.returncode and text:
            output.append(text)
    return Result(gate, code, "\n".join(output))


# --------------------------------------------------------------------------- gates
# PyMarkdown judges each file on its own, so a file it passed passes again while its text, the
# settings and PyMarkdown's version stay the same: the gate scans only the other files (a scan of
# every file costs 9 CPU-s, and the tests run the gate on copies of the project too).
PASSED_MARKDOWN = CACHE / "markdown-passed"


def markdown_keys(root: Path, files: list[str]) -> dict[str, str]:
    """Each file's key in PASSED_MARKDOWN; none without PyMarkdown's version (nothing is kept)."""
    try:
        version = importlib.metadata.version("pymarkdownlnt")
    except importlib.metadata.PackageNotFoundError:
        return {}
    settings = hashlib.sha256(version.encode() + b"\0" + (root / ".pymarkdown.yml").read_bytes()).digest()
    return {f: hashlib.sha256(settings + f.encode() + b"\0" + (root / f).read_bytes()).hexdigest() for f in files}


def markdown(root: Path = ROOT) -> Result:
    files = rel(root, markdown_files(root))
    keys = markdown_keys(root, files)
    unknown = [f for f in files if f not in keys or not (PASSED_MARKDOWN / keys[f]).exists()]
    if not unknown:
        return Result("markdown", 0, "")
    result = run("markdown", root, [tool("pymarkdown"), "--config", ".pymarkdown.yml", "scan", *unknown])
    if result.ok and keys:
        PASSED_MARKDOWN.mkdir(parents=True, exist_ok=True)
        for f in unknown:
            (PASSED_MARKDOWN / keys[f]).touch()
    return result


def spelling(root: Path = ROOT) -> Result:
    everything = [
        "docs",
        "examples",
        "scripts",
        "hooks",
        "tests",
        "overrides",
        "includes",
        ".github",
        ".ci",
        *[p.name for p in root.glob("*") if p.is_file() and not p.name.startswith(".codespell")],
    ]
    everything = [p for p in everything if (root / p).exists()]
    codespell = [tool("codespell"), "--config", ".codespellrc"]
    return run(
        "spelling",
        root,
        [*codespell, *everything],
        [*codespell, "--builtin", "clear,rare,en-GB_to_en-US", *rel(root, page_files(root))],
    )


def dockerfiles_gate(root: Path = ROOT, files: list[Path] | None = None) -> Result:
    files = dockerfiles(root) if files is None else files
    return run("dockerfiles", root, [tool("hadolint"), "--config", ".hadolint.yaml", "--no-color", *rel(root, files)])


def shell(root: Path = ROOT) -> Result:
    return run("shell", root, [tool("shellcheck"), "--format=gcc", *rel(root, shell_scripts(root))])


def python(root: Path = ROOT) -> Result:
    ruff = tool("ruff")
    return run("python", root, [ruff, "check", "--quiet", "."], [ruff, "format", "--check", "--quiet", "."])


def workflows(root: Path = ROOT) -> Result:
    files = rel(root, sorted((root / ".github" / "workflows").glob("*.yml")))
    return run(
        "workflows",
        root,
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *files],
        [tool("zizmor"), "--offline", "--quiet", "--config", "zizmor.yml", ".github/workflows"],
    )


class _ConsentingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files; the `LinkChecker` header lets LinkChecker send more than 10 requests a second."""

    def end_headers(self):
        self.send_header("LinkChecker", "local test server")
        super().end_headers()

    def log_message(self, *args):
        pass


@contextmanager
def serve_for_linkchecker(site_dir: Path) -> Iterator[str]:
    handler = functools.partial(_ConsentingHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def links(site_dir: Path, root: Path = ROOT, external: bool = False) -> Result:
    """Internal links and #anchors of a built site (any site_url: it is served at its own root).

    external: also the links to other sites (the weekly workflow; never in PR runs)."""
    extra = ["--check-extern"] if external else []
    with serve_for_linkchecker(site_dir) as base:
        command = [tool("linkchecker"), "--config", str(root / ".linkcheckerrc"), "--no-status", *extra, base]
        result = run("links", root, command)
    # Name the page's Markdown file, not the test server's address.
    sources = page_sources(root)
    result.output = re.sub(
        r"^(Parent URL\s+)" + re.escape(base) + r"(\S*?)(,|$)",
        lambda m: f"{m[1]}/{m[2]} ({sources.get(m[2], 'no page')}){m[3]}",
        result.output.replace(base + "'", "/'"),
        flags=re.M,
    ).replace(base, "/")
    missing = missing_anchors(site_dir, sources)
    if missing:
        result.returncode = result.returncode or 1
        result.output += "\n" + "\n".join(missing)
    return result


class _Anchors(html.parser.HTMLParser):
    """The ids of a page and its links (with their lines)."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        self.ids.update(v for k, v in found.items() if v and (k == "id" or (k == "name" and tag == "a")))
        if tag == "a" and found.get("href"):
            self.links.append((found["href"], self.getpos()[0]))


def missing_anchors(site_dir: Path, sources: dict[str, str]) -> list[str]:
    """Links to a #fragment that the target page does not have.

    LinkChecker's own anchor check is off (.linkcheckerrc): it misses anchors now and then
    (linkchecker/linkchecker#542 and #555) and fetches a page once for every anchor linked
    to it. Every internal #fragment is checked here instead."""
    pages = {}
    for file in site_dir.rglob("*.html"):
        parser = _Anchors()
        parser.feed(file.read_text(encoding="utf-8", errors="replace"))
        pages[file.resolve()] = parser
    problems = []
    for file, page in sorted(pages.items()):
        for href, line in page.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.fragment or parts.fragment.startswith("__codelineno"):
                continue
            target = (file.parent / unquote(parts.path)).resolve() if parts.path else file
            if target.is_dir():
                target = target / "index.html"
            if target in pages and unquote(parts.fragment) not in pages[target].ids:
                url = file.parent.relative_to(site_dir.resolve()).as_posix() + "/"
                where = sources.get("" if url == "./" else url, "no page")
                problems.append(f"{url} ({where}), line {line}: {href}: no id `{parts.fragment}` on that page")
    return problems


def page_sources(root: Path) -> dict[str, str]:
    """{site-relative URL: docs/… source} for the pages MkDocs builds from `root`."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    cfg = load_config(str(root / "mkdocs.yml"))
    return {f.url: f"docs/{f.src_uri}" for f in get_files(cfg).documentation_pages()}


# "- course.a -> course.b (l.12, l.30)": the first import of a chain that breaks a contract.
_BROKEN_IMPORT = re.compile(r"^\s*-\s+((?:course|hooks)\.[\w.]+) -> ([\w.]+) \(l\.(\d+)", re.M)


def module_file(root: Path, module: str) -> str:
    """scripts/course/x.py for course.x, hooks/x.py for hooks.x (the hooks are loaded by path)."""
    parts = module.split(".")
    base = (root if parts[0] == "hooks" else root / "scripts") / Path(*parts)
    found = base.with_suffix(".py") if base.with_suffix(".py").is_file() else base / "__init__.py"
    return str(found.relative_to(root))


def imports(root: Path = ROOT) -> Result:
    """lint-imports (.importlinter) on course (scripts/) and hooks/ of `root`; a broken
    contract's imports are named again as file:line."""
    # This tree's helpers (not whichever PYTHONPATH names); wide lines, so that no import is wrapped.
    env = {**os.environ, "PYTHONPATH": str(root / "scripts"), "COLUMNS": "200"}
    result = run("imports", root, [tool("lint-imports"), "--config", ".importlinter", "--no-cache"], env=env)
    if not result.ok:
        found = dict.fromkeys(
            f"{module_file(root, m[1])}:{m[3]}: {m[1]} imports {m[2]}" for m in _BROKEN_IMPORT.finditer(result.output)
        )
        layers = "the layers: CONTRIBUTING.md, How the helpers are layered; the contracts: .importlinter"
        result.output += "\n" + "\n".join([*found, layers])
    return result


GATES: dict[str, Callable[[Path], Result]] = {
    "markdown": markdown,
    "spelling": spelling,
    "dockerfiles": dockerfiles_gate,
    "shell": shell,
    "python": python,
    "workflows": workflows,
    "imports": imports,
}


def build_and_check_links(root: Path = ROOT, external: bool = False) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        cp = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", tmp],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        if cp.returncode:
            return Result("links", cp.returncode, "strict build failed:\n" + cp.stdout + cp.stderr)
        return links(Path(tmp), root, external)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.lint", description=__doc__.split("\n\n")[0])
    parser.add_argument("gates", nargs="*", metavar="GATE", help=f"{', '.join(GATES)}, links (default: all but links)")
    parser.add_argument("--external", action="store_true", help="links: also check links to other sites")
    args = parser.parse_args(argv)
    unknown = set(args.gates) - {*GATES, "links"}
    if unknown:
        parser.error(f"unknown gate(s): {', '.join(sorted(unknown))}")
    failed = []
    for name in args.gates or list(GATES):
        result = build_and_check_links(external=args.external) if name == "links" else GATES[name](ROOT)
        print(f"{'ok  ' if result.ok else 'FAIL'} {name}", flush=True)
        if not result.ok:
            print(result.output or f"(exit status {result.returncode}, no output)")
            failed.append(name)
    print(f"lint: {len(failed)} gate(s) failed{': ' + ', '.join(failed) if failed else ''}")
    return 1 if failed else 0


def register(subparsers) -> None:
    p = subparsers.add_parser("lint", help="run the fast quality gates (markdown, spelling, Dockerfiles, ...)")
    p.add_argument("gates", nargs="*")
    p.add_argument("--external", action="store_true")
    p.set_defaults(func=lambda args: main([*args.gates, *(["--external"] if args.external else [])]))


if __name__ == "__main__":
    sys.exit(main())
