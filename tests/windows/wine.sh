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
exec /usr/lib/wine/wine64 "$@"
