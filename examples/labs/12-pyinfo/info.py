"""Print the Python version and the operating system of the image it runs in."""

import platform

system = platform.freedesktop_os_release()["PRETTY_NAME"]
print(f"Python {platform.python_version()} on {system}")
