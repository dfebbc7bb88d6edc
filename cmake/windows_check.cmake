# The Windows platform layer (platform/src/windows and the code it shares), compiled with
# mingw-w64's g++, the project's warnings and -Werror: CI runs on Linux only, and this keeps the
# Windows code building. Compiled only, never linked or run (Debian has no Windows builds of the
# libraries deskext links): the `windows_compile_check` target, built by tests/run-all.sh.
# Debian's own headers (fmt, nlohmann/json) are searched after mingw-w64's, so that the C and
# Windows headers are always mingw-w64's.
find_program(DESKEXT_MINGW_CXX NAMES x86_64-w64-mingw32-g++-posix x86_64-w64-mingw32-g++)
if(NOT DESKEXT_MINGW_CXX)
    return()
endif()

file(GLOB windows_check_sources CONFIGURE_DEPENDS
     "${PROJECT_SOURCE_DIR}/platform/src/windows/*.cpp"
     "${PROJECT_SOURCE_DIR}/platform/src/common/*.cpp")
set(windows_check_objects "")
foreach(source IN LISTS windows_check_sources)
    cmake_path(GET source STEM stem)
    cmake_path(GET source PARENT_PATH parent)
    cmake_path(GET parent FILENAME folder)
    set(object "${CMAKE_BINARY_DIR}/windows-check/${folder}/${stem}.obj")
    add_custom_command(
        OUTPUT "${object}"
        COMMAND "${CMAKE_COMMAND}" -E make_directory "${CMAKE_BINARY_DIR}/windows-check/${folder}"
        COMMAND "${DESKEXT_MINGW_CXX}" -std=c++23 ${DESKEXT_WARNING_FLAGS}
                ${DESKEXT_GNU_WARNING_FLAGS} -Werror
                "-I${PROJECT_SOURCE_DIR}/platform/include" "-I${PROJECT_SOURCE_DIR}/runtime/include"
                -idirafter /usr/include -c "${source}" -o "${object}"
        DEPENDS "${source}"
        IMPLICIT_DEPENDS CXX "${source}"
        COMMENT "Compiling ${folder}/${stem}.cpp for Windows (mingw-w64)"
        VERBATIM)
    list(APPEND windows_check_objects "${object}")
endforeach()
add_custom_target(windows_compile_check DEPENDS ${windows_check_objects})
