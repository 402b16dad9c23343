"""A small web server configured by environment variables, read once at start.

GREETING  the word it greets with (default from the image: "Hello")
APP_MODE  "production" or "development"; anything else stops it with an error

GET / answers with the greeting, GET /config with every setting it read and
the note that the build left in build-note.txt.
"""

import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = 8000
MODES = ("production", "development")


def read_config() -> dict:
    config = {
        "greeting": os.environ.get("GREETING", "Hello"),
        "mode": os.environ.get("APP_MODE", "production"),
        # An ARG is not in the container's environment: this stays None.
        "build_note_variable": os.environ.get("BUILD_NOTE"),
        "build_note_file": open("build-note.txt", encoding="utf-8").read().strip(),
    }
    if config["mode"] not in MODES:
        sys.exit(f"server.py: APP_MODE must be one of {', '.join(MODES)}; got {config['mode']!r}")
    return config


CONFIG = read_config()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/":
            self.send_json(200, {"message": f"{CONFIG['greeting']}, world!", "mode": CONFIG["mode"]})
        elif self.path == "/config":
            self.send_json(200, CONFIG)
        else:
            self.send_json(404, {"error": "not found"})

    def refuse(self):
        self.send_json(405, {"error": "method not allowed"})

    do_POST = do_PUT = do_PATCH = do_DELETE = refuse

    def send_json(self, status: int, body: dict) -> None:
        data = (json.dumps(body) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        if CONFIG["mode"] == "development":  # request logs only while developing
            print(f"{self.client_address[0]} {format % args}", flush=True)


def stop(signum, frame):
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
server = ThreadingHTTPServer(("", PORT), Handler)
print(f"listening on port {PORT} in {CONFIG['mode']} mode", flush=True)
server.serve_forever()
