#!/usr/bin/env bash
# Cross-builds deskext for linux/arm64 on a Debian 12 amd64 machine and checks the result under
# qemu-user, without arm64 hardware:
#   1. installs what it needs (Debian's cross compiler, qemu-user-static, the :arm64 development
#      packages through multiarch) unless --no-deps;
#   2. configures the `arm64` preset (cmake/toolchain-aarch64-linux-gnu.cmake) and builds;
#   3. runs the arm64 unit tests through qemu-aarch64-static (test preset `arm64`);
#   4. installs the example extension (an oci-archive built by a native build) with the arm64
#      deskext under qemu, without --platform: deskext must detect linux/arm64 by itself and
#      install the arm64 variant's host program;
#   5. builds the packages: deskext_<version>_arm64.deb and deskext-<version>-linux-arm64.tar.gz.
#
# Usage: packaging/cross-build.sh [--probe | --smoke | --no-check] [--no-deps] [--no-package]
#                                 [--build-dir DIR] [--example FILE]
#   --probe       configure, build only the platform layer and a probe printing the detected
#                 host, and run it under qemu (tests/run-all.sh: the quickest meaningful check)
#   --smoke       build only the deskext executable and run step 4 (skips unit tests, packages)
#   --no-check    build the deskext executable and package it, skip steps 3 and 4
#                 (packaging/Dockerfile)
#   --no-deps     do not install anything
#   --no-package  skip step 5
#   --build-dir   the arm64 build directory (default build/arm64)
#   --example     the example extension archive (default: build/release/packaging/
#                 example-extension.tar, built with the release preset when missing)
set -euo pipefail
cd "$(dirname "$0")/.."

probe=0 smoke=0 check=1 deps=1 package=1 build=build/arm64 example=""
while [ $# -gt 0 ]; do
    case "$1" in
        --probe) probe=1 ;;
        --smoke) smoke=1 package=0 ;;
        --no-check) check=0 ;;
        --no-deps) deps=0 ;;
        --no-package) package=0 ;;
        --build-dir) build="$2"; shift ;;
        --example) example="$2"; shift ;;
        *) echo "cross-build: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

# Where the arm64 packages that cannot be installed next to their amd64 version are unpacked:
# inside the checkout, so that a build never depends on what an earlier run left on the machine
# (the toolchain file reads the same path).
extra_prefix="$PWD/build/cross-extra/aarch64-linux-gnu"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

install_deps() {
    # Host tools, then the arm64 libraries deskext links against. These -dev packages are
    # `Multi-Arch: same`: they install next to the amd64 ones without replacing them (apt may
    # upgrade an amd64 library to the exact version of its arm64 twin, as multiarch requires).
    local tools=(crossbuild-essential-arm64 qemu-user-static dpkg-dev file cmake make pkg-config
                 python3)
    local arm64=(libcurl4-openssl-dev:arm64 libarchive-dev:arm64 libfmt-dev:arm64 libssl-dev:arm64
                 libzstd-dev:arm64 zlib1g-dev:arm64)
    # Architecture-independent headers the build needs whatever the target.
    local common=(nlohmann-json3-dev catch2)
    export DEBIAN_FRONTEND=noninteractive
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        $sudo dpkg --add-architecture arm64
        $sudo apt-get update -q
    fi
    local missing p
    source packaging/missing-packages.sh
    mapfile -t missing < <(missing_packages "${tools[@]}" "${arm64[@]}" "${common[@]}")
    if [ ${#missing[@]} -gt 0 ]; then
        echo "cross-build: installing ${missing[*]}"
        [ -n "$(find /var/lib/apt/lists -name '*binary-arm64_Packages*' -print -quit)" ] ||
            $sudo apt-get update -q
        $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi

    # ISA-L's packages (libisal2, libisal-dev) are not `Multi-Arch: same` in Debian 12: apt would
    # remove the amd64 ones to install the arm64 ones. They are unpacked instead, with the
    # prefix of their pkg-config file pointing at where they are.
    # Unpacked into a new directory that takes the prefix's place only once it is complete, so
    # that an interrupted run leaves no half-unpacked prefix behind.
    if [ ! -e "$extra_prefix/DEBIAN/libisal2/shlibs" ]; then
        local tmp staging="$extra_prefix.new"
        tmp=$(mktemp -d)
        chmod 755 "$tmp"  # apt downloads as the _apt user
        (cd "$tmp" && apt-get download libisal2:arm64 libisal-dev:arm64)
        rm -rf "$staging"
        mkdir -p "$staging/DEBIAN"
        for p in "$tmp"/*.deb; do dpkg-deb -x "$p" "$staging"; done
        # Its shlibs file names the package dpkg-shlibdeps cannot find (packaging/CMakeLists.txt).
        dpkg-deb -e "$tmp"/libisal2_*.deb "$staging/DEBIAN/libisal2"
        sed -i "s|^prefix=/usr\$|prefix=$extra_prefix/usr|" \
            "$staging/usr/lib/aarch64-linux-gnu/pkgconfig/libisal.pc"
        rm -rf "$tmp" "$extra_prefix"
        mv "$staging" "$extra_prefix"
    fi
}

if [ "$deps" -eq 1 ]; then install_deps; fi

qemu=(qemu-aarch64-static -E "LD_LIBRARY_PATH=$extra_prefix/usr/lib/aarch64-linux-gnu")
jobs=$(nproc)

cmake --preset arm64 -B "$build" "-DDESKEXT_CROSS_EXTRA_PREFIX=$extra_prefix" \
    ${DESKEXT_GIT_COMMIT:+"-DDESKEXT_GIT_COMMIT=$DESKEXT_GIT_COMMIT"}
probe_program="$build/tests/packaging/deskext_host_platform_probe"
if [ "$probe" -eq 1 ]; then
    cmake --build "$build" -j "$jobs" --target deskext_host_platform_probe
    file -b "$probe_program" | grep -q "ARM aarch64"
    host=$("${qemu[@]}" "$probe_program")
    echo "cross-build: the arm64 platform layer under qemu detects $host"
    [ "$host" = linux/arm64 ]
    exit 0
fi

unit_tests=$([ "$smoke" -eq 0 ] && [ "$check" -eq 1 ] && echo 1 || echo 0)
targets=(deskext)
if [ "$package" -eq 1 ]; then targets+=(deskext_man_page); fi
if [ "$unit_tests" -eq 1 ]; then targets+=(deskext_unit_tests); fi
cmake --build "$build" -j "$jobs" --target "${targets[@]}"
# The test commands carry CMAKE_CROSSCOMPILING_EMULATOR (qemu) from the toolchain file. Three
# tests start child processes in ways qemu-user cannot emulate, and are left to arm64 hardware:
# posix_spawn's report of a failed exec (qemu runs the vfork-style child as a fork, so a missing
# program is exit 127 instead of an error; two tests), and running an arm64 child program (no
# binfmt_misc registration for qemu in a container).
qemu_limits="run_process looks programs up on PATH|credentials from credential helpers"
qemu_limits+="|the linux host program of this machine runs"
if [ "$unit_tests" -eq 1 ]; then
    ctest --test-dir "$build" -L unit -E "$qemu_limits" --no-tests=error -j "$jobs"
fi

deskext="$build/runtime/deskext"
file -b "$deskext" | grep -q "ARM aarch64" || {
    echo "cross-build: $deskext is not an arm64 executable: $(file -b "$deskext")" >&2
    exit 1
}

if [ "$check" -eq 1 ]; then
    # The example extension comes from a native build: its image-building tools run on the
    # build machine.
    if [ -z "$example" ]; then
        example=build/release/packaging/example-extension.tar
        if [ ! -f "$example" ]; then
            cmake --preset release -DDESKEXT_BUILD_TESTS=OFF
            cmake --build --preset release -j "$jobs" --target example_extension
        fi
    fi

    # Under qemu-user, uname(2) reports the emulated machine (aarch64), so deskext sees an
    # arm64 host exactly as on arm64 hardware.
    root=$(mktemp -d)
    trap 'rm -rf "$root"' EXIT
    "${qemu[@]}" "$deskext" version
    host=$("${qemu[@]}" "$deskext" version --json | python3 -c \
        'import json, sys; print(json.loads(sys.stdin.readlines()[-1])["host_platform"])')
    if [ "$host" != linux/arm64 ]; then
        echo "cross-build: the arm64 deskext detected $host, not linux/arm64" >&2
        exit 1
    fi
    "${qemu[@]}" "$deskext" install "$example" --root "$root"
    extension="$root/deskext_example-extension"
    python3 -c 'import json, sys
state = json.load(open(sys.argv[1]))
for key in ("platform", "image_platform"):
    assert state[key] == "linux/arm64", f"state.json {key}: {state[key]}"' \
        "$extension/.deskext/state.json"
    program=$(find "$extension" -name example-cli -type f)
    echo "cross-build: installed host program $program: $(file -b "$program")"
    file -b "$program" | grep -q "ELF 64-bit LSB .*ARM aarch64" || {
        echo "cross-build: the installed host program is not an arm64 ELF" >&2
        exit 1
    }
    echo "cross-build: linux/arm64 detected under qemu, arm64 variant installed"
fi

if [ "$package" -eq 1 ]; then
    (cd "$build" && cpack)
    for f in "$build"/deskext_*_arm64.deb; do dpkg-deb -I "$f" | grep -E "Architecture|Depends"; done
fi
