// deskext-bench-registry: the registry of the benchmark (tests/bench/run.sh), the one the
// registry tests use (fixtures/test_registry.hpp: Debian's docker-registry on a free loopback
// port, plain HTTP, storage and access log in WORKDIR). Reads commands on stdin and answers one
// line each; stops the registry at end of input.
//
//   started                                   (printed first) {"host": "127.0.0.1:PORT",
//                                             "log": "PATH"} as JSON
//   push LAYOUT TAG REPO:TAG                  skopeo copy --all oci:LAYOUT:TAG to the registry;
//                                             answers the pushed digest, or "error: …"

#include <fmt/core.h>

#include <exception>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "fixtures/test_registry.hpp"

namespace fs = std::filesystem;
using deskext::fixtures::RegistryOptions;
using deskext::fixtures::TestRegistry;

int main(int argc, char** argv) {
    if (argc != 2 || std::string_view(argv[1]).starts_with("-")) {
        fmt::print(stderr, "usage: deskext-bench-registry WORKDIR   (commands on stdin)\n");
        return 2;
    }
    try {
        TestRegistry registry(fs::path(argv[1]), RegistryOptions{});
        std::cout << nlohmann::json{{"host", registry.host()},
                                    {"log", registry.log_file().string()}}
                         .dump()
                  << std::endl;
        for (std::string line; std::getline(std::cin, line);) {
            std::istringstream words(line);
            std::string command;
            std::string layout;
            std::string tag;
            std::string destination;
            words >> command >> layout >> tag >> destination;
            if (command != "push" || destination.empty()) {
                std::cout << "error: unknown command: " << line << std::endl;
                continue;
            }
            try {
                std::cout << registry.push(layout, tag, destination) << std::endl;
            } catch (const std::exception& e) {
                std::string message = e.what();
                for (auto& c : message)
                    if (c == '\n') c = ' ';
                std::cout << "error: " << message << std::endl;
            }
        }
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "deskext-bench-registry: error: {}\n", e.what());
        return 1;
    }
}
