# Warnings and sanitizers travel as INTERFACE targets, never as global flags.

set(DESKEXT_WARNING_FLAGS
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wconversion -Wsign-conversion -Wnull-dereference
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
# g++ 12 reports false -Wrestrict overlaps inside libstdc++'s string concatenation at -O2
# (https://gcc.gnu.org/bugzilla/show_bug.cgi?id=105329).
set(DESKEXT_GNU_WARNING_FLAGS -Wno-restrict)

add_library(deskext_warnings INTERFACE)
add_library(deskext::warnings ALIAS deskext_warnings)
target_compile_options(deskext_warnings INTERFACE
    ${DESKEXT_WARNING_FLAGS}
    $<$<CXX_COMPILER_ID:GNU>:${DESKEXT_GNU_WARNING_FLAGS}>
    $<$<BOOL:${DESKEXT_WARNINGS_AS_ERRORS}>:-Werror>
    # mingw-w64's g++ 12 reports a potential null dereference inside nlohmann/json's iterators
    # once they are inlined at -O2, although the header is a system one; shown, not fatal.
    $<$<AND:$<BOOL:${DESKEXT_WARNINGS_AS_ERRORS}>,$<PLATFORM_ID:Windows>>:-Wno-error=null-dereference>)

add_library(deskext_sanitizers INTERFACE)
add_library(deskext::sanitizers ALIAS deskext_sanitizers)
if(DESKEXT_ENABLE_SANITIZERS)
    target_compile_options(deskext_sanitizers INTERFACE
        -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(deskext_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

# Fuzzing (tests/fuzz): every project target is instrumented for libFuzzer and built with
# AddressSanitizer and UndefinedBehaviorSanitizer; only the fuzz targets link libFuzzer's main.
if(DESKEXT_BUILD_FUZZERS)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "DESKEXT_BUILD_FUZZERS needs clang (libFuzzer): "
                            "-DCMAKE_CXX_COMPILER=clang++-16")
    endif()
    if(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 16)
        message(FATAL_ERROR "clang ${CMAKE_CXX_COMPILER_VERSION} cannot compile libstdc++'s "
                            "<expected> (it lacks conditionally trivial special members): "
                            "use clang 16 or later (Debian 12: clang-16, libclang-rt-16-dev)")
    endif()
    target_compile_options(deskext_sanitizers INTERFACE
        -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
        -fno-sanitize-recover=undefined)
    target_link_options(deskext_sanitizers INTERFACE -fsanitize=address,undefined)
    if(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 19)
        # libstdc++ 12 guards <expected> behind __cpp_concepts >= 202002, which clang only
        # announces from version 19 on although clang 16 implements what <expected> uses (P0848).
        target_compile_options(deskext_sanitizers INTERFACE -D__cpp_concepts=202002L
                                                            -Wno-macro-redefined)
    endif()
endif()

# Every project target: C++23 without extensions, warnings, sanitizers when asked.
function(deskext_target_defaults target)
    target_compile_features(${target} PUBLIC cxx_std_23)
    target_link_libraries(${target} PRIVATE deskext::warnings deskext::sanitizers)
endfunction()
