"""A stand-in for a long-running server: it waits until it is told to stop.

`docker stop` first sends SIGTERM to the container's main process (PID 1).
This program handles SIGTERM by printing a line and exiting with status 0.
It needs the handler: the kernel does not apply a signal's default action
("terminate") to the PID 1 of a container, so PID 1 without a handler
ignores SIGTERM.
"""

import signal
import sys


def on_sigterm(signum, frame):
    print("app.py: received SIGTERM, shutting down", flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, on_sigterm)
print("app.py: running, waiting for SIGTERM", flush=True)
while True:
    signal.pause()
