"""`make bench`: how fast the course builds and how light and quick its pages are.

A benchmark that prints figures, not a test: it never fails on a budget, it
reports pass/fail beside each figure. What it measures:

* the strict build (``mkdocs build --strict``, as `make build`): median of 5
  runs, per page, and what drawing diagrams at
  build time adds (against the same build leaving them to the browser,
  COURSE_DIAGRAMS=browser, as the site was built before);
* a cold render of every diagram (light and dark, one Chromium), as `make
  diagrams` draws them into an empty folder;
* served as readers get it, compressed: by default from the course image
  (``python -m course image``: nginx with gzip and the production headers);
  ``--server local`` serves a fresh build with a small gzip-capable server
  instead, where Docker is missing;
* every page from a cold cache: compressed bytes, everything the browser
  fetched until the network was idle; by type for the home page and the two
  heaviest diagram pages; and that no page fetches the search index before the
  reader turns to search (overrides/partials/search-on-demand.html);
* that no page loads mermaid.js (diagrams are drawn at build time);
* layout shift (CLS) on every page with diagrams;
* Lighthouse 12 (tools/lighthouse, installed with ``npm ci`` on first use),
  mobile preset, on the home page and every page with a diagram; desktop
  preset on the home page and the two heaviest diagram pages: the worse of
  ``--runs`` runs (2 by default) for each score. Scores depend on how busy the
  CPU is: each run waits (up to two minutes) until the CPU has been mostly idle
  for a few seconds, and the busiest start and the load average are noted.

The results are printed as a table and written as Markdown to dist/bench.md,
and into README.md between the lines README_START and README_END when both
are there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE_DIR = ROOT / "tools" / "lighthouse"
LIGHTHOUSE = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
REPORT = ROOT / "dist" / "bench.md"
README = ROOT / "README.md"
README_START = "<!-- bench:start (written by make bench) -->"
README_END = "<!-- bench:end -->"
DIAGRAM = re.compile(r'<div [^>]*\bclass="diagram"')  # drawn at build time (scripts/course/diagrams.py)
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
QUIET_CPU = 0.25  # share of all cores busy that still counts as a quiet machine for Lighthouse

BUDGETS = {
    "build": 3.0,  # seconds, strict build
    "diagram_build": 0.3,  # seconds a warm build may add for drawing diagrams at build time
    "cold_render": 15.0,  # seconds, every diagram drawn into an empty cache
    "page_kb": 160.0,  # KB compressed, every page (diagram pages included)
    "cls": 0.01,  # diagram pages
    "performance": {"desktop": 98, "mobile": 95},
    "other": 100,  # accessibility, best practices, SEO
}


@dataclass
class Row:
    what: str
    figure: str
    budget: str = ""
    ok: bool | None = None

    @property
    def verdict(self) -> str:
        return "" if self.ok is None else ("pass" if self.ok else "FAIL")


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    sections: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, what, figure, budget="", ok=None):
        self.rows.append(Row(what, figure, budget, ok))
        print(
            f"  {what}: {figure}" + (f"  (budget {budget}: {'pass' if ok else 'FAIL'})" if budget else ""), flush=True
        )


def log(message: str) -> None:
    print(message, flush=True)


# --------------------------------------------------------------------------- build
def strict_build_seconds(runs: int = 5, diagrams: str = "svg") -> tuple[list[float], int]:
    """Wall-clock seconds of `runs` strict builds (as `make build` runs them), and the page count."""
    times = []
    python_path = os.pathsep.join(filter(None, [str(ROOT / "scripts"), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": python_path, "COURSE_DIAGRAMS": diagrams}
    with tempfile.TemporaryDirectory(prefix="bench-site-") as site_dir:
        for _ in range(runs):
            start = time.perf_counter()
            result = subprocess.run(
                [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", site_dir],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            times.append(time.perf_counter() - start)
            if result.returncode != 0:
                raise RuntimeError(f"the strict build failed:\n{result.stdout}{result.stderr}")
        pages = len(list(Path(site_dir).rglob("*.html"))) - 1  # 404.html is not a page
    return times, pages


def cold_render_seconds() -> tuple[float, int]:
    """Seconds to draw every diagram of docs/ (both palettes) into an empty folder, and how many."""
    from course import diagrams

    with tempfile.TemporaryDirectory(prefix="bench-diagrams-") as folder:
        result = diagrams.redraw(ROOT, Path(folder))
    return result.seconds, len({d.source for d in result.drawn})


def built_pages(site_dir: Path) -> dict[str, int]:
    """{site-relative URL: number of diagrams} for every page of a built site."""
    pages = {}
    for html in sorted(site_dir.rglob("index.html")):
        url = html.parent.relative_to(site_dir).as_posix()
        url = "" if url == "." else url + "/"
        pages[url] = len(DIAGRAM.findall(html.read_text(encoding="utf-8")))
    return pages


# --------------------------------------------------------------------------- serving
@contextmanager
def serve_image(tag: str | None):
    """The course image in a container; yields (base URL, site folder copied out of it)."""
    from course import image
    from course.engine import get_engine

    engine = get_engine()
    if tag is None:
        tag = image.DEFAULT_TAG
        log(f"building {tag} (python -m course image) …")
        image.build_image(engine, tag, log=lambda m: None)
    container = engine.run_container(tag, ports=(8080,))
    site_dir = Path(tempfile.mkdtemp(prefix="bench-image-site-"))
    try:
        if container.has_healthcheck():
            container.wait_healthy(60)
        else:
            container.wait_port(8080)
        engine.run_cmd("cp", f"{container.id}:/usr/share/nginx/html/.", str(site_dir))
        yield container.url("/", port=8080), site_dir, f"nginx container ({tag})"
    finally:
        container.remove()
        shutil.rmtree(site_dir, ignore_errors=True)


@contextmanager
def serve_local():
    from course import webserver

    site_dir = Path(tempfile.mkdtemp(prefix="bench-local-site-"))
    try:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT / "scripts")}
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
            cwd=ROOT,
            env=env,
            check=True,
        )
        with webserver.serve(site_dir, gzip=True) as base:
            yield base, site_dir, "local server with gzip (python -m course bench --server local)"
    finally:
        shutil.rmtree(site_dir, ignore_errors=True)


# --------------------------------------------------------------------------- browser
KIND = {
    "document": "HTML",
    "stylesheet": "CSS",
    "script": "JS",
    "fetch": "data",
    "xhr": "data",
    "image": "images",
    "font": "fonts",
}


def transfer(browser_, url: str) -> dict:
    """Cold-cache load of `url` (browser.cold_loads): requests and compressed bytes by type."""
    from course import browser

    fetched = browser.cold_loads(browser_, [url], {"width": 1280, "height": 800}, browser.INIT_SCRIPT)[0]
    by_kind: dict[str, dict] = {}
    for request_url, (resource_type, size) in fetched.items():
        kind = KIND.get(resource_type, "other")
        if request_url.endswith("search_index.json"):
            kind = "search index"
        elif request_url.endswith("sitemap.xml"):
            kind = "sitemap.xml"
        entry = by_kind.setdefault(kind, {"requests": 0, "bytes": 0, "urls": []})
        entry["requests"] += 1
        entry["bytes"] += size
        entry["urls"].append(request_url)
    return by_kind


def diagram_timing(browser_, url: str, expected: int, runs: int = 3) -> tuple[list[float], float]:
    """Milliseconds from navigation start until all diagrams are shown (cold cache), and CLS."""
    from course import browser

    times, shifts = [], []
    for _ in range(runs):
        context = browser_.new_context(viewport={"width": 1280, "height": 800})
        context.add_init_script(browser.INIT_SCRIPT)
        page = context.new_page()
        browser.navigate(page, url, wait_until="commit")
        page.wait_for_function(
            f"""(expected) => {{
                 const state = ({browser.DIAGRAM_STATE_JS.strip()})();
                 if (state.drawn >= expected && state.pending === 0) {{
                   window.__drawnAt = window.__drawnAt || performance.now();
                   return true;
                 }}
                 return false;
               }}""",
            arg=expected,
            polling="raf",
            timeout=30_000,
        )
        times.append(page.evaluate("window.__drawnAt"))
        page.wait_for_timeout(500)
        shifts.append(page.evaluate("window.__layoutShift"))
        context.close()
    return times, max(shifts)


def page_checks(browser_, base: str, pages: dict[str, int]) -> dict[str, dict]:
    """For every page: is mermaid.js requested, layout shift after the diagrams are drawn."""
    from course import browser

    context = browser_.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(browser.INIT_SCRIPT)
    results = {}
    for url, diagrams in pages.items():
        page = context.new_page()
        requested: list[str] = []
        page.on("request", lambda request, requested=requested: requested.append(request.url))
        browser.navigate(page, base + url, wait_until="load")
        drawn = browser.wait_for_diagrams(page, diagrams)
        page.wait_for_timeout(300)
        results[url] = {
            "diagrams": diagrams,
            "drawn": drawn,
            "mermaid": any("mermaid" in r and r.endswith(".js") for r in requested),
            "cls": page.evaluate("window.__layoutShift"),
        }
        page.close()
    context.close()
    return results


# --------------------------------------------------------------------------- Lighthouse
def ensure_lighthouse() -> Path:
    if not LIGHTHOUSE.exists():
        log("installing Lighthouse (npm ci in tools/lighthouse) …")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=LIGHTHOUSE_DIR, check=True)
    return LIGHTHOUSE


def lighthouse(url: str, preset: str) -> dict:
    from course import browser

    flags = " ".join(["--headless=new"] + browser.CHROMIUM_ARGS)
    cmd = [
        str(ensure_lighthouse()),
        url,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={flags}",
    ]
    if preset == "desktop":
        cmd.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": browser.CHROMIUM}
    for attempt in range(3):
        result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
        # Lighthouse asks for another run when the trace of the load was lost (NO_NAVSTART,
        # NO_FCP on a busy machine): that is no figure of the page, so run it again.
        if result.returncode == 0 or "Please run Lighthouse again" not in result.stderr or attempt == 2:
            break
        log(f"  Lighthouse lost the trace of {url} ({result.stderr.strip().splitlines()[-1][:120]}); running again")
    if result.returncode != 0:
        raise RuntimeError(f"lighthouse failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout)


def cpu_busy(seconds: float) -> float:
    """Share of all cores busy over the next `seconds` (Linux /proc/stat; 0.0 elsewhere)."""

    def sample() -> tuple[int, int]:
        fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields) - idle, sum(fields)

    if not Path("/proc/stat").exists():
        return 0.0
    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return (busy1 - busy0) / max(1, total1 - total0)


def wait_for_quiet_cpu(limit: float = QUIET_CPU, window: float = 3.0, patience: float = 120.0) -> float:
    """Wait until the CPU was at most `limit` busy over `window` seconds, or `patience` ran out.

    Lighthouse's mobile scores follow the CPU the page gets (its throttling is simulated
    from the real run), so a run beside an image build or another job scores the machine.
    Returns the busy share the run started with."""
    deadline = time.monotonic() + patience
    busy = cpu_busy(window)
    while busy > limit and time.monotonic() < deadline:
        busy = cpu_busy(window)
    return busy


def lighthouse_summary(url: str, preset: str, runs: int) -> dict:
    """The worse score per category over `runs` runs, key metrics and lost points of the worse run."""
    reports, starts = [], []
    for _ in range(runs):
        starts.append(wait_for_quiet_cpu())
        reports.append(lighthouse(url, preset))
    scores = {c: min(round(r["categories"][c]["score"] * 100) for r in reports) for c in CATEGORIES}
    worse_report = min(reports, key=lambda r: r["categories"]["performance"]["score"])
    audits = worse_report["audits"]
    metrics = {
        name: audits[key]["displayValue"]
        for name, key in (
            ("FCP", "first-contentful-paint"),
            ("LCP", "largest-contentful-paint"),
            ("TBT", "total-blocking-time"),
            ("CLS", "cumulative-layout-shift"),
            ("SI", "speed-index"),
        )
        if key in audits
    }
    if "dom-size" in audits:
        metrics["DOM"] = f"{audits['dom-size']['numericValue']:.0f} elements"
    lost = []
    for category in CATEGORIES:
        for ref in worse_report["categories"][category]["auditRefs"]:
            audit = audits.get(ref["id"], {})
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                lost.append(f"{category}: {audit.get('title')} ({audit.get('displayValue', audit['score'])})")
    return {
        "scores": scores,
        "all": [{c: round(r["categories"][c]["score"] * 100) for c in CATEGORIES} for r in reports],
        "metrics": metrics,
        "lost": lost,
        "busiest_start": max(starts),
    }


# --------------------------------------------------------------------------- report
def kb(n: float) -> str:
    return f"{n / 1024:.1f} KB"


def markdown(results: Results, where: str) -> str:
    lines = ["| Measure | Figure | Budget | |", "| --- | --- | --- | --- |"]
    lines += [f"| {r.what} | {r.figure} | {r.budget} | {r.verdict} |" for r in results.rows]
    out = [
        f"Measured with `make bench` on {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores; pages served by "
        f"the {where}.",
        "",
        *lines,
    ]
    for title, header, rows in results.sections:
        out += ["", f"### {title}", "", "| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
        out += ["| " + " | ".join(row) + " |" for row in rows]
    if results.notes:
        out += [""] + [f"- {note}" for note in results.notes]
    # Markdown lint (MD060): an empty cell is "| |", not "|  |".
    return "\n".join(re.sub(r"\|  (?=\|)", "| ", line) for line in out) + "\n"


def print_table(results: Results) -> None:
    width = max(len(r.what) for r in results.rows)
    fig = max(len(r.figure) for r in results.rows)
    bud = max(len(r.budget) for r in results.rows)
    print()
    for r in results.rows:
        print(f"{r.what:<{width}}  {r.figure:<{fig}}  {r.budget:<{bud}}  {r.verdict}")


def write_readme(table: str) -> bool:
    """Put `table` into README.md between the bench markers; False when the markers are missing."""
    text = README.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        return False
    head, rest = text.split(README_START, 1)
    tail = rest.split(README_END, 1)[1]
    README.write_text(f"{head}{README_START}\n{table}\n{README_END}{tail}", encoding="utf-8")
    return True


def run(args) -> int:
    from course import browser

    results = Results()
    log("strict build with the diagram cache warm, 5 runs …")
    strict_build_seconds(1)  # fills the diagram cache if a diagram changed
    times, page_count = strict_build_seconds(5)
    median = statistics.median(times)
    results.add(
        "Strict build (median of 5)",
        f"{median:.2f} s",
        f"≤ {BUDGETS['build']:.0f} s",
        median <= BUDGETS["build"],
    )
    results.add("Strict build per page", f"{median / page_count * 1000:.0f} ms ({page_count} pages)")
    log("the same build leaving diagrams to the browser (as before), 5 runs …")
    browser_times, _ = strict_build_seconds(5, diagrams="browser")
    added = median - statistics.median(browser_times)
    results.add(
        "… added by drawing diagrams at build time (warm cache)",
        f"{added:+.2f} s (against {statistics.median(browser_times):.2f} s)",
        f"≤ {BUDGETS['diagram_build']} s",
        added <= BUDGETS["diagram_build"],
    )
    log("every diagram drawn into an empty cache …")
    cold, count = cold_render_seconds()
    results.add(
        f"Cold render of every diagram ({count}, light and dark)",
        f"{cold:.1f} s",
        f"≤ {BUDGETS['cold_render']:.0f} s",
        cold <= BUDGETS["cold_render"],
    )

    server = serve_local() if args.server == "local" else serve_image(args.image)
    with server as (base, site_dir, where), browser.chromium() as chromium:
        log(f"serving from the {where} at {base}")
        pages = built_pages(site_dir)
        home = ""
        with_diagrams = [u for u in pages if pages[u]]

        log(f"compressed transfer of all {len(pages)} pages …")
        weights = {url: transfer(chromium, base + url) for url in pages}
        total = {url: sum(v["bytes"] for v in by_kind.values()) for url, by_kind in weights.items()}
        heaviest = sorted(with_diagrams, key=lambda u: total[u], reverse=True)[:2]
        worst = max(pages, key=lambda u: total[u])
        results.add(
            "Heaviest page, compressed transfer (cold cache)",
            f"{kb(total[worst])} ({worst or 'home'})",
            f"≤ {BUDGETS['page_kb']:.0f} KB every page",
            all(t / 1024 <= BUDGETS["page_kb"] for t in total.values()),
        )
        results.add("Home page, compressed transfer", kb(total[home]))
        fetching = [u or "home" for u in pages if "search index" in weights[u]]
        results.add(
            "Pages that fetch the search index at start",
            f"{len(fetching)} of {len(pages)}" + (f" ({', '.join(fetching)})" if fetching else ""),
            "none (fetched when search is used)",
            not fetching,
        )
        for url in heaviest:
            results.add(f"Diagram page {url} ({pages[url]} diagrams), compressed transfer", kb(total[url]))
        rows = []
        for label, url in [("home", home)] + [(u, u) for u in heaviest]:
            by_kind = weights[url]
            for kind in sorted(by_kind):
                rows.append([label, kind, str(by_kind[kind]["requests"]), kb(by_kind[kind]["bytes"])])
            count = sum(v["requests"] for v in by_kind.values())
            rows.append([label, "**total**", f"**{count}**", f"**{kb(total[url])}**"])
        results.sections.append(
            (
                "Requests and compressed bytes by type (cold cache, until the page is quiet)",
                ["Page", "Type", "Requests", "Transferred"],
                rows,
            )
        )
        results.sections.append(
            (
                "Every page, compressed transfer",
                ["Page", "Diagrams", "Transferred"],
                [[u or "(home)", str(pages[u]), kb(total[u])] for u in pages],
            )
        )

        checks = page_checks(chromium, base, pages)
        loading = [u for u in pages if checks[u]["mermaid"]]
        results.add("Pages that load mermaid.js", f"{len(loading)} of {len(pages)}", "none", not loading)
        undrawn = [u for u in with_diagrams if checks[u]["drawn"] < pages[u]]
        if undrawn:
            results.notes.append("diagrams not shown on: " + ", ".join(undrawn))
        shifty = max(with_diagrams, key=lambda u: checks[u]["cls"])
        results.add(
            "Layout shift on diagram pages (worst)",
            f"{checks[shifty]['cls']:.3f} ({shifty})",
            f"≤ {BUDGETS['cls']}",
            checks[shifty]["cls"] <= BUDGETS["cls"],
        )
        drawn, _ = diagram_timing(chromium, base + heaviest[0], pages[heaviest[0]])
        results.add(
            f"All {pages[heaviest[0]]} diagrams of {heaviest[0]} shown (median of 3, cold)",
            f"{statistics.median(drawn):.0f} ms after navigation start",
        )

        if args.runs > 0:
            lighthouse_all(results, base, [("home", home)] + [(u, u) for u in with_diagrams], heaviest, args.runs)

    print_table(results)
    report = markdown(results, where)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(report, encoding="utf-8")
    for title, _header, rows in results.sections:
        print(f"\n{title}")
        for row in rows:
            print("  " + " | ".join(c.replace("**", "") for c in row))
    for note in results.notes:
        print(f"- {note}")
    print(f"\nwritten to {REPORT.relative_to(ROOT)}")
    if write_readme(report):
        print(f"and into {README.name} (Performance, between the bench markers)")
    return 0


def load_average() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def lighthouse_all(results: Results, base: str, mobile: list[tuple[str, str]], heaviest: list[str], runs: int):
    """Mobile on every page of `mobile`, desktop on the home page and `heaviest`: the worse of `runs` each."""
    targets = [(label, url, "mobile") for label, url in mobile]
    targets += [(label, url, "desktop") for label, url in [("home", "")] + [(u, u) for u in heaviest]]
    rows, summaries = [], {}
    before = load_average()
    for label, url, preset in targets:
        log(f"lighthouse {preset} {base + url} ({runs} runs) …")
        summary = summaries[label, preset] = lighthouse_summary(base + url, preset, runs)
        scores = summary["scores"]
        summary["ok"] = scores["performance"] >= BUDGETS["performance"][preset] and all(
            scores[c] >= BUDGETS["other"] for c in CATEGORIES[1:]
        )
        rows.append(
            [
                label,
                preset,
                " / ".join(f"{scores[c]:.0f}" for c in CATEGORIES),
                " ; ".join(str(s["performance"]) for s in summary["all"]),
                ", ".join(f"{k} {v}" for k, v in summary["metrics"].items()),
            ]
        )
        # The performance metrics are in the table; list what else lost points.
        results.notes += [
            f"Lighthouse {label}, {preset}: {i}" for i in summary["lost"] if not i.startswith("performance")
        ]
    after = load_average()
    for preset in ("mobile", "desktop"):
        mine = {label: s for (label, p), s in summaries.items() if p == preset}
        worst = min(mine, key=lambda label: mine[label]["scores"]["performance"])
        failing = [label for label, s in mine.items() if not s["ok"]]
        budget = BUDGETS["performance"][preset]
        results.add(
            f"Lighthouse {preset}, performance: worst of {len(mine)} pages (worse of {runs} runs each)",
            f"{mine[worst]['scores']['performance']:.0f} ({worst})",
            f"≥ {budget} every page",
            all(s["scores"]["performance"] >= budget for s in mine.values()),
        )
        results.add(
            f"Lighthouse {preset}: pages below a budget (perf / a11y / best pr. / SEO)",
            f"{len(failing)} of {len(mine)}" + (f" ({', '.join(failing)})" if failing else ""),
            f"≥ {budget} / 100 / 100 / 100",
            not failing,
        )
    busiest = max(s["busiest_start"] for s in summaries.values())
    results.notes.append(
        f"Load average (1, 5, 15 min) before Lighthouse: {before}; after: {after}. Each run waited for "
        f"a quiet CPU (at most {QUIET_CPU:.0%} busy over 3 s, up to 2 min); the busiest start: {busiest:.0%}."
    )
    results.sections.append(
        (
            f"Lighthouse {lighthouse_version()}: the worse of {runs} runs per page",
            ["Page", "Preset", "Perf / a11y / best pr. / SEO", "Perf, every run", "Metrics (worse run)"],
            rows,
        )
    )


def lighthouse_version() -> str:
    manifest = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "package.json"
    return json.loads(manifest.read_text())["version"] if manifest.exists() else "?"


def _cmd(args) -> int:
    try:
        return run(args)
    except Exception as exc:  # noqa: BLE001 - a benchmark: say what broke
        print(f"FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


def register(subparsers) -> None:
    p = subparsers.add_parser("bench", help="build time, page weight, diagrams, Lighthouse (not a test)")
    p.add_argument(
        "--server",
        choices=["image", "local"],
        default="image",
        help="serve with the course image (default) or a local gzip server",
    )
    p.add_argument("--image", help="use this already built image instead of building docker-basics:latest")
    p.add_argument(
        "--runs", type=int, default=2, help="Lighthouse runs per page and preset, the worse counts (0: skip)"
    )
    p.set_defaults(func=_cmd)
