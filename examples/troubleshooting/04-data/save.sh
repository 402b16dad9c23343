#!/bin/sh
# Writes one file into /data, where a volume or a bind mount is expected.
set -e
echo "saved by $(id -u)" > /data/note.txt
echo "saved /data/note.txt"
