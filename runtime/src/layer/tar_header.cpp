#include "layer/tar_header.hpp"

#include "extension/display.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

namespace deskext::layer {

namespace {

// Field offsets and sizes of the header formats (Go's archive/tar/format.go).
struct Field {
    std::size_t offset;
    std::size_t size;
};
constexpr Field k_name{0, 100}, k_mode{100, 8}, k_uid{108, 8}, k_gid{116, 8}, k_size{124, 12},
    k_mtime{136, 12}, k_chksum{148, 8}, k_linkname{157, 100}, k_magic{257, 6},
    k_version{263, 2}, k_devmajor{329, 8}, k_devminor{337, 8}, k_ustar_prefix{345, 155},
    k_star_prefix{345, 131}, k_star_atime{476, 12}, k_star_ctime{488, 12},
    k_star_trailer{508, 4}, k_gnu_atime{345, 12}, k_gnu_ctime{357, 12};
constexpr std::size_t k_typeflag = 156;

enum class Format { unknown, v7, ustar, star, gnu };

std::string_view field(const TarBlock& block, Field f) {
    return {block.data() + f.offset, f.size};
}

std::unexpected<Error> invalid_pax(std::string_view why) {
    return fail(ErrorCode::invalid_extension,
                "invalid PAX extended header: " + std::string(why));
}

// Go's parser: numeric fields parse on, the first failure is remembered.
struct NumericParser {
    bool failed = false;

    std::int64_t octal(std::string_view b) {
        const auto first = b.find_first_not_of(std::string_view(" \0", 2));
        if (first == std::string_view::npos) return 0;
        const auto last = b.find_last_not_of(std::string_view(" \0", 2));
        const std::string digits = field_string(b.substr(first, last - first + 1));
        std::uint64_t x = 0;
        bool ok = !digits.empty();
        for (char c : digits) {
            if (c < '0' || c > '7' || x > (std::numeric_limits<std::uint64_t>::max() >> 3)) {
                ok = false;
                break;
            }
            x = x << 3 | static_cast<std::uint64_t>(c - '0');
        }
        if (!ok) failed = true;
        return static_cast<std::int64_t>(x);
    }

    // Base-256 (two's complement, big-endian) when the top bit of the first byte is set.
    std::int64_t numeric(std::string_view b) {
        if (b.empty() || (static_cast<unsigned char>(b[0]) & 0x80U) == 0) return octal(b);
        const unsigned char inv = (static_cast<unsigned char>(b[0]) & 0x40U) != 0 ? 0xff : 0x00;
        std::uint64_t x = 0;
        for (std::size_t i = 0; i < b.size(); ++i) {
            auto c = static_cast<unsigned char>(static_cast<unsigned char>(b[i]) ^ inv);
            if (i == 0) c &= 0x7fU;
            if ((x >> 56) > 0) return overflow();
            x = x << 8 | c;
        }
        if ((x >> 63) > 0) return overflow();
        return inv == 0xff ? static_cast<std::int64_t>(~x) : static_cast<std::int64_t>(x);
    }

    std::int64_t overflow() {
        failed = true;
        return 0;
    }
};

bool checksum_matches(const TarBlock& block) {
    NumericParser p;
    const std::int64_t value = p.octal(field(block, k_chksum));
    std::int64_t unsigned_sum = 0;
    std::int64_t signed_sum = 0;
    for (std::size_t i = 0; i < block.size(); ++i) {
        const char c = i >= k_chksum.offset && i < k_chksum.offset + k_chksum.size ? ' ' : block[i];
        unsigned_sum += static_cast<unsigned char>(c);
        signed_sum += static_cast<signed char>(c);
    }
    return !p.failed && (value == unsigned_sum || value == signed_sum);
}

Format format_of(const TarBlock& block) {
    if (!checksum_matches(block)) return Format::unknown;
    const std::string_view magic = field(block, k_magic);
    const std::string_view version = field(block, k_version);
    if (magic == std::string_view("ustar\0", 6))
        return field(block, k_star_trailer) == std::string_view("tar\0", 4) ? Format::star
                                                                            : Format::ustar;
    if (magic == "ustar " && version == std::string_view(" \0", 2)) return Format::gnu;
    return Format::v7;
}

bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        return c != '\0' && static_cast<unsigned char>(c) < 0x80;
    });
}

// The prefix joined before the name; reads the time fields that must parse.
std::string prefix_of(const TarBlock& block, Format format, NumericParser& p) {
    switch (format) {
        case Format::ustar: return field_string(field(block, k_ustar_prefix));
        case Format::star:
            (void)p.numeric(field(block, k_star_atime));
            (void)p.numeric(field(block, k_star_ctime));
            return field_string(field(block, k_star_prefix));
        case Format::gnu: {
            // Go before 1.8 wrote a USTAR prefix into GNU headers: when the time fields do not
            // parse, Go reads them as that prefix (golang.org/issues/12594).
            NumericParser times;
            if (block[k_gnu_atime.offset] != '\0') (void)times.numeric(field(block, k_gnu_atime));
            if (block[k_gnu_ctime.offset] != '\0') (void)times.numeric(field(block, k_gnu_ctime));
            if (!times.failed) return {};
            std::string prefix = field_string(field(block, k_ustar_prefix));
            return is_ascii(prefix) ? prefix : std::string{};
        }
        default: return {};
    }
}

std::optional<std::int64_t> parse_pax_time_seconds(std::string_view text) {
    const std::size_t dot = text.find('.');
    auto seconds = parse_decimal(text.substr(0, dot));
    if (!seconds || dot == std::string_view::npos) return seconds;
    const std::string_view fraction = text.substr(dot + 1);
    if (!std::all_of(fraction.begin(), fraction.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return seconds;
}

bool valid_pax_record(std::string_view key, std::string_view value) {
    if (key.empty() || key.find('=') != std::string_view::npos) return false;
    if (key == "path" || key == "linkpath" || key == "uname" || key == "gname")
        return value.find('\0') == std::string_view::npos;
    return key.find('\0') == std::string_view::npos;
}

}  // namespace

std::string field_string(std::string_view f) { return std::string(f.substr(0, f.find('\0'))); }

bool is_zero_block(const TarBlock& block) {
    return std::all_of(block.begin(), block.end(), [](char c) { return c == '\0'; });
}

bool is_gnu_block(const TarBlock& block) { return format_of(block) == Format::gnu; }

Result<TarHeader> parse_header_block(const TarBlock& block) {
    const Format format = format_of(block);
    if (format == Format::unknown)
        return fail(ErrorCode::invalid_extension,
                    "invalid tar header: its checksum does not match");
    NumericParser p;
    TarHeader header;
    header.typeflag = block[k_typeflag];
    header.name = field_string(field(block, k_name));
    header.linkname = field_string(field(block, k_linkname));
    header.size = p.numeric(field(block, k_size));
    header.mode = p.numeric(field(block, k_mode));
    (void)p.numeric(field(block, k_uid));
    (void)p.numeric(field(block, k_gid));
    (void)p.numeric(field(block, k_mtime));
    if (format != Format::v7) {
        (void)p.numeric(field(block, k_devmajor));
        (void)p.numeric(field(block, k_devminor));
        const std::string prefix = prefix_of(block, format, p);
        if (!prefix.empty()) header.name = prefix + "/" + header.name;
    }
    if (p.failed)
        return fail(ErrorCode::invalid_extension,
                    "invalid tar header: a numeric field does not parse");
    return header;
}

std::optional<std::int64_t> parse_decimal(std::string_view text) {
    bool negative = false;
    if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
        negative = text[0] == '-';
        text.remove_prefix(1);
    }
    if (text.empty()) return std::nullopt;
    std::uint64_t x = 0;
    const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (x > (limit - digit) / 10) return std::nullopt;
        x = x * 10 + digit;
    }
    return negative ? static_cast<std::int64_t>(0 - x) : static_cast<std::int64_t>(x);
}

Result<PaxRecords> parse_pax_records(std::string_view data) {
    PaxRecords records;
    std::string sparse_map;  // GNU sparse 0.0: offset and numbytes records, in turn
    std::size_t sparse_values = 0;
    while (!data.empty()) {
        // "<length> <key>=<value>\n", the length counting the whole record.
        const std::size_t space = data.find(' ');
        if (space == std::string_view::npos) return invalid_pax("a record without a length");
        const auto length = parse_decimal(data.substr(0, space));
        if (!length || *length < 5 || static_cast<std::uint64_t>(*length) > data.size() ||
            static_cast<std::size_t>(*length) <= space + 1)
            return invalid_pax("a record length that does not fit");
        const auto size = static_cast<std::size_t>(*length);
        if (data[size - 1] != '\n') return invalid_pax("a record not ending in a newline");
        const std::string_view record = data.substr(space + 1, size - space - 2);
        data.remove_prefix(size);
        const std::size_t equals = record.find('=');
        if (equals == std::string_view::npos) return invalid_pax("a record without \"=\"");
        const std::string_view key = record.substr(0, equals);
        const std::string_view value = record.substr(equals + 1);
        if (!valid_pax_record(key, value))
            return invalid_pax("record " + extension::detail::quoted(key) +
                               " has an empty key or a NUL byte");
        if (key == "GNU.sparse.offset" || key == "GNU.sparse.numbytes") {
            const bool want_offset = sparse_values % 2 == 0;
            if ((key == "GNU.sparse.offset") != want_offset ||
                value.find(',') != std::string_view::npos)
                return invalid_pax("GNU sparse 0.0 records out of order");
            if (sparse_values++ > 0) sparse_map += ',';
            sparse_map += value;
            continue;
        }
        records.insert_or_assign(std::string(key), std::string(value));
    }
    if (sparse_values > 0) records.insert_or_assign("GNU.sparse.map", std::move(sparse_map));
    return records;
}

Result<void> merge_pax(TarHeader& header, const PaxRecords& records) {
    for (const auto& [key, value] : records) {
        if (value.empty()) continue;  // the header's own value stays
        bool ok = true;
        if (key == "path") {
            header.name = value;
        } else if (key == "linkpath") {
            header.linkname = value;
        } else if (key == "size") {
            const auto size = parse_decimal(value);
            ok = size.has_value();
            if (ok) header.size = *size;
        } else if (key == "uid" || key == "gid") {
            ok = parse_decimal(value).has_value();
        } else if (key == "atime" || key == "mtime" || key == "ctime") {
            ok = parse_pax_time_seconds(value).has_value();
        }
        if (!ok) return invalid_pax("record " + extension::detail::quoted(key) + " is not a number");
    }
    header.pax = records;
    return {};
}

}  // namespace deskext::layer
