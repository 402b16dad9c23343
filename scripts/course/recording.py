"""What recorded the output that pages show: capture metadata and the generated note.

``python -m course capture EXAMPLE`` writes, next to the transcripts,
``output/recorded.json`` (engine, API, buildx, compose, storage driver and
snapshotter, date, and each transcript's SHA-256) and ``output/recorded.md``,
the one-line note a page includes with ``--8<--``::

    Output recorded with Docker Engine 28.5.2, Buildx 0.29.1, Compose 2.40.3 on 2026-11-30.

Recorded on the classic image store (``capture --store``, course.classic_engine),
or where two transcripts show the two stores side by side, the note names the store::

    Output recorded with Docker Engine 28.5.2 (classic image store, overlay2), Buildx 0.29.1, ...

``python -m course console --record PAGE`` does the same for a page whose own
console blocks show output: after every block matched, it writes
``includes/recorded/<page path>.json`` and ``.md``.

The notes are generated from the metadata, never typed; tests/test_recording.py
fails when a note, a transcript and its metadata disagree, or when the output
was recorded on an engine older than the one the tests run.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE_RECORDS = ROOT / "includes" / "recorded"
JSON_NAME, NOTE_NAME = "recorded.json", "recorded.md"


def _plain(version: str) -> str:
    """The upstream version: "28.5.2" from Debian's "28.5.2+dfsg4", "2.40.3" from "2.40.3-3"."""
    m = re.match(r"v?(\d+(?:\.\d+)*)", version or "")
    return m.group(1) if m else version


CONTAINERD_STORE = "io.containerd.snapshotter.v1"  # the snapshotter's driver-type, as course.engine reads it


def store(meta: dict) -> str:
    """The image store that recorded, as a note names it."""
    if meta.get("snapshotter") == CONTAINERD_STORE:
        return "containerd image store"
    return f"classic image store, {meta.get('storage_driver') or 'graph driver'}"


def metadata(engine, *, name_store: bool = False) -> dict:
    """The recording engine and client, as the capture step saw them. The note names the image
    store when asked (transcripts shown side by side, one per store) and always for the classic
    store, which the course's engine does not use."""
    s, c = engine.server, engine.client
    meta = {
        "engine": _plain(s.version),
        "engine_build": s.version,
        "api": s.api,
        "buildx": _plain(c.buildx),
        "compose": _plain(c.compose),
        "storage_driver": s.driver,
        "snapshotter": s.snapshotter,
        "date": datetime.date.today().isoformat(),
    }
    if name_store or s.snapshotter != CONTAINERD_STORE:
        meta["store"] = store(meta)
    return meta


def note(meta: dict) -> str:
    engine = f"Docker Engine {meta['engine']}" + (f" ({meta['store']})" if meta.get("store") else "")
    return f"*Output recorded with {engine}, Buildx {meta['buildx']}, Compose {meta['compose']} on {meta['date']}.*\n"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(folder: Path, meta: dict, transcripts: list[Path] = ()) -> None:
    """Write recorded.json (with the transcripts' hashes) and recorded.md into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    data = dict(meta, transcripts={p.name: sha256(p) for p in sorted(transcripts)})
    (folder / JSON_NAME).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    (folder / NOTE_NAME).write_text(note(meta), encoding="utf-8")


def page_record_dir(page: Path) -> Path:
    """includes/recorded/<chapter>/<page stem>/ for docs/<chapter>/<page>.md."""
    rel = Path(page).resolve().relative_to(ROOT / "docs")
    return PAGE_RECORDS / rel.with_suffix("")


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in _plain(version).split(".") if x.isdigit())
