# Run at build time (runtime/CMakeLists.txt, target deskext_build_commit): writes the commit
# `deskext version` reports into OUTPUT, touching it only when it changed, so that a build after
# a commit or an edit reports the right one and other builds recompile nothing.
#   -DSOURCE_DIR=... -DGIT_EXECUTABLE=... -DCOMMIT=<given commit, or empty> -DOUTPUT=...
if(NOT COMMIT)
    set(COMMIT "unknown")
    if(GIT_EXECUTABLE AND EXISTS "${SOURCE_DIR}/.git")
        execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --short=12 HEAD
            WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE head
            OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE failed)
        if(NOT failed AND head)
            set(COMMIT "${head}")
            # Tracked files that differ from the commit: the binary is not that commit.
            execute_process(COMMAND "${GIT_EXECUTABLE}" diff --quiet HEAD --
                WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE modified
                OUTPUT_QUIET ERROR_QUIET)
            if(modified EQUAL 1)
                string(APPEND COMMIT "-dirty")
            endif()
        endif()
    endif()
endif()
set(text "// Generated at build time by cmake/build_commit.cmake.\n#include \"deskext/build_info.hpp\"\n\nnamespace deskext::build_info {\nconst char* const git_commit = \"${COMMIT}\";\n}  // namespace deskext::build_info\n")
if(EXISTS "${OUTPUT}")
    file(READ "${OUTPUT}" previous)
endif()
if(NOT previous STREQUAL text)
    file(WRITE "${OUTPUT}" "${text}")
endif()
