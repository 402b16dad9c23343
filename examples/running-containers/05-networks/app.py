"""A web server that says which container answered: its host name, which Docker sets to the container ID."""

import signal
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = 8000


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"Hello from container {socket.gethostname()}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # one short line per request on stdout: docker logs shows it
        print(f"{self.client_address[0]} {self.command} {self.path}", flush=True)


if __name__ == "__main__":
    # PID 1 gets no default signal handling: exit on docker stop's SIGTERM ourselves.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"listening on port {PORT}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", PORT), Hello).serve_forever()
