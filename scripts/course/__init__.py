"""Helper commands for the Docker Basics course: `python -m course --help`."""
