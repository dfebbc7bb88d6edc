#!/usr/bin/env bash
# The whole test suite: installs what the tests need, builds the dev preset (warnings are
# errors) and runs every unit and integration test with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."

./packaging/install-deps.sh
cmake --preset dev
cmake --build --preset dev -j "$(nproc)"
ctest --preset dev -j "$(nproc)"
