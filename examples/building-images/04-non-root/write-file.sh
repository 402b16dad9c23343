#!/bin/sh
# Say who we are, then write a file into /data (a bind mount from the host).
set -eu
target="/data/${1:-written-by-container.txt}"
echo "hello from the container" > "$target"
echo "$(id) wrote $target"
