#!/usr/bin/env bash
# Builds the libraries deskext links on windows/amd64 as static mingw-w64 libraries, from Debian
# 12's own source packages (`apt-get source`, Debian's patches applied), and assembles them with
# the header-only libraries into one install prefix that a CMake toolchain file can search:
#   zlib, libzstd, libarchive (zlib and zstd only: tar and pax with the gzip and zstd filters),
#   curl (libcurl: HTTP and HTTPS only, TLS through Windows' own Schannel, zlib), fmtlib, and
#   libisal (ISA-L's igzip; optional: when it does not build it is left out with a warning, and
#   deskext inflates gzip through libarchive's zlib filter). nlohmann-json3-dev's and catch2's
#   headers and CMake config files are copied into the prefix from the installed Debian packages,
#   so that the prefix alone answers every find_package (Catch2::Catch2WithMain is left out: its
#   library in Debian's package is a Linux one).
# Everything comes from Debian's archive: the script adds deb-src entries mirroring the `deb`
# entries of /etc/apt/sources.list.d/debian.sources and installs the tools it needs.
#
# Usage: packaging/windows-deps.sh [--prefix DIR]
#   --prefix  where the combined prefix is assembled (default: CACHE/prefix)
#
# CACHE is $DESKEXT_WINDOWS_DEPS_CACHE, by default
# ${XDG_CACHE_HOME:-$HOME/.cache}/deskext-build/windows-amd64.
#   CACHE/<package>_<debian-version>/ holds one library installed alone. A library built against
#     others names their versions too (curl_<v>+zlib_<v>, libarchive_<v>+zlib_<v>+libzstd_<v>),
#     so that a new zlib or zstd rebuilds it. Its `.built`, written last, holds a hash of the
#     build recipe and compiler: a directory without it (an interrupted build) or with another
#     hash is built again. The Debian version is the newest that apt lists and the archive
#     serves; the epoch is left out, as in Debian's file names.
#   The prefix is a copy of those directories and of the header-only libraries, made again only
#     when one of them changed; deskext-windows-deps.txt in it says what it holds. The .pc files
#     say `prefix=${pcfiledir}/../..` and the CMake config files are relocatable, so both work
#     from wherever the prefix is.
#
# In the prefix: headers in include/ (isa-l.h and isa-l/, as Debian's libisal-dev), libraries in
# lib/lib*.a, pkg-config files in lib/pkgconfig, CMake config files in lib/cmake (fmt, Catch2)
# and share/cmake (nlohmann_json). Static linking needs `pkg-config --static`, which gives:
#   libcurl     -DCURL_STATICLIB  -lcurl -lbcrypt -ladvapi32 -lcrypt32 -lz -lws2_32
#   libarchive  -DLIBARCHIVE_STATIC  -larchive -lzstd -lz
#   libzstd -lzstd, zlib -lz, fmt -lfmt (or fmt::fmt), libisal -lisal
# and programs link with `-static` (libstdc++, libgcc and winpthreads included).
set -euo pipefail
script_dir=$(cd "$(dirname "$0")" && pwd)

cache=${DESKEXT_WINDOWS_DEPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/deskext-build/windows-amd64}
prefix=""
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="${2:?--prefix needs a directory}"; shift ;;
        *) echo "windows-deps: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
prefix=${prefix:-$cache/prefix}
case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac

host=x86_64-w64-mingw32
cc=$host-gcc-posix
cxx=$host-g++-posix
jobs=$(nproc)
manifest_name=deskext-windows-deps.txt
deb_src_list=/etc/apt/sources.list.d/deskext-deb-src.sources
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

log() { echo "windows-deps: $*"; }
die() { echo "windows-deps: $*" >&2; exit 1; }

started=$SECONDS
work=$(mktemp -d -t deskext-windows-deps.XXXXXX)
declare -A job=()
cleanup() {
    local pid
    # An interrupted run stops the builds still running (each in its own process group, and
    # left without its .built) before removing their sources.
    for pid in "${job[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Debian's source packages, from the same archives as its binary ones: one deb-src stanza for
# each enabled `deb` stanza of debian.sources that has none.
add_deb_src() {
    local sources=/etc/apt/sources.list.d/debian.sources entries
    [ -f "$sources" ] || return 0
    entries=$(awk '
        function flush() {
            if (n && deb && !src && !disabled) {
                print "Types: deb-src"; for (i = 1; i <= n; i++) print line[i]; print ""
            }
            n = deb = src = disabled = 0
        }
        /^[[:space:]]*$/ { flush(); next }
        /^#/ { next }
        /^Types:/ {
            for (i = 2; i <= NF; i++) { if ($i == "deb") deb = 1; if ($i == "deb-src") src = 1 }
            next
        }
        /^Enabled:[[:space:]]*no/ { disabled = 1 }
        { line[++n] = $0 }
        END { flush() }' "$sources")
    [ -n "$entries" ] || return 0
    entries="# Debian's source packages, for packaging/windows-deps.sh of deskext.
$entries"
    if [ ! -f "$deb_src_list" ] || [ "$(cat "$deb_src_list")" != "$entries" ]; then
        log "adding Debian's source packages to apt: $deb_src_list"
        printf '%s\n' "$entries" | $sudo tee "$deb_src_list" >/dev/null
        need_update=1
    fi
}

install_tools() {
    # dpkg-dev brings dpkg-source and what it unpacks with (patch, xz-utils, bzip2). No
    # autotools: the upstream configure scripts are used as shipped (see build_curl).
    local tools=(g++-mingw-w64-x86-64-posix nasm make cmake pkg-config dpkg-dev
                 nlohmann-json3-dev catch2) missing need_update=0
    add_deb_src
    if ! compgen -G '/var/lib/apt/lists/*_source_Sources*' >/dev/null; then need_update=1; fi
    source "$script_dir/missing-packages.sh"
    mapfile -t missing < <(missing_packages "${tools[@]}")
    export DEBIAN_FRONTEND=noninteractive
    if [ "$need_update" -eq 1 ] || [ ${#missing[@]} -gt 0 ]; then $sudo apt-get update -q; fi
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
}

# The Debian versions of source package $1 that apt lists, newest first.
source_versions() {
    local v i sorted=()
    while read -r v; do
        i=${#sorted[@]}
        while [ "$i" -gt 0 ] && dpkg --compare-versions "$v" gt "${sorted[i - 1]}"; do
            sorted[i]=${sorted[i - 1]}
            i=$((i - 1))
        done
        sorted[i]=$v
    done < <(apt-cache showsrc --only-source "$1" 2>/dev/null | sed -n 's/^Version: //p' | sort -u)
    if [ ${#sorted[@]} -gt 0 ]; then printf '%s\n' "${sorted[@]}"; fi
}

# What a build depends on besides the sources: its recipe and the compiler (compiler_version,
# read once the compiler is installed).
recipe_hash() {
    { declare -f "build_$1"; echo "$compiler_version"; } | sha256sum | cut -c1-16
}

declare -A version=() key=() todo=()
# resolve PACKAGE [DEPENDENCY...]: picks the newest Debian version of PACKAGE that is built in
# the cache or can be downloaded (a version apt lists but the archive no longer serves is
# skipped), and unpacks the source of one that must be built into $work/PACKAGE/src.
resolve() {
    local pkg=$1 deps="" d v k versions dir="$work/$1"
    shift
    for d in "$@"; do deps+="+${d}_${version[$d]}"; done
    mapfile -t versions < <(source_versions "$pkg")
    [ ${#versions[@]} -gt 0 ] || die "apt lists no source package $pkg (no deb-src entries?)"
    for v in "${versions[@]}"; do
        # Without the epoch: a ':' in the path would split PKG_CONFIG_PATH.
        k="${pkg}_${v#*:}$deps"
        version[$pkg]=${v#*:}
        key[$pkg]=$k
        if [ "$(cat "$cache/$k/.built" 2>/dev/null)" = "$(recipe_hash "$pkg")" ]; then
            return 0
        fi
        rm -rf "$dir"
        mkdir -p "$dir/debian-source"
        if (cd "$dir/debian-source" && apt-get source -q --download-only --only-source "$pkg=$v") \
            >"$dir/download.log" 2>&1; then
            dpkg-source -x "$dir"/debian-source/*.dsc "$dir/src" >>"$dir/download.log" 2>&1 ||
                { cat "$dir/download.log" >&2; die "could not unpack $pkg $v"; }
            todo[$pkg]=1
            return 0
        fi
        log "warning: $pkg $v is listed but could not be downloaded ($(grep -m1 '^E:' \
            "$dir/download.log" || true)); trying an older version"
    done
    die "no version of $pkg could be downloaded"
}

# Makes an installed .pc file relocatable: every path relative to the file's own directory.
relocate_pc() {
    local file=$1 old=$2
    if ! grep -q '^prefix=' "$file"; then sed -i "1i prefix=$old" "$file"; fi
    sed -i -e "s|^prefix=.*|prefix=\${pcfiledir}/../..|" -e "s|$old/|\${prefix}/|g" \
        -e "s|=$old\$|=\${prefix}|" "$file"
}

# Runs an autoconf configure script under dash, as the libtool script it writes: every check and
# every compile starts a shell, and dash starts much faster than the bash configure would pick.
configure_with_dash() {
    CONFIG_SHELL=/bin/dash /bin/dash ./configure "$@"
}

# Each build_PACKAGE runs in the unpacked source with the directory to install into.

build_zlib() {
    local dest=$1
    CHOST=$host CC=$cc ./configure --static --prefix="$dest"
    make -j"$jobs" libz.a
    make install-libs
    install -d "$dest/include"
    install -m 644 zlib.h zconf.h "$dest/include/"
    rm -rf "$dest/share"
}

build_libzstd() {
    local args=(CC="$cc" AR="$host-ar" PREFIX="$1")
    # The single-threaded library, without the programs (libarchive uses no zstd threads).
    make -C lib -j"$jobs" "${args[@]}" libzstd.a
    make -C lib "${args[@]}" install-static install-includes install-pc
}

build_fmtlib() {
    cmake -S . -B build-windows -DCMAKE_SYSTEM_NAME=Windows -DCMAKE_CXX_COMPILER="$cxx" \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$1" -DCMAKE_INSTALL_LIBDIR=lib \
        -DBUILD_SHARED_LIBS=OFF -DFMT_DOC=OFF -DFMT_TEST=OFF -DFMT_INSTALL=ON
    cmake --build build-windows -j "$jobs"
    cmake --install build-windows
}

build_libarchive() {
    local dest=$1 zlib="$cache/${key[zlib]}" zstd="$cache/${key[libzstd]}"
    # Debian's patches change configure.ac and Makefile.am only for the iconv pkg-config entry
    # and the test data (both unused here): the shipped configure is used as it is, and
    # --disable-maintainer-mode keeps make from regenerating it.
    configure_with_dash --host="$host" --prefix="$dest" CC="$cc" CFLAGS=-O2 \
        CPPFLAGS="-I$zlib/include -I$zstd/include" LDFLAGS="-L$zlib/lib -L$zstd/lib" \
        --disable-maintainer-mode --disable-dependency-tracking --disable-shared --enable-static \
        --disable-bsdtar --disable-bsdcat --disable-bsdcpio --disable-posix-regex-lib \
        --disable-acl --disable-xattr --with-zlib --with-zstd --without-bz2lib --without-libb2 \
        --without-iconv --without-lz4 --without-lzma --without-lzo2 --without-cng \
        --without-openssl --without-mbedtls --without-nettle --without-xml2 --without-expat
    # A dependency that configure did not find would silently drop a filter deskext needs.
    grep -q '^#define HAVE_ZLIB_H 1' config.h || die "configure did not find zlib"
    grep -q '^#define HAVE_ZSTD_H 1' config.h || die "configure did not find zstd"
    make -j"$jobs" libarchive.la
    make install-libLTLIBRARIES install-includeHEADERS install-pkgconfigDATA
    # Only the static library is there: archive.h declares every function as imported from a
    # DLL unless LIBARCHIVE_STATIC is defined, also for users who do not ask for --static.
    sed -i 's/^Cflags: .*/& -DLIBARCHIVE_STATIC/' "$dest/lib/pkgconfig/libarchive.pc"
}

build_curl() {
    local dest=$1 p
    # Debian's last two patches turn the source into its GnuTLS and NSS flavours; its rules take
    # them out again to build the OpenSSL one, and so does this build.
    for p in 99_nss 90_gnutls; do
        if [ -f "debian/patches/$p.patch" ]; then patch -R -p1 -s <"debian/patches/$p.patch"; fi
    done
    # Without those two, Debian's patches change configure.ac and Makefile.am only for GSS-API,
    # LDAP and zsh completion (all off here): the shipped configure is used as it is (curl's
    # maintainer mode, off by default, keeps make from regenerating it). --disable-pthreads:
    # the threaded resolver uses Windows' threads.
    configure_with_dash --host="$host" --prefix="$dest" CC="$cc" CFLAGS=-O2 \
        --disable-dependency-tracking --disable-shared --enable-static \
        --with-schannel --with-zlib="$cache/${key[zlib]}" --disable-pthreads \
        --enable-http --disable-ftp --disable-file --disable-ldap --disable-ldaps --disable-rtsp \
        --disable-dict --disable-telnet --disable-tftp --disable-pop3 --disable-imap \
        --disable-smb --disable-smtp --disable-gopher --disable-mqtt --disable-manual \
        --disable-ntlm-wb --disable-ares --without-ca-bundle --without-ca-path \
        --without-libpsl --without-libidn2 --without-winidn --without-brotli --without-zstd \
        --without-nghttp2 --without-ngtcp2 --without-nghttp3 --without-quiche --without-msh3 \
        --without-hyper --without-libssh2 --without-libssh --without-wolfssh --without-librtmp \
        --without-libgsasl --without-zsh-functions-dir --without-fish-functions-dir
    grep -q '^#define USE_SCHANNEL 1' lib/curl_config.h || die "configure did not enable Schannel"
    grep -q '^#define HAVE_LIBZ 1' lib/curl_config.h || die "configure did not find zlib"
    make -C lib -j"$jobs"
    make -C lib install
    make -C include install
    make install-pkgconfigDATA
}

build_libisal() {
    local dest=$1 headers
    # Upstream's own Makefile for mingw builds only the library; upstream asks for yasm there,
    # Debian's nasm assembles it as well (-f win64).
    local args=(-f Makefile.unx arch=mingw CC="$cc" AR="$host-ar" AS=nasm have_threads=n)
    make -j"$jobs" "${args[@]}" lib isa-l.h
    # shellcheck disable=SC2016 # make's expressions, for make
    headers=$(make -s "${args[@]}" --eval 'print-headers: ; @echo $(sort $(extern_hdrs))' \
        print-headers)
    install -d "$dest/lib/pkgconfig" "$dest/include/isa-l"
    install -m 644 bin/isa-l.a "$dest/lib/libisal.a"
    # shellcheck disable=SC2086 # a list of file names
    install -m 644 $headers include/types.h "$dest/include/isa-l/"
    install -m 644 isa-l.h "$dest/include/"
    sed -e "s|@prefix@|$dest|; s|@exec_prefix@|\${prefix}|; s|@libdir@|\${prefix}/lib|" \
        -e "s|@includedir@|\${prefix}/include|; s|@VERSION@|${version[libisal]%-*}|" libisal.pc.in \
        >"$dest/lib/pkgconfig/libisal.pc"
}

# build PACKAGE: builds it into its cache directory (run in the background by `start`).
build() {
    local pkg=$1 dest="$cache/${key[$1]}" begin=$SECONDS pc
    rm -rf "$dest"
    mkdir -p "$dest"
    (
        cd "$work/$pkg/src"
        "build_$pkg" "$dest"
    ) >"$work/$pkg/build.log" 2>&1
    # libtool's .la files name the build's paths, and nothing here needs them.
    find "$dest" -name '*.la' -delete
    for pc in "$dest"/lib/pkgconfig/*.pc; do relocate_pc "$pc" "$dest"; done
    recipe_hash "$pkg" >"$dest/.built"
    log "built $pkg ${version[$pkg]} in $((SECONDS - begin)) s"
}

# start PACKAGE: builds it in the background unless the cache has it. A build's own steps run
# with -j"$jobs", and builds that do not depend on each other overlap: much of the time goes into
# configure scripts, which use one core. Each build gets its own process group (set -m), so that
# cleanup can stop all of it.
start() {
    if [ -n "${todo[$1]:-}" ]; then
        set -m
        build "$1" &
        job[$1]=$!
        set +m
    else
        log "$1 ${version[$1]}: built before (${key[$1]})"
    fi
}

# finish PACKAGE...: waits for their builds; a failed one ends the script once all ended.
# finish --optional PACKAGE: a failed build is left out of the prefix with a warning.
finish() {
    local optional=0 pkg failed=()
    if [ "$1" = --optional ]; then optional=1; shift; fi
    for pkg in "$@"; do
        [ -n "${job[$pkg]:-}" ] || continue
        wait "${job[$pkg]}" || failed+=("$pkg")
        unset "job[$pkg]"
    done
    for pkg in "${failed[@]}"; do
        log "$pkg ${version[$pkg]} did not build; the end of its log:"
        tail -n 30 "$work/$pkg/build.log" | sed 's/^/    /'
        if [ "$optional" -eq 1 ]; then
            log "warning: leaving $pkg out of the prefix"
            unset "version[$pkg]" "key[$pkg]"
        fi
    done
    if [ ${#failed[@]} -gt 0 ] && [ "$optional" -eq 0 ]; then
        # The other builds go on to their end: what they built is kept for the next run.
        for pkg in "${!job[@]}"; do
            wait "${job[$pkg]}" || true
            unset "job[$pkg]"
        done
        die "failed to build: ${failed[*]}"
    fi
}

# Copies the libraries and the header-only ones into the prefix, unless it holds them already
# (the same cache entries, built by the same recipes).
assemble() {
    local pkg manifest staging="$prefix.new" old
    manifest="# deskext's Windows (windows/amd64, mingw-w64) dependencies"
    manifest+=$'\n'"# package, Debian version, cache entry, recipe"
    for pkg in zlib libzstd libarchive curl fmtlib libisal; do
        if [ -n "${key[$pkg]:-}" ]; then
            manifest+=$'\n'"$pkg ${version[$pkg]} ${key[$pkg]} $(cat "$cache/${key[$pkg]}/.built")"
        fi
    done
    for pkg in nlohmann-json3-dev catch2; do
        manifest+=$'\n'"$pkg $(dpkg-query -W -f='${Version}' "$pkg") (headers, from /usr)"
    done
    if [ "$(cat "$prefix/$manifest_name" 2>/dev/null)" = "$manifest" ]; then
        log "prefix up to date: $prefix"
        return 0
    fi
    if [ -d "$prefix" ] && [ ! -f "$prefix/$manifest_name" ] && [ -n "$(ls -A "$prefix")" ]; then
        die "$prefix is not empty and was not made by this script: not replacing it"
    fi
    rm -rf "$staging"
    mkdir -p "$staging/include" "$staging/lib/pkgconfig" "$staging/lib/cmake/Catch2" \
        "$staging/share/cmake"
    for pkg in zlib libzstd libarchive curl fmtlib libisal; do
        if [ -n "${key[$pkg]:-}" ]; then cp -a "$cache/${key[$pkg]}/." "$staging/"; fi
    done
    rm -f "$staging/.built"
    cp -a /usr/include/nlohmann /usr/include/catch2 "$staging/include/"
    cp -a /usr/share/cmake/nlohmann_json "$staging/share/cmake/"
    # Catch2Targets-*.cmake would name Debian's Linux libCatch2WithMain.a.
    for old in /usr/lib/cmake/Catch2/*.cmake; do
        case "$old" in */Catch2Targets-*) ;; *) cp -a "$old" "$staging/lib/cmake/Catch2/" ;; esac
    done
    for pkg in nlohmann_json catch2; do
        cp "/usr/share/pkgconfig/$pkg.pc" "$staging/lib/pkgconfig/"
        relocate_pc "$staging/lib/pkgconfig/$pkg.pc" /usr
    done
    printf '%s\n' "$manifest" >"$staging/$manifest_name"
    rm -rf "$prefix"
    mv "$staging" "$prefix"
    log "assembled $prefix"
}

install_tools
compiler_version=$(dpkg-query -W -f='${Version}' gcc-mingw-w64-x86-64-posix)
mkdir -p "$cache"
resolve zlib
resolve libzstd
resolve fmtlib
resolve libisal
resolve libarchive zlib libzstd
resolve curl zlib

start zlib
finish zlib
start curl
start libzstd
start fmtlib
start libisal
finish libzstd
start libarchive
finish fmtlib curl libarchive
finish --optional libisal
if [ -z "${key[libisal]:-}" ]; then
    log "ISA-L left out: deskext inflates gzip through libarchive's zlib filter"
fi
assemble
log "done in $((SECONDS - started)) s; prefix: $prefix"
