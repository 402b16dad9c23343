"""A stand-in for a background worker: it prints a line every second, forever.

CRASH_AFTER=N makes it exit with status 1 after N ticks, to show what a
restart policy does with a crashed process. It has no SIGTERM handler on
purpose: as a container's PID 1 it therefore ignores `docker stop`'s SIGTERM
(see the README), while under `docker run --init` it dies of it.
"""

import os
import sys
import time


def crash_after() -> int:
    value = os.environ.get("CRASH_AFTER", "0")
    if not value.isdigit():
        sys.exit(f"worker.py: CRASH_AFTER must be a whole number of ticks, got {value!r}")
    return int(value)


limit = crash_after()
print("worker started", flush=True)
tick = 0
while True:
    tick += 1
    print(f"tick {tick}", flush=True)
    if tick == limit:
        # stdout, like the other lines, so that `docker logs` keeps them in order
        print("crashing on purpose", flush=True)
        sys.exit(1)
    time.sleep(1)
