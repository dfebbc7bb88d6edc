#!/usr/bin/env bash
# Runs a Windows program under Debian's wine64, quietly, in the Wine prefix of this checkout's
# Windows build (made on first use; DESKEXT_WINEPREFIX overrides it): the emulator of the
# `windows` CMake preset, and what the tests use to run deskext.exe.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export WINEPREFIX=${DESKEXT_WINEPREFIX:-$here/../../build/windows/wineprefix}
export WINEDEBUG=${WINEDEBUG:--all}
# No Wine desktop integration, no Mono or Gecko installer prompts.
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=,winemenubuilder.exe=d}
# The prefix's wineserver, started here with its output on /dev/null unless one runs already (it
# then exits at once). One that wine64 starts itself inherits the program's stdout and stderr,
# and a caller that reads them to their end (the tests' run_deskext) would wait for it to exit:
# 3 s after the last Wine program, for every run. It stays 10 s after the last one.
/usr/lib/wine/wineserver -p10 </dev/null >/dev/null 2>&1 || true
exec /usr/lib/wine/wine64 "$@"
