"""A notes server that keeps its data in one file: /data/notes.txt.

GET /notes   the notes, one per line, or "(no notes yet)"
POST /notes  adds the request body (UTF-8 text, one line, at most 200 bytes) as a note

Bad input gets a 4xx; a data directory it cannot write (read-only mount,
wrong owner) gets a 503 that names the file and the reason. Either way the
server keeps running.
"""

import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PORT = 8000
NOTES = Path(os.environ.get("DATA_DIR", "/data")) / "notes.txt"
MAX_NOTE = 200  # bytes


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/notes":
            self.send_text(404, "not found")
            return
        notes = NOTES.read_text(encoding="utf-8") if NOTES.exists() else ""
        self.send_text(200, notes.rstrip("\n") or "(no notes yet)")

    def do_POST(self):
        if self.path != "/notes":
            self.send_text(404, "not found")
            return
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit():
            self.send_text(400, "Content-Length must be a number of bytes")
            return
        length = int(length)
        if length > MAX_NOTE:
            self.send_text(413, f"a note has at most {MAX_NOTE} bytes")
            return
        try:
            note = self.rfile.read(length).decode("utf-8").strip()
        except UnicodeDecodeError:
            self.send_text(400, "a note must be UTF-8 text")
            return
        if not note or "\n" in note:
            self.send_text(400, "a note is one line of text")
            return
        try:
            with NOTES.open("a", encoding="utf-8") as f:
                f.write(note + "\n")
        except OSError as exc:
            self.send_text(503, f"cannot write {NOTES}: {exc.strerror}")
            return
        self.send_text(201, f"saved: {note}")

    def send_text(self, status: int, text: str) -> None:
        data = (text + "\n").encode() if text else b""
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        print(f"{self.client_address[0]} {format % args}", flush=True)


def stop(signum, frame):
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
server = ThreadingHTTPServer(("", PORT), Handler)
print(f"listening on port {PORT}, notes in {NOTES}", flush=True)
server.serve_forever()
