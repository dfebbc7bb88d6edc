#!/usr/bin/env bash
# Installs, from Debian 12's packages, everything deskext needs to build, to run its test suite
# (docker-registry, skopeo, openssl) and to build its packages. Safe to run again.
set -euo pipefail

packages=(
    cmake g++ make pkg-config git
    nlohmann-json3-dev libcurl4-openssl-dev libarchive-dev libfmt-dev libssl-dev libzstd-dev
    zlib1g-dev catch2
    # ISA-L's igzip inflates gzip layers (README "Dependencies"); optional at build time.
    libisal-dev
    skopeo docker-registry openssl zstd ca-certificates
    # The registry tests: htpasswd (bcrypt users), the token server and the fault proxy
    # (tests/fixtures/scripts, run with Debian's /usr/bin/python3).
    apache2-utils python3 python3-cryptography
    # The benchmark (tests/bench/run.sh): the pipeline it compares with (umoci, jq), the floors
    # (curl; isal's igzip), Docker's way (docker.io: dockerd and its CLI) and the plot
    # (gnuplot-nox).
    umoci jq curl isal docker.io gnuplot-nox
    # Every JSON event the integration suites see is checked against docs/events.schema.json;
    # `script` (bsdutils) runs deskext under a pseudo-terminal for the progress-bar tests.
    python3-jsonschema bsdutils
    # The differential tests (tests/differential): Go, whose archive/tar is the reference reader
    # of layers, and the tar test data of Go and of Python's tarfile.
    golang-go golang-1.19-src libpython3.11-testsuite
    # The proxy tests: a real forward proxy (run in the foreground by the tests, never as a
    # service) and curl, with which the hostile registry cases push hand-made manifests.
    squid curl
    # The packages (cpack: dpkg-shlibdeps and file) and the man page and completion tests
    # (tests/packaging: groff renders the man page, zsh loads its completion).
    dpkg-dev file groff-base zsh
    # The libFuzzer targets (tests/fuzz): clang 16 is Debian 12's oldest clang that compiles
    # libstdc++'s <expected>; libclang-rt-16-dev holds libFuzzer and the sanitizer runtimes.
    clang-16 libclang-rt-16-dev
    # The Windows build (packaging/windows-build.sh; its libraries: packaging/windows-deps.sh)
    # and Wine, which runs deskext.exe in the tests (tests/windows/run-tests.sh).
    g++-mingw-w64-x86-64-posix wine64
)

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

source "$(dirname "$0")/missing-packages.sh"
mapfile -t missing < <(missing_packages "${packages[@]}")
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all packages present"
    exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
