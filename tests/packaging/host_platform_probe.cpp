// Prints the host platform deskext detects (platform::detect_host), nothing else: the smallest
// program that checks a cross build's detection on the emulated machine (packaging/cross-build.sh
// --probe runs it under qemu-user, where uname(2) reports the emulated aarch64).

#include <cstdio>

#include "deskext/platform/platform.hpp"

int main() {
    const auto host = deskext::platform::to_string(deskext::platform::detect_host());
    std::printf("%s\n", host.c_str());
    return 0;
}
