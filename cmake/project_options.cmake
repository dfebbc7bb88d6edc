# Warnings and sanitizers travel as INTERFACE targets, never as global flags.

add_library(deskext_warnings INTERFACE)
add_library(deskext::warnings ALIAS deskext_warnings)
target_compile_options(deskext_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wconversion -Wsign-conversion -Wnull-dereference
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
    $<$<BOOL:${DESKEXT_WARNINGS_AS_ERRORS}>:-Werror>)

add_library(deskext_sanitizers INTERFACE)
add_library(deskext::sanitizers ALIAS deskext_sanitizers)
if(DESKEXT_ENABLE_SANITIZERS)
    target_compile_options(deskext_sanitizers INTERFACE
        -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(deskext_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

# Every project target: C++23 without extensions, warnings, sanitizers when asked.
function(deskext_target_defaults target)
    target_compile_features(${target} PUBLIC cxx_std_23)
    target_link_libraries(${target} PRIVATE deskext::warnings deskext::sanitizers)
endfunction()
