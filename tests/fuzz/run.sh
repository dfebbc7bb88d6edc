#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz for FUZZ_SECONDS each (default 60) on its corpus:
# the seeds tests/fuzz/seeds/make_seeds.cpp writes (from the same documents and layers the tests
# use), plus what earlier runs found (kept in $BUILD/corpus). Configures and builds the fuzz
# configuration first (clang 16, see SECURITY.md). Fails if any target finds a crash, a leak or
# undefined behaviour; the input that did it is left in $BUILD/artifacts/.
#   tests/fuzz/run.sh 600            ten minutes per target
#   FUZZ_TARGETS="fuzz_layer" tests/fuzz/run.sh 3600
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${1:-60}"
build="${DESKEXT_FUZZ_BUILD:-build/asan}"
targets="${FUZZ_TARGETS:-fuzz_platform fuzz_reference fuzz_www_authenticate fuzz_index fuzz_manifest fuzz_config fuzz_metadata fuzz_layer fuzz_events fuzz_registries_conf}"
jobs="$(nproc)"
if [ "$jobs" -gt 2 ]; then jobs=2; fi

if [ -z "${DESKEXT_FUZZ_BUILD:-}" ]; then
    cmake --preset asan >/dev/null
else
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_COMPILER="${DESKEXT_FUZZ_CXX:-clang++-16}" -DDESKEXT_BUILD_FUZZERS=ON \
        -DDESKEXT_BUILD_TESTS=OFF -DDESKEXT_BUILD_EXAMPLE=OFF >/dev/null
fi
# shellcheck disable=SC2086
cmake --build "$build" -j "$jobs" --target deskext_fuzz_seeds $targets

rm -rf "$build/seeds"
"$build/tests/fuzz/deskext_fuzz_seeds" "$build/seeds"
mkdir -p "$build/artifacts"

failed=()
for target in $targets; do
    corpus="$build/corpus/$target"
    mkdir -p "$corpus"
    echo "fuzz: $target for ${seconds}s"
    # -rss_limit_mb: a layer may legitimately use memory for its tree; far more is a bug.
    if ! "$build/tests/fuzz/$target" "$corpus" "$build/seeds/$target" \
        -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$build/artifacts/$target-" -print_final_stats=1 \
        >"$build/artifacts/$target.log" 2>&1; then
        tail -n 40 "$build/artifacts/$target.log"
        failed+=("$target")
    else
        grep -E "^(stat::number_of_executed_units|Done)" "$build/artifacts/$target.log" || true
    fi
done
if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzz: FAILED: ${failed[*]} (inputs in $build/artifacts/)" >&2
    exit 1
fi
echo "fuzz: all targets clean"
