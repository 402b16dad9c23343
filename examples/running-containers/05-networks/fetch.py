"""Fetch a URL and print the answer, or `Error: …` and exit 1 (a tiny curl: slim images have none)."""

import sys
import urllib.error
import urllib.request

url = sys.argv[1]
try:
    with urllib.request.urlopen(url, timeout=5) as response:
        print(response.read().decode(), end="")
except (urllib.error.URLError, OSError) as exc:
    reason = getattr(exc, "reason", exc)
    print(f"Error: cannot reach {url}: {reason}", file=sys.stderr)
    sys.exit(1)
