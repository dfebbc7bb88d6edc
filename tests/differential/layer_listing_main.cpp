// What deskext makes of an image's layers, in the canonical listing of go_layer_listing.go: the
// image is opened as `deskext install` opens it (open_source, resolve_image for linux/amd64),
// its layers read once by read_layers_once with every regular file written out, and each path
// of the resulting tree printed with the SHA-256 of the bytes deskext would install.
//
// Usage: deskext-layer-listing SOURCE        e.g. oci:/tmp/layout:1.0
// Exit 0 with the listing; otherwise "refused <message>" and the exit code of the error.

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "deskext/events/event_sink.hpp"
#include "deskext/install/resolve_image.hpp"
#include "deskext/layer/single_pass.hpp"
#include "deskext/source/image_source.hpp"
#include "fixtures/temp_dir.hpp"

namespace {

using namespace deskext;

// Every regular file is wanted: the listing hashes them all.
class EveryFile final : public layer::CandidateFilter {
public:
    void captured(std::string_view, std::string_view) override {}
    [[nodiscard]] bool wanted(std::string_view) const override { return true; }
};

// Bytes outside printable ASCII, and the backslash, as \xNN (as go_layer_listing.go writes them).
std::string escape(std::string_view text) {
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7f || c == '\\')
            out += fmt::format("\\x{:02x}", static_cast<unsigned>(byte));
        else
            out += c;
    }
    return out;
}

const char* type_name(layer::EntryType type) {
    switch (type) {
        case layer::EntryType::file: return "file";
        case layer::EntryType::directory: return "dir";
        case layer::EntryType::symlink: return "symlink";
        default: return "other";
    }
}

std::string line_of(const std::string& path, const layer::Node& node,
                    const layer::SinglePassResult& read) {
    std::string sha = "-";
    std::int64_t size = 0;
    std::uint32_t mode = node.mode;
    std::string link = "-";
    if (node.type == layer::EntryType::file) {
        const auto& hash = read.candidates.at(node.content).hash;
        sha = hash.digest.hex();
        size = hash.size;
    } else if (node.type == layer::EntryType::symlink) {
        link = escape(node.link_target);
        mode = 0777;
    }
    return fmt::format("{}\t{}\t{:04o}\t{}\t{}\t{}\n", escape(path), type_name(node.type), mode,
                       size, sha, link);
}

Result<std::string> listing(const std::string& source_text) {
    SourceOptions options;
    DESKEXT_TRY_ASSIGN(auto source, open_source(source_text, options));
    NullSink events;
    DESKEXT_TRY_ASSIGN(ResolvedImage image,
                       resolve_image(*source, {"linux", "amd64", ""}, false, options.limits,
                                     events));
    fixtures::TempDir candidates("deskext-listing-");
    EveryFile filter;
    DESKEXT_TRY_ASSIGN(auto read, layer::read_layers_once(*source, image.manifest, {}, filter,
                                                          candidates.path(), options.limits, {}));
    std::string out;
    for (const auto& [path, node] : read.scan.tree.descendants(""))
        out += line_of(path, *node, read);
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fputs("usage: deskext-layer-listing SOURCE\n", stderr);
        return 64;
    }
    auto result = listing(argv[1]);
    if (!result) {
        std::fputs(("refused " + result.error().message + "\n").c_str(), stdout);
        return exit_code(result.error().code);
    }
    std::fputs(result->c_str(), stdout);
    return 0;
}
