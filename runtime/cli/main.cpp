// deskext: installs Docker Desktop extensions on this host. See docs/cli.md.

#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "deskext/platform/interrupt.hpp"
#include "deskext/platform/standard_streams.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext::cli {
namespace {

constexpr OptionSpec json_flag{"json"};
constexpr OptionSpec root_opt{"root", true};
// --wait[=SECONDS]: wait for another deskext's lock instead of failing with busy (exit 10).
constexpr OptionSpec wait_opt{"wait", false, false, true};
// Every command that reads a SOURCE may reach a registry.
constexpr OptionSpec insecure_registry_opt{"insecure-registry", true, true};
constexpr OptionSpec timeout_opt{"timeout", true};
constexpr OptionSpec registries_conf_opt{"registries-conf", true};

constexpr std::array install_options{json_flag,
                                     root_opt,
                                     OptionSpec{"platform", true},
                                     OptionSpec{"name", true},
                                     OptionSpec{"allow-emulation"},
                                     OptionSpec{"force"},
                                     OptionSpec{"strict"},
                                     wait_opt,
                                     insecure_registry_opt,
                                     registries_conf_opt,
                                     timeout_opt,
                                     OptionSpec{"max-uncompressed-size", true},
                                     OptionSpec{"max-ratio", true},
                                     OptionSpec{"max-entries", true},
                                     OptionSpec{"max-names-size", true}};
constexpr std::array root_options{json_flag, root_opt};
constexpr std::array locking_root_options{json_flag, root_opt, wait_opt};
constexpr std::array json_options{json_flag};
constexpr std::array cache_options{json_flag, root_opt, OptionSpec{"all"}, wait_opt};
constexpr std::array inspect_options{json_flag, OptionSpec{"platform", true},
                                     OptionSpec{"all-platforms"}, insecure_registry_opt,
                                     registries_conf_opt, timeout_opt};
constexpr std::array validate_options{json_flag, insecure_registry_opt, registries_conf_opt,
                                      timeout_opt};
constexpr std::array export_options{json_flag, OptionSpec{"output", true},
                                    OptionSpec{"platform", true, true}, insecure_registry_opt,
                                    registries_conf_opt, timeout_opt};

constexpr std::array command_table{
    Command{"install",
            "install SOURCE [--platform OS/ARCH[/VARIANT]] [--root DIR] [--name NAME] "
            "[--json] [--allow-emulation] [--force] [--strict] [--wait[=SECONDS]] "
            "[--max-uncompressed-size BYTES] "
            "[--max-ratio N] [--max-entries N] [--max-names-size BYTES] "
            "[--insecure-registry HOST[:PORT]]... [--registries-conf FILE] [--timeout SECONDS]",
            "install an extension image for this host (or the --platform given)", install_options,
            run_install},
    Command{"update", "update SOURCE [same options as install]",
            "install a new version over an installed extension, atomically", install_options,
            run_update},
    Command{"uninstall", "uninstall NAME [--root DIR] [--json] [--wait[=SECONDS]]  (alias: rm)",
            "remove an installed extension", locking_root_options, run_uninstall},
    Command{"rm", "rm NAME [--root DIR] [--json] [--wait[=SECONDS]]", "alias of uninstall",
            locking_root_options, run_uninstall},
    Command{"verify", "verify NAME [--root DIR] [--json] [--wait[=SECONDS]]",
            "re-hash an installed extension against its state record; exit 8 on drift",
            locking_root_options, run_verify},
    Command{"ls", "ls [--root DIR] [--json]", "list installed extensions", root_options, run_ls},
    Command{"inspect",
            "inspect SOURCE [--platform OS/ARCH | --all-platforms] [--json] "
            "[--insecure-registry HOST[:PORT]]... [--registries-conf FILE] [--timeout SECONDS]",
            "show what each host platform would get (variant, binaries and their formats, "
            "mismatches); installs nothing",
            inspect_options, run_inspect},
    Command{"validate",
            "validate SOURCE [--json] [--insecure-registry HOST[:PORT]]... "
            "[--registries-conf FILE] [--timeout SECONDS]",
            "check an image as Docker's marketplace and every host need it; exit 8 on errors",
            validate_options, run_validate},
    Command{"export",
            "export SOURCE... --output FILE [--platform OS/ARCH[/VARIANT]]... [--json] "
            "[--insecure-registry HOST[:PORT]]... [--registries-conf FILE] [--timeout SECONDS]",
            "write an offline bundle (an OCI archive) of images, every platform or those given, "
            "for install oci-archive:FILE:REF",
            export_options, run_export},
    Command{"cache",
            "cache ls [--root DIR] [--json] | cache prune [--all] [--root DIR] [--json] "
            "[--wait[=SECONDS]]",
            "list the blob cache (which entries extensions in the root use), or remove what no "
            "installed extension needs (--all: everything)",
            cache_options, run_cache},
    Command{"version", "version [--json]", "print version, commit and platforms", json_options,
            run_version},
};

void print_help(std::FILE* out) {
    fmt::print(out, "deskext: installs Docker Desktop extensions on this host\n\nUsage:\n");
    for (const auto& c : command_table)
        if (c.name != "rm") fmt::print(out, "  deskext {}\n      {}\n", c.usage, c.summary);
    fmt::print(out,
               "\nSOURCE: NAME[:TAG][@DIGEST] or docker://NAME (a registry), oci:DIR[:TAG], "
               "oci-archive:FILE[:TAG],\ndocker-archive:FILE[:NAME:TAG], or a path (format "
               "detected).\nExit codes: 0 ok, 1 internal, 2 usage, 3 not "
               "found, 4 no matching platform, 5 auth,\n6 network, 7 integrity, 8 invalid "
               "extension, 9 incompatible API, 10 busy, 11 filesystem,\n12 policy (a blocked "
               "registry).\n");
}

int run(const std::vector<std::string>& argv) {
    if (argv.empty() || argv[0] == "help" || argv[0] == "--help" || argv[0] == "-h") {
        print_help(argv.empty() ? stderr : stdout);
        return argv.empty() ? exit_code(ErrorCode::usage) : 0;
    }
    if (argv[0] == "--version") return run(std::vector<std::string>{"version"});

    const Command* command = nullptr;
    for (const auto& c : command_table)
        if (c.name == argv[0]) command = &c;
    std::span<const std::string> rest(argv.begin() + 1, argv.end());
    bool json = false;
    for (const auto& a : rest) json = json || a == "--json";
    Output out(json);
    if (command == nullptr)
        return out.finish(fail(ErrorCode::usage,
                               fmt::format("unknown command \"{}\"; see deskext help", argv[0])));
    for (const auto& a : rest) {
        if (a == "--help" || a == "-h") {
            fmt::print("usage: deskext {}\n{}\n", command->usage, command->summary);
            return 0;
        }
    }
    auto args = parse_args(rest, command->options);
    if (!args) return out.finish(std::unexpected(args.error()));
    return out.finish(command->run(*args, out));
}

}  // namespace

std::span<const Command> commands() { return command_table; }

}  // namespace deskext::cli

int main(int argc, char** argv) {
    deskext::platform::set_binary_standard_streams();
    deskext::platform::exit_on_interrupt();
    try {
        auto args = deskext::platform::utf8_arguments(argc, argv);
        if (!args.empty()) args.erase(args.begin());  // the program's own name
        return deskext::cli::run(args);
    } catch (const std::exception& e) {
        // Exceptions are for broken invariants only: report as internal (exit 1).
        std::fprintf(stderr, "deskext: internal error: %s\n", e.what());
        return deskext::exit_code(deskext::ErrorCode::internal);
    }
}
