#pragma once
// Running a helper program to completion with its output captured: how Docker credential
// helpers (docker-credential-<name>) are asked for credentials.

#include <chrono>
#include <string>
#include <vector>

#include "deskext/error.hpp"

namespace deskext::platform {

struct HelperOutput {
    int exit_code = 0;  // the exit status, or 128 + signal number
    std::string out;
    std::string err;
};

// Runs argv[0] (looked up on PATH when it has no path separator) with `input` on its standard
// input, capturing stdout and stderr (each capped at `cap` bytes; more is an error). Killed
// and reported as an error after `timeout`. not_found when the program does not exist.
[[nodiscard]] Result<HelperOutput> run_helper(const std::vector<std::string>& argv,
                                              const std::string& input, std::size_t cap,
                                              std::chrono::milliseconds timeout);

}  // namespace deskext::platform
