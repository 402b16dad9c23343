"""The examples harness: build and test every example, and measure them.

``python -m course examples [NAME ...]``
    For each example folder (examples/<chapter>/NN-name/), runs its
    test_example.py with pytest (which builds the images through the fixtures
    of the root conftest.py), shows progress per example and ends with a
    summary table: built, ran, checks passed, image size, build time.  A failing
    example is reported with its name, the failing check and the tail of its log.

``python -m course bench-examples [NAME ...]``
    Figures, not a test: per example the cold build time (``--no-cache``), the
    rebuild time after a change to one source file and which steps were
    CACHED, and the final image size; for 02-node-api also the dev and prod
    image sizes and the ``docker stop`` time of the exec-form image against the
    shell-form one of 03-cmd-forms.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from course.engine import SESSION_ID, SESSION_LABEL, TEST_LABEL, DockerError, engine_or_exit, short_size

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_DIR = re.compile(r"^\d\d-[a-z0-9-]+$")


def list_examples(root: Path = ROOT) -> list[Path]:
    return sorted(p for p in (root / "examples").glob("*/*") if p.is_dir() and EXAMPLE_DIR.match(p.name))


def _select(names: list[str]) -> list[Path]:
    all_ = list_examples()
    if not names:
        return all_
    chosen = [p for p in all_ if any(n in (p.name, str(p.relative_to(ROOT)), p.name[:2]) for n in names)]
    missing = [n for n in names if not any(n in (p.name, str(p.relative_to(ROOT)), p.name[:2]) for p in all_)]
    if missing:
        raise SystemExit(f"no such example: {', '.join(missing)} (have: {', '.join(p.name for p in all_)})")
    return chosen


def _ensure_bases(eng) -> None:
    from course import baseimages

    baseimages.ensure(eng, baseimages.required_images(), log=lambda m: print(f"  {m}", flush=True))


# --------------------------------------------------------------------------- examples
def _junit(path: Path) -> tuple[int, int, list[tuple[str, str]]]:
    """(tests, passed, [(failing test, message)]) from a JUnit XML file."""
    if not path.exists():
        return 0, 0, []
    tree = ET.parse(path)
    total = passed = 0
    failing = []
    for case in tree.iter("testcase"):
        total += 1
        bad = case.find("failure") if case.find("failure") is not None else case.find("error")
        if bad is not None:
            text = (bad.get("message") or "") + "\n" + (bad.text or "")
            failing.append((case.get("name", "?"), text.strip()))
        elif case.find("skipped") is None:
            passed += 1
    return total, passed, failing


def run_example(example: Path, timeout: float = 1200) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="examples-"))
    report, junit = tmp / "report.jsonl", tmp / "junit.xml"
    env = dict(
        os.environ,
        DOCKER_BASICS_REPORT=str(report),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "scripts"), os.environ.get("PYTHONPATH")])),
    )
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--junitxml={junit}",
        "--rootdir",
        str(ROOT),
        str(example / "test_example.py"),
    ]
    start = time.monotonic()
    try:
        cp = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        log, rc = cp.stdout + cp.stderr, cp.returncode
    except subprocess.TimeoutExpired as exc:
        log, rc = (
            (exc.stdout or b"").decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or ""),
            None,
        )
    seconds = time.monotonic() - start
    events = [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []
    total, passed, failing = _junit(junit)
    builds = [e for e in events if e.get("event") == "build"]
    first: dict[tuple, dict] = {}
    for b in builds:
        first.setdefault((b.get("dockerfile"), b.get("target")), b)
    shutil.rmtree(tmp, ignore_errors=True)
    return {
        "example": example.name,
        "rc": rc,
        "seconds": seconds,
        "log": log,
        "built": bool(builds),
        "ran": sum(1 for e in events if e.get("event") == "run"),
        "tests": total,
        "passed": passed,
        "failing": failing,
        "images": list(first.values()),
    }


def _image_label(b: dict) -> str:
    name = b.get("target") or ""
    df = b.get("dockerfile") or "Dockerfile"
    if df != "Dockerfile":
        name = (name + " " if name else "") + df.replace("Dockerfile.", "")
    return name or "image"


def _table(rows: list[list[str]], head: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()  # noqa: E731
    return "\n".join([line(head), line(["-" * w for w in widths])] + [line(r) for r in rows])


def _cmd_examples(args) -> int:
    eng = engine_or_exit()
    examples = _select(args.names)
    print("base images:", flush=True)
    _ensure_bases(eng)
    results = []
    for i, ex in enumerate(examples, 1):
        print(f"[{i}/{len(examples)}] {ex.relative_to(ROOT)} …", flush=True)
        if not (ex / "test_example.py").exists():
            res = {
                "example": ex.name,
                "rc": 1,
                "seconds": 0,
                "log": "",
                "built": False,
                "ran": 0,
                "tests": 0,
                "passed": 0,
                "images": [],
                "failing": [("test_example.py", "missing: every example needs its test")],
            }
        else:
            res = run_example(ex)
        results.append(res)
        ok = res["rc"] == 0
        print(
            f"    {'ok' if ok else 'FAILED'}: {res['passed']}/{res['tests']} checks passed in {res['seconds']:.1f}s",
            flush=True,
        )
        if not ok:
            for name, msg in res["failing"][:3]:
                print(f"    failing check: {name}")
                print("      " + "\n      ".join(msg.splitlines()[-12:]))
            if not res["failing"]:
                print("    log tail:\n      " + "\n      ".join(res["log"].rstrip().splitlines()[-25:]))
    rows = []
    for r in results:
        sizes = ", ".join(f"{_image_label(b)} {short_size(b['size'])}" for b in r["images"]) or "-"
        times = ", ".join(f"{_image_label(b)} {b['seconds']:.1f}s" for b in r["images"]) or "-"
        rows.append(
            [
                r["example"],
                "yes" if r["built"] else "no",
                f"{r['ran']}x" if r["ran"] else "no",
                f"{r['passed']}/{r['tests']}",
                sizes,
                times,
            ]
        )
    print()
    print(_table(rows, ["example", "built", "ran", "checks passed", "image size", "build time"]))
    failed = [r["example"] for r in results if r["rc"] != 0]
    print(f"\n{len(results) - len(failed)} passed, {len(failed)} failed" + (f": {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


# --------------------------------------------------------------------------- bench
_SOURCE_GUESS = ["src/app.js", "src/server.js", "app.py", "app.sh", "main.py", "server.js", "index.js"]


def _source_file(example: Path) -> Path | None:
    for name in _SOURCE_GUESS:
        if (example / name).is_file():
            return example / name
    for p in sorted(example.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".js", ".sh") and not p.name.startswith("test"):
            return p
    return None


def _comment(path: Path) -> str:
    return "//" if path.suffix == ".js" else "#"


def bench_example(eng, example: Path) -> dict:
    """Cold build, rebuild after a source change (cached steps), final image size."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    copy = tmp / example.name
    shutil.copytree(example, copy, ignore=shutil.ignore_patterns("output", "__pycache__", "node_modules"))
    tag = f"docker-basics-bench/{example.name}:{SESSION_ID}"
    try:
        cold = eng.build(copy, tag, no_cache=True)
        src = _source_file(copy)
        rebuild = None
        if src:
            with src.open("a") as fh:
                fh.write(f"\n{_comment(src)} bench: a change to the source only ({time.time_ns()})\n")
            rebuild = eng.build(copy, tag)
        return {
            "example": example.name,
            "cold": cold.seconds,
            "size": eng.image_size(tag),
            "changed": str(src.relative_to(copy)) if src else None,
            "rebuild": rebuild.seconds if rebuild else None,
            "cached": rebuild.cached if rebuild else [],
            "rebuilt": rebuild.rebuilt if rebuild else [],
        }
    finally:
        eng.run_cmd("rmi", "-f", tag, check=False)
        shutil.rmtree(tmp, ignore_errors=True)


def _stop_time(eng, image: str, ready: float = 1.5) -> tuple[float, int]:
    c = eng.run_container(image, ports=())
    try:
        time.sleep(ready)
        code, seconds = c.stop(timeout=10)
        return seconds, code
    finally:
        c.remove()


def bench_node_api(eng) -> dict:
    ex = ROOT / "examples/building-images/02-node-api"
    cf = ROOT / "examples/building-images/03-cmd-forms"
    out: dict = {}
    tags = {}
    try:
        for target in ("dev", "prod"):
            tags[target] = f"docker-basics-bench/node-api-{target}:{SESSION_ID}"
            eng.build(ex, tags[target], target=target)
            size = eng.image_size(tags[target])
            out[f"{target} size"] = f"{short_size(size)} ({size:,} bytes)"
        s, code = _stop_time(eng, tags["prod"])
        out["docker stop, exec form (02-node-api prod)"] = f"{s:.2f}s, exit {code}"
        if (cf / "Dockerfile.shell").exists():
            for name, df in (("exec", "Dockerfile"), ("shell", "Dockerfile.shell")):
                tags[name] = f"docker-basics-bench/cmd-forms-{name}:{SESSION_ID}"
                eng.build(cf, tags[name], dockerfile=cf / df)
                s, code = _stop_time(eng, tags[name])
                out[f"docker stop, {name} form (03-cmd-forms {df})"] = f"{s:.2f}s, exit {code}"
        else:
            out["docker stop, shell form"] = "03-cmd-forms/Dockerfile.shell not found"
    finally:
        eng.run_cmd("rmi", "-f", *tags.values(), check=False)
    return out


def _cmd_bench(args) -> int:
    eng = engine_or_exit()
    examples = _select(args.names)
    _ensure_bases(eng)
    rows = []
    for ex in examples:
        if not (ex / "Dockerfile").exists():
            continue
        print(f"{ex.name}: cold build …", flush=True)
        try:
            r = bench_example(eng, ex)
        except DockerError as exc:
            print(f"  FAILED: {exc}")
            continue
        rows.append(r)
        change = f"after changing {r['changed']}: {r['rebuild']:.1f}s" if r["changed"] else "no source file to change"
        print(f"  cold {r['cold']:.1f}s; {change}; size {short_size(r['size'])}")
        for step in r["cached"]:
            print(f"    CACHED  {step}")
        for step in r["rebuilt"]:
            print(f"    rebuilt {step}")
    print()
    print(
        _table(
            [
                [
                    r["example"],
                    f"{r['cold']:.1f}s",
                    f"{r['rebuild']:.1f}s" if r["rebuild"] else "-",
                    f"{len(r['cached'])}/{len(r['cached']) + len(r['rebuilt'])}",
                    short_size(r["size"]),
                ]
                for r in rows
            ],
            ["example", "cold build", "rebuild after source change", "steps cached", "image size"],
        )
    )
    if any(ex.name == "02-node-api" for ex in examples):
        print("\n02-node-api:")
        try:
            for k, v in bench_node_api(eng).items():
                print(f"  {k}: {v}")
        except DockerError as exc:
            print(f"  FAILED: {exc}")
    eng.remove_labelled(SESSION_LABEL)
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("examples", help="build and test every example; summary table")
    p.add_argument("names", nargs="*", help="examples (e.g. 02-node-api or 02); default: all")
    p.set_defaults(func=_cmd_examples)
    b = subparsers.add_parser("bench-examples", help="build times, cache reuse, image sizes, stop times")
    b.add_argument("names", nargs="*", help="examples (default: all)")
    b.set_defaults(func=_cmd_bench)


__all__ = ["list_examples", "run_example", "bench_example", "bench_node_api", "TEST_LABEL"]
