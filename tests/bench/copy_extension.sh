#!/usr/bin/env bash
# copy_extension.sh ROOTFS TARGET: the last step of what a user would script instead of deskext,
# after `skopeo copy` and `umoci raw unpack`: copies from an unpacked image what the extension
# needs on a Linux host into TARGET, laid out as deskext lays it out (README.md): metadata.json,
# the icon, ui/<basename of the UI root>/, host/<basename> of each binary metadata.json declares
# for linux, binaries chmod 0755.
set -euo pipefail
rootfs=$1
target=$2
metadata="$rootfs/metadata.json"

mkdir -p "$target/ui" "$target/host"
cp "$metadata" "$target/"
icon=$(jq -r '.icon // empty' "$metadata")
if [ -n "$icon" ]; then cp "$rootfs/${icon#/}" "$target/"; fi
jq -r '.ui // {} | .[].root' "$metadata" | sort -u | while read -r root; do
    cp -r "$rootfs/${root#/}" "$target/ui/$(basename "$root")"
done
jq -r '.host.binaries // [] | .[].linux // [] | .[].path' "$metadata" | while read -r path; do
    cp "$rootfs/${path#/}" "$target/host/"
    chmod 0755 "$target/host/$(basename "$path")"
done
