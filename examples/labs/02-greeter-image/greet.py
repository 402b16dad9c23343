"""Print a greeting: the program of the Building images lab."""

import os

print(f"Hello, {os.environ.get('NAME', 'world')}!")
