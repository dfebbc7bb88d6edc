#!/usr/bin/env bash
# Cross-builds deskext.exe for windows/amd64 on a Debian 12 machine:
#   1. packaging/windows-deps.sh installs mingw-w64 and builds the static Windows libraries from
#      Debian's own source packages (kept in a cache keyed by their Debian versions, so a second
#      run reuses them) into BUILD_DIR/deps, unless --no-deps;
#   2. configures the `windows` preset (cmake/toolchain-x86_64-w64-mingw32.cmake; warnings are
#      errors) and builds BUILD_DIR/runtime/deskext.exe, one self-contained static executable;
#   3. with --tests, also the unit tests (BUILD_DIR/tests/deskext_unit_tests.exe; tests/run-all.sh
#      runs them under Wine with `ctest --test-dir BUILD_DIR`);
#   4. makes BUILD_DIR/deskext-<version>-windows-amd64.zip (CPack), unless --no-package.
#
# Usage: packaging/windows-build.sh [BUILD_DIR] [--tests] [--no-deps] [--no-package]
#   BUILD_DIR defaults to build/windows.
set -euo pipefail
cd "$(dirname "$0")/.."

build=build/windows deps=1 tests=0 package=1
while [ $# -gt 0 ]; do
    case "$1" in
        --tests) tests=1 ;;
        --no-deps) deps=0 ;;
        --no-package) package=0 ;;
        -*) echo "windows-build: unknown argument $1" >&2; exit 2 ;;
        *) build="$1" ;;
    esac
    shift
done
case "$build" in /*) ;; *) build="$PWD/$build" ;; esac
prefix="$build/deps"

if [ "$deps" -eq 1 ]; then ./packaging/windows-deps.sh --prefix "$prefix"; fi

cmake --preset windows -B "$build" "-DDESKEXT_WINDOWS_DEPS_PREFIX=$prefix" \
    ${DESKEXT_GIT_COMMIT:+"-DDESKEXT_GIT_COMMIT=$DESKEXT_GIT_COMMIT"}
targets=(deskext)
if [ "$tests" -eq 1 ]; then targets+=(deskext_unit_tests); fi
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"

exe="$build/runtime/deskext.exe"
file -b "$exe" | grep -q "PE32+ executable (console) x86-64" || {
    echo "windows-build: $exe is not a windows/amd64 console program: $(file -b "$exe")" >&2
    exit 1
}
echo "windows-build: built $exe"

if [ "$package" -eq 1 ]; then
    (cd "$build" && cpack -G ZIP)
fi
