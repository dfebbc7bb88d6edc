#!/usr/bin/env bash
# The memory bound (SECURITY.md, "Bounded resources"): installs the images of bound_images.py,
# which reach the default caps on entries and on name bytes across the image in the three ways
# that cost most, and prints each install's peak resident set and wall time, beside those of
# the example extension for scale. Every install must succeed: the images are within the caps.
#
#   tests/bench/memory.sh [--build-dir DIR] [--work DIR]
#
# The build directory (default build/release) must hold a built deskext. Images are written
# once into the work directory (default <build dir>/bench-memory) and kept.
set -euo pipefail
cd "$(dirname "$0")/../.."

build_dir=build/release
work=""
while [ $# -gt 0 ]; do
    case $1 in
        --build-dir) build_dir=${2:?--build-dir needs a value}; shift ;;
        --work) work=${2:?--work needs a value}; shift ;;
        *) sed -n '7,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
    shift
done
work=${work:-$build_dir/bench-memory}
deskext=$build_dir/runtime/deskext
[ -x "$deskext" ] || { echo "memory.sh: no deskext in $build_dir" >&2; exit 2; }

mkdir -p "$work"
[ -f "$work/images/listed/index.json" ] || python3 tests/bench/bound_images.py "$work/images"

# install NAME SOURCE: one row of the table.
install() {
    local root="$work/root-$1" stats="$work/time-$1"
    rm -rf "$root"
    /usr/bin/time -f "%e %M" -o "$stats" "$deskext" install "$2" --name "$1" \
        --root "$root" --platform linux/amd64 >/dev/null 2>"$work/err-$1" ||
        { echo "memory.sh: installing $1 failed:" >&2; cat "$work/err-$1" >&2; exit 1; }
    read -r seconds kib <"$stats"
    printf '| %s | %s | %d |\n' "$1" "$seconds" $((kib / 1024))
    rm -rf "$root"
}

echo "| image | seconds | peak RSS (MiB) |"
echo "| --- | --- | --- |"
example=$build_dir/packaging/example-extension-oci
[ -d "$example" ] && install example "oci:$example:0.1.0"
for image in entries names listed; do install "$image" "oci:$work/images/$image:1.0"; done
