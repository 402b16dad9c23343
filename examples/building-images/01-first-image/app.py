"""Print the message that `make` generated when the image was built."""

from pathlib import Path

message = (Path(__file__).parent / "message.txt").read_text(encoding="utf-8").strip()
print(message)
print("(message.txt was made by make at build time; this is Python at run time)")
