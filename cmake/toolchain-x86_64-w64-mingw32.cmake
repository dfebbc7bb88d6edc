# Cross-compiling deskext.exe for windows/amd64 on Debian with mingw-w64
# (g++-mingw-w64-x86-64-posix: the posix thread model, which std::thread needs). The libraries
# come from packaging/windows-deps.sh: static mingw-w64 builds of Debian's own sources in one
# prefix, searched alone (nothing from the Linux /usr). packaging/windows-build.sh passes the
# prefix; the CMake preset `windows` uses this file.

set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)

set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc-posix)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++-posix)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)

set(DESKEXT_WINDOWS_DEPS_PREFIX "$ENV{HOME}/.cache/deskext-build/windows-amd64/prefix"
    CACHE PATH "The prefix packaging/windows-deps.sh assembled")

set(CMAKE_FIND_ROOT_PATH "${DESKEXT_WINDOWS_DEPS_PREFIX}" /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(ENV{PKG_CONFIG_LIBDIR} "${DESKEXT_WINDOWS_DEPS_PREFIX}/lib/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

# Every library is static: their headers must not declare dllimport, and what they need from
# Windows (curl: Schannel, sockets, CNG; libarchive: zstd and zlib) comes last on every link
# line. One self-contained deskext.exe: libstdc++, libgcc and winpthreads linked in too.
set(CMAKE_C_FLAGS_INIT "-DCURL_STATICLIB -DLIBARCHIVE_STATIC")
set(CMAKE_CXX_FLAGS_INIT "-DCURL_STATICLIB -DLIBARCHIVE_STATIC")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
# (ld applies -L to every -l, wherever it stands.)
set(CMAKE_CXX_STANDARD_LIBRARIES
    "-L${DESKEXT_WINDOWS_DEPS_PREFIX}/lib -lzstd -lz -lbcrypt -ladvapi32 -lcrypt32 -lsecur32 -lws2_32 -lwinhttp")

# Test programs and build-time tools run under Wine (tests/windows/wine.sh).
set(CMAKE_CROSSCOMPILING_EMULATOR "${CMAKE_CURRENT_LIST_DIR}/../tests/windows/wine.sh")
