#!/bin/sh
# The whole app: one line of output.
echo "hello from app.sh"
