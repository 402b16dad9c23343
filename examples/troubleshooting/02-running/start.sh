#!/bin/sh
# The container's main process: one line of output, then it exits.
echo "hello from start.sh"
