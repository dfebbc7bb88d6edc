#!/usr/bin/env bash
# The man page renders with groff's man macros and every warning on (-ww), without one.
# Usage: check_man_renders.sh MAN_PAGE
set -euo pipefail
warnings=$(groff -man -Tutf8 -ww -z "$1" 2>&1)
if [ -n "$warnings" ]; then
    echo "$warnings"
    exit 1
fi
echo "$1 renders without warnings"
