"""Start up to N sleeping child processes and say how many the kernel allowed: shows --pids-limit.

The same loop without a bound is a fork bomb; this one stops at N and cleans up its children.
"""

import os
import signal
import sys

wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 100
children = []
try:
    for _ in range(wanted):
        pid = os.fork()
        if pid == 0:  # the child: wait to be killed
            signal.pause()
            os._exit(0)
        children.append(pid)
    print(f"started {len(children)} of {wanted} processes")
except BlockingIOError as exc:  # EAGAIN: the pids limit (or the user's process limit) is reached
    print(f"fork failed after {len(children)} of {wanted} processes: {exc.strerror}")
finally:
    for pid in children:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
