#!/bin/sh
# The "application": print the course outline from chapters.json with jq.
set -eu
jq -r '"\(.course) has \(.chapters | length) chapters:", (.chapters[] | "- \(.)")' chapters.json
