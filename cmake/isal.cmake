# ISA-L's igzip inflates gzip layers several times faster than zlib
# (runtime/src/layer/gzip_inflate_reader.cpp). Optional: where it is not found, or with
# -DDESKEXT_USE_ISAL=OFF, libarchive's zlib-based gzip filter inflates them as before.
# Defines deskext::isal and DESKEXT_HAVE_ISAL when it is used.
option(DESKEXT_USE_ISAL "Inflate gzip layers with ISA-L (libisal) when it is found" ON)

set(DESKEXT_HAVE_ISAL OFF)
if(DESKEXT_USE_ISAL)
    find_package(PkgConfig QUIET)
    if(PkgConfig_FOUND)
        pkg_check_modules(PC_ISAL QUIET libisal)
    endif()
    find_path(ISAL_INCLUDE_DIR isa-l/igzip_lib.h HINTS ${PC_ISAL_INCLUDE_DIRS})
    find_library(ISAL_LIBRARY NAMES isal HINTS ${PC_ISAL_LIBRARY_DIRS})
    if(ISAL_INCLUDE_DIR AND ISAL_LIBRARY)
        set(DESKEXT_HAVE_ISAL ON)
        add_library(deskext_isal INTERFACE)
        add_library(deskext::isal ALIAS deskext_isal)
        target_include_directories(deskext_isal SYSTEM INTERFACE "${ISAL_INCLUDE_DIR}")
        target_link_libraries(deskext_isal INTERFACE "${ISAL_LIBRARY}")
        target_compile_definitions(deskext_isal INTERFACE DESKEXT_HAVE_ISAL=1)
    endif()
endif()
if(DESKEXT_HAVE_ISAL)
    message(STATUS "gzip layers: ISA-L (${ISAL_LIBRARY})")
else()
    message(STATUS "gzip layers: zlib, through libarchive (ISA-L not found or disabled)")
endif()
