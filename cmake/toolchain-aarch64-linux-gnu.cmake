# Cross-compiling for linux/arm64 on a Debian amd64 machine with Debian's cross toolchain
# (crossbuild-essential-arm64) and the :arm64 development packages installed through multiarch
# (`dpkg --add-architecture arm64`): the arm64 libraries live next to the native ones in
# /usr/lib/aarch64-linux-gnu, so no sysroot is needed. packaging/cross-build.sh installs all of
# it; the CMake preset `arm64` uses this file.

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Makes find_library and find_package search /usr/lib/aarch64-linux-gnu (and never the amd64
# /usr/lib/x86_64-linux-gnu) and lets dpkg-shlibdeps find the arm64 libraries.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# Libraries whose Debian packages cannot be installed next to their amd64 version (no
# `Multi-Arch: same`, e.g. ISA-L) are unpacked by packaging/cross-build.sh under this prefix, in
# the checkout's build/ directory.
set(DESKEXT_CROSS_EXTRA_PREFIX "${CMAKE_CURRENT_LIST_DIR}/../build/cross-extra/aarch64-linux-gnu"
    CACHE PATH "Unpacked arm64 packages that multiarch cannot install")
if(EXISTS "${DESKEXT_CROSS_EXTRA_PREFIX}/usr")
    list(APPEND CMAKE_PREFIX_PATH "${DESKEXT_CROSS_EXTRA_PREFIX}/usr")
endif()

# pkg-config: only arm64 (and architecture-independent) .pc files.
set(ENV{PKG_CONFIG_LIBDIR}
    "/usr/lib/aarch64-linux-gnu/pkgconfig:${DESKEXT_CROSS_EXTRA_PREFIX}/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")

# Test executables (catch_discover_tests, ctest) and build-time tools run through qemu-user;
# -E passes the library path of the unpacked packages to the arm64 dynamic loader.
find_program(DESKEXT_QEMU_AARCH64 qemu-aarch64-static)
if(DESKEXT_QEMU_AARCH64)
    set(CMAKE_CROSSCOMPILING_EMULATOR "${DESKEXT_QEMU_AARCH64};-E;LD_LIBRARY_PATH=${DESKEXT_CROSS_EXTRA_PREFIX}/usr/lib/aarch64-linux-gnu")
endif()

