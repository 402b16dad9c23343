"""Print the first line of messages.txt: the program of the fix-it lab on COPY."""

import sys
from pathlib import Path

try:
    first = Path("messages.txt").read_text(encoding="utf-8").splitlines()[0]
except FileNotFoundError:
    sys.exit("greet.py: messages.txt is missing")
print(first)
