#!/usr/bin/env bash
# The deskext benchmark (README.md, "Performance"): installs of 50 MiB, 200 MiB and 1 GiB
# extension images from a local docker-registry and from an oci-archive, timed against what a
# user would script instead (skopeo copy + umoci raw unpack + a copy), against Docker's way (a
# dockerd of its own: pull, create, cp, rm) and against the floors (fetching, hashing and
# inflating the layers, with gzip or igzip), several interleaved runs each
# (tests/bench/bench.py). Writes tests/bench/results/ (results.md, table.md for README.md,
# results.json, results.csv, plot.png).
#
#   tests/bench/run.sh [--build-dir DIR] [--sizes 50M,200M,1G] [--runs N] [--work DIR]
#                      [--out DIR] [--no-plot]
#   tests/bench/run.sh --smoke [--build-dir DIR]
#
# --smoke: the 50 MiB image, one run of each command, every install checked, no plot, results
# in the work directory only; fails when an install fails or installs wrong files, never on
# timings. The build directory (default build/release, build/dev with --smoke; also
# $DESKEXT_BENCH_BUILD_DIR) is configured with the matching preset when it is not yet, and only
# the programs the benchmark runs are built. Generated images are kept in the work directory
# (default <build dir>/bench) and written again only when the image writer changes.
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() { sed -n '10,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

smoke=0
build_dir=${DESKEXT_BENCH_BUILD_DIR:-}
sizes=""
runs=5
work=""
out=""
plot_args=()
while [ $# -gt 0 ]; do
    case $1 in
        --smoke) smoke=1 ;;
        --build-dir) build_dir=${2:?--build-dir needs a value}; shift ;;
        --sizes) sizes=${2:?--sizes needs a value}; shift ;;
        --runs) runs=${2:?--runs needs a value}; shift ;;
        --work) work=${2:?--work needs a value}; shift ;;
        --out) out=${2:?--out needs a value}; shift ;;
        --no-plot) plot_args=(--no-plot) ;;
        -h|--help) usage ;;
        *) echo "run.sh: unknown option $1" >&2; usage ;;
    esac
    shift
done

if [ "$smoke" = 1 ]; then
    preset=dev
    build_dir=${build_dir:-build/dev}
    sizes=${sizes:-50M}
    work=${work:-$build_dir/bench}
    out=${out:-$work/smoke-results}
    mode_args=(--smoke)
else
    preset=release
    build_dir=${build_dir:-build/release}
    sizes=${sizes:-50M,200M,1G}
    work=${work:-$build_dir/bench}
    out=${out:-tests/bench/results}
    mode_args=(--runs "$runs")
fi

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    cmake --preset "$preset" -B "$build_dir"
fi
cmake --build "$build_dir" -j "$(nproc)" --target deskext deskext-bench-image \
    deskext-bench-registry

# Debian's interpreter, as for the registry test scripts (tests/fixtures/scripts).
exec /usr/bin/python3 tests/bench/bench.py --build-dir "$build_dir" --work "$work" --out "$out" \
    --sizes "$sizes" "${mode_args[@]}" "${plot_args[@]}"
