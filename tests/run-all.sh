#!/usr/bin/env bash
# The whole test suite: installs what the tests need, builds the dev preset (warnings are
# errors) and runs every unit and integration test with CTest, then the unit and hostile suites
# under the asan preset, then each fuzz target for a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

./packaging/install-deps.sh
cmake --preset dev
cmake --build --preset dev -j "$(nproc)"
ctest --preset dev -j "$(nproc)"

# The unit and hostile-input suites again under AddressSanitizer and UndefinedBehaviorSanitizer
# (the hostile cases run the asan-built deskext binary).
cmake --preset asan
cmake --build --preset asan -j "$(nproc)" --target deskext_unit_tests deskext_hostile_tests
ctest --preset asan -L 'unit|hostile' -j "$(nproc)"

# Each libFuzzer target for a short fixed time on its seed corpus (longer: tests/fuzz/run.sh N).
./tests/fuzz/run.sh 10
