"""Take memory 10 MiB at a time, up to a target, printing each step: shows where a memory limit stops it."""

import sys
import time

STEP = 10 * 1024 * 1024
target_mib = int(sys.argv[1]) if len(sys.argv) > 1 else 200

held = []
for mib in range(10, target_mib + 1, 10):
    held.append(b"x" * STEP)  # filled with data, so the pages are really in memory
    print(f"holding {mib} MiB", flush=True)
    time.sleep(0.05)
print(f"done: {target_mib} MiB held without trouble", flush=True)
