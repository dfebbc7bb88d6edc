#!/usr/bin/env bash
# From a fresh Debian 12 machine to the example extension installed: installs the build
# dependencies, builds deskext (release preset) and installs packaging/example with it into the
# default extensions root (or $DESKEXT_ROOT).
set -euo pipefail
cd "$(dirname "$0")/.."

./packaging/install-deps.sh
cmake --preset release -DDESKEXT_BUILD_TESTS=OFF
cmake --build --preset release -j "$(nproc)"

deskext=build/release/runtime/deskext
"$deskext" version
"$deskext" install build/release/packaging/example-extension.tar "$@"
"$deskext" ls "$@"
