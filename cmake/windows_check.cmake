# The whole program for Windows: platform/src/windows and the code every OS shares, and every
# source the runtime library and the deskext executable are built from (runtime/src,
# runtime/cli), compiled with mingw-w64's g++, the project's warnings and -Werror: CI runs on
# Linux only, and this keeps the Windows build compiling. Compiled only, never linked or run
# (Debian has no Windows builds of the libraries deskext links): the `windows_compile_check`
# target, built by tests/run-all.sh. Included once the deskext_runtime and deskext targets exist.
#
# The libraries' headers are Debian's own, searched after mingw-w64's so that the C, C++ and
# Windows headers are always mingw-w64's: /usr/include (fmt, nlohmann/json, libarchive, ISA-L),
# and of the multiarch directory (/usr/include/<triplet>, whose bits/, sys/ and asm/ are Linux's
# own) only curl/, linked into windows-check/include. OpenSSL is not needed: on Windows SHA-256
# comes from CNG (platform/src/windows/sha256.cpp).
find_program(DESKEXT_MINGW_CXX NAMES x86_64-w64-mingw32-g++-posix x86_64-w64-mingw32-g++)
if(NOT DESKEXT_MINGW_CXX)
    return()
endif()

set(windows_check_dir "${CMAKE_BINARY_DIR}/windows-check")
set(windows_check_include "${windows_check_dir}/include")
file(MAKE_DIRECTORY "${windows_check_include}")
file(CREATE_LINK "${CURL_INCLUDE_DIR}/curl" "${windows_check_include}/curl" SYMBOLIC)

set(windows_check_flags
    -std=c++23 ${DESKEXT_WARNING_FLAGS} ${DESKEXT_GNU_WARNING_FLAGS} -Werror
    "-I${PROJECT_SOURCE_DIR}/platform/include" "-I${PROJECT_SOURCE_DIR}/runtime/include"
    "-I${PROJECT_SOURCE_DIR}/runtime/src" "-I${CMAKE_BINARY_DIR}/runtime/generated"
    -idirafter /usr/include -idirafter "${windows_check_include}")
if(DESKEXT_HAVE_ISAL)
    list(APPEND windows_check_flags -DDESKEXT_HAVE_ISAL=1 -idirafter "${ISAL_INCLUDE_DIR}")
endif()

# The platform layer's Windows selection (platform/CMakeLists.txt picks it when WIN32), and the
# sources of the runtime and the executable as their targets have them (gzip_inflate_reader.cpp
# only with ISA-L), but for what the build generates (build_commit.cpp: one string).
file(GLOB windows_check_sources CONFIGURE_DEPENDS
     "${PROJECT_SOURCE_DIR}/platform/src/windows/*.cpp"
     "${PROJECT_SOURCE_DIR}/platform/src/common/*.cpp")
foreach(target deskext_runtime deskext)
    get_target_property(target_dir ${target} SOURCE_DIR)
    get_target_property(target_sources ${target} SOURCES)
    foreach(source IN LISTS target_sources)
        cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY "${target_dir}")
        cmake_path(IS_PREFIX PROJECT_SOURCE_DIR "${source}" in_source_tree)
        cmake_path(IS_PREFIX CMAKE_BINARY_DIR "${source}" generated)
        if(in_source_tree AND NOT generated)
            list(APPEND windows_check_sources "${source}")
        endif()
    endforeach()
endforeach()

set(windows_check_objects "")
foreach(source IN LISTS windows_check_sources)
    cmake_path(RELATIVE_PATH source BASE_DIRECTORY "${PROJECT_SOURCE_DIR}" OUTPUT_VARIABLE relative)
    cmake_path(REPLACE_EXTENSION relative .obj OUTPUT_VARIABLE object)
    set(object "${windows_check_dir}/${object}")
    cmake_path(GET object PARENT_PATH object_dir)
    add_custom_command(
        OUTPUT "${object}"
        COMMAND "${CMAKE_COMMAND}" -E make_directory "${object_dir}"
        COMMAND "${DESKEXT_MINGW_CXX}" ${windows_check_flags} -MD -MF "${object}.d" -c "${source}"
                -o "${object}"
        DEPENDS "${source}"
        DEPFILE "${object}.d"
        COMMENT "Compiling ${relative} for Windows (mingw-w64)"
        VERBATIM)
    list(APPEND windows_check_objects "${object}")
endforeach()
add_custom_target(windows_compile_check DEPENDS ${windows_check_objects})
