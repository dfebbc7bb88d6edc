#!/usr/bin/env bash
# docker_way.sh IMAGE TARGET: an extension installed the way Docker Desktop installs it, through
# the Docker engine that DOCKER_HOST names: pull the image, create a container of it (never
# started), copy out of the container metadata.json, the icon, the UI roots and the linux
# binaries metadata.json declares, laid out as deskext and copy_extension.sh lay them out, and
# remove the container. The image stays in the engine, as Docker Desktop keeps it.
set -euo pipefail
# Debian's docker.io CLI, which speaks to its engine, whatever other docker is first on PATH.
docker=/usr/bin/docker
image=$1
target=$2

"$docker" pull --quiet "$image" >/dev/null
# The image has no command; the container is only a view of its files.
id=$("$docker" create "$image" /none)
trap '"$docker" rm "$id" >/dev/null' EXIT
mkdir -p "$target/ui" "$target/host"
"$docker" cp "$id:/metadata.json" "$target/"
metadata="$target/metadata.json"
icon=$(jq -r '.icon // empty' "$metadata")
if [ -n "$icon" ]; then "$docker" cp "$id:/${icon#/}" "$target/"; fi
jq -r '.ui // {} | .[].root' "$metadata" | sort -u | while read -r root; do
    "$docker" cp "$id:/${root#/}" "$target/ui/$(basename "$root")"
done
jq -r '.host.binaries // [] | .[].linux // [] | .[].path' "$metadata" | while read -r path; do
    "$docker" cp "$id:/${path#/}" "$target/host/"
    chmod 0755 "$target/host/$(basename "$path")"
done
