#include "layer/tar_sparse.hpp"

#include <limits>
#include <string>

namespace deskext::layer {

namespace {

std::unexpected<Error> invalid_header() {
    return fail(ErrorCode::invalid_extension, std::string(k_invalid_header));
}

std::string_view record(const PaxRecords& records, std::string_view key) {
    auto it = records.find(key);
    return it == records.end() ? std::string_view{} : std::string_view(it->second);
}

// A valid decimal number is at most 20 characters: a longer token is refused at once rather
// than collected.
constexpr std::size_t k_max_token = 32;

}  // namespace

SparseFormat sparse_format(const PaxRecords& records) {
    const std::string_view major = record(records, "GNU.sparse.major");
    const std::string_view minor = record(records, "GNU.sparse.minor");
    if (major == "0" && (minor == "0" || minor == "1")) return SparseFormat::map_in_records;
    if (major == "1" && minor == "0") return SparseFormat::map_in_data;
    if (!major.empty() || !minor.empty()) return SparseFormat::none;  // unknown version
    // 0.0 and 0.1 had no version records.
    return record(records, "GNU.sparse.map").empty() ? SparseFormat::none
                                                     : SparseFormat::map_in_records;
}

Result<std::vector<SparseRegion>> sparse_map_from_records(const PaxRecords& records) {
    const auto count = parse_decimal(record(records, "GNU.sparse.numblocks"));
    if (!count || *count < 0 || *count > std::numeric_limits<std::int64_t>::max() / 2)
        return invalid_header();
    // "offset,length,offset,length...", two numbers for each region.
    std::vector<std::int64_t> numbers;
    std::string_view map = record(records, "GNU.sparse.map");
    while (!map.empty()) {
        const std::size_t comma = map.find(',');
        const auto number = parse_decimal(map.substr(0, comma));
        if (!number || numbers.size() >= static_cast<std::uint64_t>(*count) * 2)
            return invalid_header();
        numbers.push_back(*number);
        if (comma == std::string_view::npos) break;
        map.remove_prefix(comma + 1);
        if (map.empty()) return invalid_header();  // a trailing comma: an empty number
    }
    if (numbers.size() != static_cast<std::uint64_t>(*count) * 2) return invalid_header();
    std::vector<SparseRegion> regions;
    regions.reserve(numbers.size() / 2);
    for (std::size_t i = 0; i + 1 < numbers.size(); i += 2)
        regions.push_back({numbers[i], numbers[i + 1]});
    return regions;
}

Result<void> SparseMapParser::token(std::string_view text) {
    const auto number = parse_decimal(text);
    if (!number) return invalid_header();
    if (!m_count) {
        if (*number < 0) return invalid_header();
        if (static_cast<std::uint64_t>(*number) > m_max_regions)
            return fail(ErrorCode::invalid_extension,
                        "sparse map of more than " + std::to_string(m_max_regions) + " regions");
        m_count = *number;
        m_regions.reserve(static_cast<std::size_t>(*number));
    } else if (!m_offset) {
        m_offset = *number;
    } else {
        m_regions.push_back({*m_offset, *number});
        m_offset.reset();
    }
    return {};
}

Result<bool> SparseMapParser::feed(std::string_view block) {
    for (char c : block) {
        if (c != '\n') {
            if (m_token.size() >= k_max_token) return invalid_header();
            m_token += c;
            continue;
        }
        DESKEXT_TRY(token(m_token));
        m_token.clear();
        if (m_count && !m_offset && m_regions.size() == static_cast<std::size_t>(*m_count))
            return true;
    }
    return false;
}

bool valid_sparse_regions(const std::vector<SparseRegion>& regions, std::int64_t size) {
    if (size < 0) return false;
    SparseRegion previous;
    for (const SparseRegion& region : regions) {
        if (region.offset < 0 || region.length < 0) return false;
        if (region.offset > std::numeric_limits<std::int64_t>::max() - region.length)
            return false;
        if (region.end() > size || previous.end() > region.offset) return false;
        previous = region;
    }
    return true;
}

std::vector<SparseRegion> sparse_holes(const std::vector<SparseRegion>& regions,
                                       std::int64_t size) {
    std::vector<SparseRegion> holes;
    SparseRegion hole;
    for (const SparseRegion& region : regions) {
        if (region.length == 0) continue;
        hole.length = region.offset - hole.offset;
        if (hole.length > 0) holes.push_back(hole);
        hole.offset = region.end();
    }
    hole.length = size - hole.offset;
    holes.push_back(hole);
    return holes;
}

}  // namespace deskext::layer
