// deskext-bench-image: writes the benchmark's extension image (tests/bench/run.sh) straight into
// an OCI image layout, one layer at a time, so that a 1 GiB image never sits in memory.
//
// Each of linux/amd64 and linux/arm64 has four gzip layers, bottom first:
//   base  about half the image: files of 1 KiB to 16 MiB under usr/, half of the bytes
//         incompressible (random), half text that gzip shrinks about threefold
//   ui    a few hundred small files (html, js, css, svg, json) under ui/
//   host  the rest: a cli and a helper for darwin, windows and linux, built for the variant's
//         architecture (true headers, see fixtures/host_programs.hpp) and padded with
//         binary-like bytes; the linux ones still run
//   top   metadata.json and the icon
// Tag v1 is that image; tag v2 differs only by its top layer (another UI title and icon), so an
// update from v1 to v2 needs that one layer. With --updates N, tags u1 … uN follow v1 for one
// architecture as a release would: new host programs (the same, padded with other bytes) and a
// new top layer each, for the disk footprint of a series of updates. Content is pseudo-random
// from a fixed seed: the same size always gives the same digests.

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <map>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fixtures/host_programs.hpp"
#include "fixtures/layer_file_writer.hpp"
#include "fixtures/oci_layout.hpp"

namespace fs = std::filesystem;
using namespace deskext::fixtures;

namespace {

constexpr std::string_view usage_text =
    "usage: deskext-bench-image --layout DIR --size BYTES[K|M|G] [--name NAME]\n"
    "                           [--updates N --updates-arch ARCH]\n"
    "\n"
    "Writes an OCI image layout at DIR (which must not exist or be empty) with tags v1 and v2,\n"
    "each an index over linux/amd64 and linux/arm64 images of about BYTES uncompressed;\n"
    "v2 differs from v1 by its top layer only. NAME (default deskext/bench) goes into the\n"
    "io.containerd.image.name annotation. With --updates N, tags u1 ... uN of linux/ARCH\n"
    "differ from v1 by their host programs and top layer. Prints a JSON summary of the layers.\n";

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// xoshiro256** (https://prng.di.unimi.it/), seeded with splitmix64: fast and the same everywhere.
class Random {
public:
    explicit Random(std::uint64_t seed) {
        for (auto& word : m_state) {
            seed += 0x9e3779b97f4a7c15ULL;
            std::uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            word = z ^ (z >> 31);
        }
    }
    std::uint64_t next() {
        const std::uint64_t result = rotl(m_state[1] * 5, 7) * 9;
        const std::uint64_t t = m_state[1] << 17;
        m_state[2] ^= m_state[0];
        m_state[3] ^= m_state[1];
        m_state[1] ^= m_state[2];
        m_state[0] ^= m_state[3];
        m_state[2] ^= t;
        m_state[3] = rotl(m_state[3], 45);
        return result;
    }
    std::uint64_t below(std::uint64_t n) { return next() % n; }
    // Log-uniform in [low, high]: many small files, a few big ones, as in a real file system.
    std::uint64_t log_uniform(std::uint64_t low, std::uint64_t high) {
        const double unit = static_cast<double>(next() >> 11) * 0x1.0p-53;
        const double value = std::exp(std::log(static_cast<double>(low)) +
                                      unit * (std::log(static_cast<double>(high)) -
                                              std::log(static_cast<double>(low))));
        return std::clamp(static_cast<std::uint64_t>(value), low, high);
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::array<std::uint64_t, 4> m_state{};
};

std::uint64_t seed_of(std::string_view text) {
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
    for (const char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    return h;
}

void fill_random(Random& random, std::span<char> out) {
    std::size_t i = 0;
    for (; i + 8 <= out.size(); i += 8) {
        const std::uint64_t word = random.next();
        std::memcpy(out.data() + i, &word, 8);
    }
    for (; i < out.size(); ++i) out[i] = static_cast<char>(random.next());
}

// Words from a fixed vocabulary in random order: text that gzip shrinks about threefold.
class TextSource {
public:
    explicit TextSource(std::uint64_t seed) : m_random(seed) {
        m_words.reserve(1024);
        for (int i = 0; i < 1024; ++i) {
            std::string word;
            const auto length = 2 + m_random.below(9);
            for (std::uint64_t j = 0; j < length; ++j)
                word += static_cast<char>('a' + m_random.below(26));
            m_words.push_back(std::move(word));
        }
    }
    void fill(std::span<char> out) {
        std::size_t i = 0;
        while (i < out.size()) {
            const std::uint64_t r = m_random.next();
            const std::string& word = m_words[r & 1023];
            const std::size_t n = std::min(word.size(), out.size() - i);
            std::memcpy(out.data() + i, word.data(), n);
            i += n;
            if (i < out.size()) out[i++] = (r >> 10) % 12 == 0 ? '\n' : ' ';
        }
    }

private:
    Random m_random;
    std::vector<std::string> m_words;
};

// Content of a padded host program: its real header first, then 64 KiB runs of random bytes
// (two in five) and text (the rest), about as compressible as a Go binary.
class ProgramSource {
public:
    ProgramSource(std::string header, std::uint64_t seed)
        : m_header(std::move(header)), m_random(seed), m_text(seed + 1) {}
    void fill(std::span<char> out) {
        std::size_t i = 0;
        if (m_offset < m_header.size()) {
            const std::size_t n = std::min(out.size(), m_header.size() - m_offset);
            std::memcpy(out.data(), m_header.data() + m_offset, n);
            i = n;
        }
        while (i < out.size()) {
            const std::size_t n = std::min<std::size_t>(64 * 1024, out.size() - i);
            if (m_random.below(5) < 2)
                fill_random(m_random, out.subspan(i, n));
            else
                m_text.fill(out.subspan(i, n));
            i += n;
        }
        m_offset += out.size();
    }

private:
    std::string m_header;
    Random m_random;
    TextSource m_text;
    std::size_t m_offset = 0;
};

std::uint64_t parse_size(std::string_view text) {
    if (text.empty()) throw UsageError("--size needs a value");
    std::uint64_t multiplier = 1;
    switch (text.back()) {
        case 'K':
            multiplier = 1ULL << 10;
            break;
        case 'M':
            multiplier = 1ULL << 20;
            break;
        case 'G':
            multiplier = 1ULL << 30;
            break;
        default:
            break;
    }
    if (multiplier != 1) text.remove_suffix(1);
    char* end = nullptr;
    const std::string digits(text);
    const unsigned long long value = std::strtoull(digits.c_str(), &end, 10);
    if (digits.empty() || *end != '\0' || value == 0)
        throw UsageError(fmt::format("malformed --size \"{}\"", text));
    return value * multiplier;
}

// Adds the directory entries of every parent of `name` not added yet, as image builders do.
void add_parents(LayerFileWriter& layer, std::set<std::string>& added, const std::string& name) {
    for (auto slash = name.find('/'); slash != std::string::npos;
         slash = name.find('/', slash + 1)) {
        const std::string dir = name.substr(0, slash + 1);
        if (added.insert(dir).second) layer.add_directory(dir);
    }
}

struct ImagePlan {
    std::uint64_t base_bytes = 0;
    std::uint64_t program_bytes = 0;  // per program of the cli; the helper gets half of it
};

// The shares: the host programs about 45% (three OSes, a cli and a helper each), the UI a
// couple of MiB, the base layer the rest (about half).
ImagePlan plan_for(std::uint64_t size) {
    constexpr std::uint64_t ui_estimate = 2ULL << 20;
    ImagePlan plan;
    plan.program_bytes = size / 10;
    const std::uint64_t programs = 3 * (plan.program_bytes + plan.program_bytes / 2);
    plan.base_bytes = size > programs + ui_estimate ? size - programs - ui_estimate : size / 2;
    return plan;
}

WrittenLayer write_base(OciLayoutWriter& layout, const std::string& arch, std::uint64_t bytes) {
    LayerFileWriter layer(layout.dir() / "layer.tmp", TarCompression::gzip);
    std::set<std::string> added;
    Random random(seed_of("base/" + arch));
    TextSource text(seed_of("base-text/" + arch));
    // Files up to 16 MiB (an eighth of the layer in small images), incompressible or text by
    // turns as the byte counts of each require, so that every size has the same mix.
    const std::uint64_t largest = std::clamp<std::uint64_t>(bytes / 8, 64ULL << 10, 16ULL << 20);
    std::uint64_t written = 0;
    std::uint64_t random_bytes = 0;
    for (int i = 0; written < bytes; ++i) {
        const std::uint64_t size =
            std::min(random.log_uniform(1ULL << 10, largest), bytes - written);
        const bool incompressible = 2 * random_bytes <= written;
        if (incompressible) random_bytes += size;
        const std::string name =
            incompressible
                ? fmt::format("usr/lib/bench/d{:02}/lib{:04}.so", i % 40, i)
                : fmt::format("usr/share/bench/d{:02}/doc{:04}.txt", i % 40, i);
        add_parents(layer, added, name);
        if (incompressible)
            layer.add_file(name, size, 0644, [&](std::span<char> out) { fill_random(random, out); });
        else
            layer.add_file(name, size, 0644, [&](std::span<char> out) { text.fill(out); });
        written += size;
    }
    return layout.add_layer_file(layer.finish());
}

WrittenLayer write_ui(OciLayoutWriter& layout, const std::string& arch) {
    LayerFileWriter layer(layout.dir() / "layer.tmp", TarCompression::gzip);
    std::set<std::string> added;
    Random random(seed_of("ui/" + arch));
    TextSource text(seed_of("ui-text/" + arch));
    const auto add = [&](const std::string& name, std::uint64_t size) {
        add_parents(layer, added, name);
        layer.add_file(name, size, 0644, [&](std::span<char> out) { text.fill(out); });
    };
    layer.add_file("ui/index.html", "<!doctype html><title>bench</title><script src=app.js></script>");
    added.insert("ui/");
    constexpr std::array<std::string_view, 4> kinds{"assets/chunk-{:03}.js", "assets/style-{:03}.css",
                                                    "icons/icon-{:03}.svg", "locales/l{:03}.json"};
    for (int i = 0; i < 320; ++i) {
        const std::string name =
            "ui/" + fmt::format(fmt::runtime(kinds[static_cast<std::size_t>(i) % kinds.size()]), i);
        add(name, random.log_uniform(512, 32 * 1024));
    }
    return layout.add_layer_file(layer.finish());
}

struct Program {
    std::string os;
    std::string path;  // in the image, as metadata.json declares it
    bool helper = false;
};

const std::vector<Program>& programs() {
    static const std::vector<Program> list{
        {"darwin", "darwin/bench-cli", false},       {"darwin", "darwin/bench-helper", true},
        {"windows", "windows/bench-cli.exe", false}, {"windows", "windows/bench-helper.exe", true},
        {"linux", "linux/bench-cli", false},         {"linux", "linux/bench-helper", true}};
    return list;
}

// `release` other than "" pads the programs with other bytes: another build of them.
WrittenLayer write_host(OciLayoutWriter& layout, const std::string& arch, std::uint64_t bytes,
                        const std::string& release = "") {
    LayerFileWriter layer(layout.dir() / "layer.tmp", TarCompression::gzip);
    std::set<std::string> added;
    for (const auto& program : programs()) {
        add_parents(layer, added, program.path);
        const std::string message =
            fmt::format("deskext bench {} for {}/{}", program.helper ? "helper" : "cli",
                        program.os, arch);
        ProgramSource source(host_program(program.os, arch, message),
                             seed_of(program.path + "/" + arch + release));
        layer.add_file(program.path, program.helper ? bytes / 2 : bytes, 0755,
                       [&](std::span<char> out) { source.fill(out); });
    }
    return layout.add_layer_file(layer.finish());
}

std::string metadata_json(const std::string& title) {
    nlohmann::json binaries = nlohmann::json::object();
    for (const auto& program : programs())
        binaries[program.os].push_back({{"path", "/" + program.path}});
    const nlohmann::json metadata = {
        {"icon", "bench.svg"},
        {"ui", {{"dashboard-tab", {{"title", title}, {"src", "index.html"}, {"root", "ui"}}}}},
        {"host", {{"binaries", nlohmann::json::array({binaries})}}}};
    return metadata.dump(2) + "\n";
}

WrittenLayer write_top(OciLayoutWriter& layout, const std::string& version) {
    LayerFileWriter layer(layout.dir() / "layer.tmp", TarCompression::gzip);
    layer.add_file("metadata.json", metadata_json("Bench " + version));
    layer.add_file("bench.svg",
                   fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\">"
                               "<text y=\"12\">{}</text></svg>\n",
                               version));
    return layout.add_layer_file(layer.finish());
}

// The labels Docker's marketplace requires (as packaging/CMakeLists.txt sets for the example),
// so that installs raise no warning.
std::map<std::string, std::string> labels() {
    return {{"org.opencontainers.image.title", "deskext bench"},
            {"org.opencontainers.image.description", "The deskext benchmark image."},
            {"org.opencontainers.image.vendor", "deskext"},
            {"com.docker.desktop.extension.api.version", ">= 0.3.0"},
            {"com.docker.desktop.extension.icon", "https://example.com/deskext/bench.svg"},
            {"com.docker.extension.screenshots", "[]"},
            {"com.docker.extension.detailed-description", "<p>Benchmark image.</p>"},
            {"com.docker.extension.publisher-url", "https://example.com/deskext"},
            {"com.docker.extension.changelog", "<ul><li>bench</li></ul>"},
            {"com.docker.extension.categories", "utility-tools"}};
}

nlohmann::json layer_summary(const std::string& role, const WrittenLayer& layer) {
    return {{"layer", role}, {"digest", layer.blob.digest.str()}, {"size", layer.blob.size}};
}

}  // namespace

int main(int argc, char** argv) {
    try {
        fs::path layout_dir;
        std::uint64_t size = 0;
        std::string name = "deskext/bench";
        int updates = 0;
        std::string updates_arch;
        const std::vector<std::string_view> args(argv + 1, argv + argc);
        for (std::size_t i = 0; i < args.size(); ++i) {
            if (args[i] == "-h" || args[i] == "--help") {
                fmt::print("{}", usage_text);
                return 0;
            }
            if (i + 1 >= args.size()) throw UsageError(fmt::format("{} needs a value", args[i]));
            if (args[i] == "--layout")
                layout_dir = fs::path(args[++i]);
            else if (args[i] == "--size")
                size = parse_size(args[++i]);
            else if (args[i] == "--name")
                name = args[++i];
            else if (args[i] == "--updates")
                updates = std::atoi(std::string(args[++i]).c_str());
            else if (args[i] == "--updates-arch")
                updates_arch = args[++i];
            else
                throw UsageError(fmt::format("unknown option \"{}\"", args[i]));
        }
        if (layout_dir.empty()) throw UsageError("--layout is required");
        if (size == 0) throw UsageError("--size is required");
        if (updates < 0 || updates > 20 || (updates > 0 && updates_arch.empty()))
            throw UsageError("--updates takes 0 to 20, with --updates-arch");

        const ImagePlan plan = plan_for(size);
        OciLayoutWriter layout(layout_dir);
        std::map<std::string, std::vector<deskext::oci::Descriptor>> manifests;  // tag → variants
        nlohmann::json summary = nlohmann::json::object();
        for (const std::string arch : {"amd64", "arm64"}) {
            const WrittenLayer base = write_base(layout, arch, plan.base_bytes);
            const WrittenLayer ui = write_ui(layout, arch);
            const WrittenLayer host = write_host(layout, arch, plan.program_bytes);
            for (const std::string version : {"v1", "v2"}) {
                const WrittenLayer top = write_top(layout, version);
                ImageVariant variant;
                variant.architecture = arch;
                variant.labels = labels();
                manifests[version].push_back(layout.add_variant(variant, {base, ui, host, top}));
                summary[version]["linux/" + arch] = {
                    layer_summary("base", base), layer_summary("ui", ui),
                    layer_summary("host", host), layer_summary("top", top)};
            }
            for (int u = 1; u <= updates && arch == updates_arch; ++u) {
                const std::string version = fmt::format("u{}", u);
                const WrittenLayer release = write_host(layout, arch, plan.program_bytes, version);
                const WrittenLayer top = write_top(layout, version);
                ImageVariant variant;
                variant.architecture = arch;
                variant.labels = labels();
                manifests[version].push_back(
                    layout.add_variant(variant, {base, ui, release, top}));
                summary[version]["linux/" + arch] = {
                    layer_summary("base", base), layer_summary("ui", ui),
                    layer_summary("host", release), layer_summary("top", top)};
            }
        }
        for (const auto& [tag, variants] : manifests) {
            const auto index =
                layout.add_index(variants, tag, {{"io.containerd.image.name", name + ":" + tag}});
            summary[tag]["index"] = index.digest.str();
        }
        fmt::print("{}\n", summary.dump());
        return 0;
    } catch (const UsageError& e) {
        fmt::print(stderr, "deskext-bench-image: {}\n\n{}", e.what(), usage_text);
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "deskext-bench-image: error: {}\n", e.what());
        return 1;
    }
}
