#!/usr/bin/env bash
# Tests deskext.exe under Wine, from this Linux machine: the unit tests built for Windows
# (packaging/windows-build.sh --tests) pass, except those tagged [posix]; the executable must
# detect windows/amd64 and install the example extension into the default root, and the
# integration tests tagged [host] (tests/integration/
# test_host_lifecycle.cpp: install, update, verify, ls and uninstall from an OCI layout, an
# oci-archive and a loopback docker-registry over HTTP and HTTPS, with the events and exit codes
# of docs/events.md; test_lifecycle.cpp: the crash points, two deskext processes at once) run
# against it instead of the Linux binary. Their JSON events are then checked against
# docs/events.schema.json, as the Linux ones are.
#
# Usage: tests/windows/run-tests.sh [WINDOWS_BUILD_DIR] [LINUX_BUILD_DIR]
#   defaults: build/windows (packaging/windows-build.sh) and build/dev (the dev preset)
set -euo pipefail
cd "$(dirname "$0")/../.."

windows=$(realpath "${1:-build/windows}")
linux=$(realpath "${2:-build/dev}")
exe="$windows/runtime/deskext.exe"
wine="$PWD/tests/windows/wine.sh"

ctest --test-dir "$windows" --output-on-failure

host=$("$wine" "$exe" version --json | python3 -c \
    'import json, sys; print(json.loads(sys.stdin.readlines()[-1])["host_platform"])')
echo "windows-tests: deskext.exe under Wine detects $host"
[ "$host" = windows/amd64 ]

# The default root is Docker Desktop's own: %APPDATA%\Docker\extensions.
root=$("$wine" "$exe" ls --json | python3 -c \
    'import json, sys; print(json.loads(sys.stdin.readlines()[-1])["root"])')
appdata=$("$wine" cmd /c 'echo %APPDATA%' | tr -d '\r')
echo "windows-tests: the default root is $root"
[ "$root" = "$appdata\Docker\extensions" ]

# The example extension (packaging/example, which the Linux build packs as an oci-archive) into
# that default root, as the README's first command installs it on Linux: the Windows binary, then
# ls, verify and uninstall.
example="$linux/packaging/example-extension.tar"
last_event() { tail -n 1 | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)))'; }
installed=$("$wine" "$exe" install "$example" --force --json | last_event)
echo "windows-tests: example extension: $installed"
python3 - "$installed" <<'CHECK'
import json, sys
event = json.loads(sys.argv[1])
assert event["event"] == "result" and event["ok"], event
assert event["binaries"] == ["host/example-cli.exe"], event["binaries"]
assert event["platform"] == "windows/amd64", event["platform"]
CHECK
directory=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["directory"])' "$installed")
[ -f "$("$wine" winepath -u "$directory\host\example-cli.exe" | tr -d '\r')" ]
"$wine" "$exe" ls --json | last_event | grep -q '"deskext_example-extension"'
"$wine" "$exe" verify deskext/example-extension --json | last_event | grep -q '"ok": true'
"$wine" "$exe" uninstall deskext/example-extension --json | last_event | grep -q '"ok": true'

DESKEXT_TEST_COMMAND="$wine $exe" "$linux/tests/deskext_integration_tests" '[host]'
/usr/bin/python3 tests/check_events_schema.py docs/events.schema.json \
    "$linux/tests/json-events.log"
