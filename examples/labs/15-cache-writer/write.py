"""Write a note into /app/cache and say who wrote it: the program of the lab on running as non-root."""

import os
import sys
from pathlib import Path

note = Path("/app/cache/note.txt")
try:
    note.write_text("note\n")
except OSError as error:
    sys.exit(f"uid {os.getuid()} cannot write {note}: {error.strerror}")
print(f"uid {os.getuid()} wrote {note}")
