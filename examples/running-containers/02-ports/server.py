"""A small web server for the ports example: it listens on port 8000 in its container.

GET / answers with JSON naming the container (its hostname); any other path
is a 404 and other methods a 405. Malformed requests get the 400 of Python's
http.server, and the server keeps running.
"""

import json
import signal
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = 8000


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/":
            self.send_json(404, {"error": "not found"})
            return
        self.send_json(200, {"message": f"hello from port {PORT}", "container": socket.gethostname()})

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
        # One line per request on stdout, which `docker logs` shows.
        print(f"{self.client_address[0]} {format % args}", flush=True)


def stop(signum, frame):
    # docker stop sends SIGTERM to PID 1: exit at once instead of waiting to be killed.
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
server = ThreadingHTTPServer(("", PORT), Handler)
print(f"listening on port {PORT}", flush=True)
server.serve_forever()
