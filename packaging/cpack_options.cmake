# Included by cpack at packaging time (CPACK_PROJECT_CONFIG_FILE).

# dpkg-shlibdeps looks for the libraries of DEB_HOST_ARCH (by default the machine's own
# architecture) and reads them with that architecture's objdump: a cross-built arm64 deskext
# needs DEB_HOST_ARCH=arm64 to find /usr/lib/aarch64-linux-gnu and aarch64-linux-gnu-objdump.
if(CPACK_GENERATOR STREQUAL "DEB" AND NOT DEFINED ENV{DEB_HOST_ARCH})
    execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE build_arch
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(build_arch AND NOT build_arch STREQUAL CPACK_DEBIAN_PACKAGE_ARCHITECTURE)
        set(ENV{DEB_HOST_ARCH} "${CPACK_DEBIAN_PACKAGE_ARCHITECTURE}")
    endif()
endif()
