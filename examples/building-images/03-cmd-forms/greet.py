"""Print a greeting for the names given as command-line arguments."""

import sys

names = sys.argv[1:] or ["nobody"]
print(f"Hello, {' and '.join(names)}!")
