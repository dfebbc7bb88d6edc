#!/usr/bin/env bash
# The whole test suite: installs what the tests need, builds the dev preset (warnings are
# errors) and runs every unit and integration test with CTest and a smoke run of the benchmark,
# builds deskext.exe and tests it under Wine, then the unit and hostile suites under the asan
# preset, then each fuzz target for a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

./packaging/install-deps.sh
cmake --preset dev
cmake --build --preset dev -j "$(nproc)"
ctest --preset dev -j "$(nproc)"
# The benchmark once at its smallest size (tests/bench/run.sh): fails when an install fails or
# installs wrong files, never on timings.
./tests/bench/run.sh --smoke --build-dir build/dev

# Windows: deskext.exe cross-built with mingw-w64 against libraries built from Debian's own
# source packages (once: they are cached by Debian version), packaged as a zip, with its unit
# tests; then both run under Wine: the unit tests, and the [host] integration tests against
# deskext.exe (tests/windows/run-tests.sh).
./packaging/windows-build.sh build/windows --tests
./tests/windows/run-tests.sh build/windows build/dev

# The unit and hostile-input suites again under AddressSanitizer and UndefinedBehaviorSanitizer
# (the hostile cases run the asan-built deskext binary). The asan preset is a clang build that
# also holds the fuzz targets, so the fuzz run below reuses its objects.
cmake --preset asan
cmake --build --preset asan -j "$(nproc)" --target deskext_unit_tests deskext_hostile_tests \
    deskext_host_platform_probe
ctest --preset asan -L 'unit|hostile' -j "$(nproc)"

# Each libFuzzer target for a short fixed time on its seed corpus (longer: tests/fuzz/run.sh N).
./tests/fuzz/run.sh 10

# linux/arm64, the quickest meaningful check: the cross toolchain and the :arm64 libraries
# configure, the platform layer cross-compiles, and under qemu-user it detects linux/arm64. The
# arm64 ISA-L it links is unpacked inside this checkout, so a fresh clone sets it up from nothing.
# The whole arm64 check (deskext and its unit tests under qemu, the example extension installed
# by the arm64 deskext, the packages) takes far longer: packaging/cross-build.sh.
./packaging/cross-build.sh --probe
