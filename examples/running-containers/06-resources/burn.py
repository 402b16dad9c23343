"""Keep one CPU busy for a few seconds and print the CPU time it got: shows what --cpus does."""

import sys
import time

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
start_wall, start_cpu = time.monotonic(), time.process_time()
while time.monotonic() - start_wall < seconds:
    pass  # busy: ask for as much CPU as one thread can use
wall, cpu = time.monotonic() - start_wall, time.process_time() - start_cpu
print(f"busy for {wall:.1f} s of wall time, got {cpu:.1f} s of CPU time: {cpu / wall:.2f} CPUs")
