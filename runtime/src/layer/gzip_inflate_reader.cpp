// gzip members parsed here, deflate data inflated by ISA-L (runtime/src/layer/
// gzip_inflate_reader.hpp). The header is parsed by this file rather than by isal_inflate's
// ISAL_GZIP mode, whose parser loses the header flags when a header is split across two input
// buffers; ISA-L then inflates the raw deflate data and checks the trailer
// (ISAL_GZIP_NO_HDR_VER: CRC-32 and ISIZE).
// https://www.rfc-editor.org/rfc/rfc1952

#include "layer/gzip_inflate_reader.hpp"

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace deskext::layer {

namespace {

// Compressed bytes are pulled from the source in chunks this big.
constexpr std::size_t k_input_size = 256 * 1024;

constexpr std::size_t k_fixed_header_size = 10;  // ID1 ID2 CM FLG MTIME(4) XFL OS
constexpr std::uint8_t k_deflate = 8;
constexpr std::uint8_t k_fhcrc = 0x02;
constexpr std::uint8_t k_fextra = 0x04;
constexpr std::uint8_t k_fname = 0x08;
constexpr std::uint8_t k_fcomment = 0x10;
constexpr std::uint8_t k_reserved_flags = 0xe0;

const char* inflate_error(int rc) {
    switch (rc) {
        case ISAL_INVALID_BLOCK: return "invalid deflate block";
        case ISAL_INVALID_SYMBOL: return "invalid deflate code";
        case ISAL_INVALID_LOOKBACK: return "deflate back-reference before the start of the data";
        case ISAL_INCORRECT_CHECKSUM:
            return "CRC-32 or length of the data does not match the member's trailer";
        default: return "inflate failed";
    }
}

}  // namespace

struct GzipInflateReader::Impl {
    enum class Phase { header, body, done, failed };
    // The parts of a member header (RFC 1952 section 2.3), in order; each optional one is
    // present when its flag is set.
    enum class Field { fixed, extra_length, extra, name, comment, header_crc, complete };
    enum class HeaderStep { complete, need_input, not_a_member };

    explicit Impl(Reader& source_)
        : source(source_), input(k_input_size), state(std::make_unique<inflate_state>()) {
        isal_inflate_init(state.get());
    }

    Reader& source;
    std::vector<std::uint8_t> input;
    std::size_t pos = 0;  // input[pos, end) is read from the source but not consumed yet
    std::size_t end = 0;
    std::unique_ptr<inflate_state> state;  // ~100 KiB: on the heap
    Phase phase = Phase::header;
    Failure failure = Failure::none;
    std::optional<Error> error;  // what every read returns once failed
    bool source_eof = false;
    std::int64_t bytes_in = 0;
    std::int64_t bytes_out = 0;
    std::int64_t members = 0;  // members inflated and checked

    // The header being parsed.
    Field field = Field::fixed;
    std::array<std::uint8_t, k_fixed_header_size> fixed{};
    std::size_t fixed_size = 0;
    std::uint8_t flags = 0;
    std::array<std::uint8_t, 2> word{};  // XLEN or CRC16, little-endian
    std::size_t word_size = 0;
    std::size_t extra_left = 0;
    std::uint32_t header_crc = 0;  // CRC-32 of the header bytes so far, for FHCRC

    [[nodiscard]] std::string member_name() const {
        return "gzip member " + std::to_string(members + 1);
    }

    std::unexpected<Error> fail(Failure why, Error e) {
        phase = Phase::failed;
        failure = why;
        error = e;
        return std::unexpected(std::move(e));
    }
    std::unexpected<Error> corrupt(const std::string& why) {
        return fail(Failure::corrupt, Error{ErrorCode::invalid_extension, why});
    }

    // Refills the input once it is all consumed; false at the end of the source.
    Result<bool> fill() {
        if (source_eof) return false;
        auto n = source.read(std::as_writable_bytes(std::span(input)));
        if (!n) return fail(Failure::source, std::move(n).error());
        if (*n == 0) {
            source_eof = true;
            return false;
        }
        pos = 0;
        end = *n;
        bytes_in += static_cast<std::int64_t>(*n);
        return true;
    }

    // Consumes n header bytes, which count for the header CRC.
    void consume_header(std::size_t n) {
        header_crc = crc32_gzip_refl(header_crc, input.data() + pos, n);
        pos += n;
    }

    [[nodiscard]] Field field_after(Field f) const {
        switch (f) {
            case Field::fixed:
                if ((flags & k_fextra) != 0) return Field::extra_length;
                [[fallthrough]];
            case Field::extra_length:
            case Field::extra:
                if ((flags & k_fname) != 0) return Field::name;
                [[fallthrough]];
            case Field::name:
                if ((flags & k_fcomment) != 0) return Field::comment;
                [[fallthrough]];
            case Field::comment:
                if ((flags & k_fhcrc) != 0) return Field::header_crc;
                [[fallthrough]];
            case Field::header_crc:
            case Field::complete: return Field::complete;
        }
        return Field::complete;
    }

    // Collects the next little-endian 16-bit field; true once both bytes are there.
    bool collect_word(bool counts_for_crc) {
        while (word_size < 2 && pos < end) {
            word[word_size++] = input[pos];
            if (counts_for_crc)
                consume_header(1);
            else
                ++pos;
        }
        return word_size == 2;
    }
    [[nodiscard]] std::uint16_t word_value() const {
        return static_cast<std::uint16_t>(word[0] | (word[1] << 8));
    }

    // Parses header bytes from the input, which may end anywhere in the header.
    Result<HeaderStep> parse_header() {
        while (field != Field::complete) {
            if (pos == end) return HeaderStep::need_input;
            switch (field) {
                case Field::fixed: {
                    const std::size_t n = std::min(k_fixed_header_size - fixed_size, end - pos);
                    std::memcpy(fixed.data() + fixed_size, input.data() + pos, n);
                    consume_header(n);
                    fixed_size += n;
                    if (fixed_size < k_fixed_header_size) break;
                    DESKEXT_TRY_ASSIGN(bool member, check_fixed_header());
                    if (!member) return HeaderStep::not_a_member;
                    flags = fixed[3];
                    field = field_after(Field::fixed);
                    break;
                }
                case Field::extra_length:
                    if (!collect_word(true)) break;
                    extra_left = word_value();
                    word_size = 0;
                    field = Field::extra;
                    break;
                case Field::extra: {
                    const std::size_t n = std::min(extra_left, end - pos);
                    consume_header(n);
                    extra_left -= n;
                    if (extra_left == 0) field = field_after(Field::extra);
                    break;
                }
                case Field::name:
                case Field::comment: {
                    // Zero-terminated; its length is bounded by the stream only.
                    const void* nul = std::memchr(input.data() + pos, 0, end - pos);
                    const std::size_t n =
                        nul == nullptr
                            ? end - pos
                            : static_cast<std::size_t>(static_cast<const std::uint8_t*>(nul) -
                                                       (input.data() + pos)) +
                                  1;
                    consume_header(n);
                    if (nul != nullptr) field = field_after(field);
                    break;
                }
                case Field::header_crc:
                    if (!collect_word(false)) break;
                    if (word_value() != (header_crc & 0xffffu))
                        return corrupt(member_name() + ": header CRC does not match the header");
                    field = Field::complete;
                    break;
                case Field::complete: break;
            }
        }
        return HeaderStep::complete;
    }

    // The ten fixed bytes: false when they do not start a member (data after the last one).
    Result<bool> check_fixed_header() {
        const bool magic = fixed[0] == 0x1f && fixed[1] == 0x8b;
        const bool supported = fixed[2] == k_deflate && (fixed[3] & k_reserved_flags) == 0;
        if (magic && supported) return true;
        if (members > 0) return false;
        if (!magic)
            return fail(Failure::not_gzip,
                        Error{ErrorCode::invalid_extension, "the data is not a gzip stream"});
        if (fixed[2] != k_deflate)
            return corrupt(member_name() + ": unknown compression method " +
                           std::to_string(fixed[2]));
        return corrupt(member_name() + ": reserved header flags are set");
    }

    // The source ended in a header: the clean end of the stream after a member, otherwise the
    // stream is cut short (or never was gzip).
    Result<std::size_t> header_at_end() {
        if (members > 0 && field == Field::fixed) {
            phase = Phase::done;
            return std::size_t{0};
        }
        const bool magic = fixed_size >= 2 && fixed[0] == 0x1f && fixed[1] == 0x8b;
        if (field == Field::fixed && !magic)
            return fail(Failure::not_gzip,
                        Error{ErrorCode::invalid_extension, "the data is not a gzip stream"});
        return corrupt("gzip stream is truncated: " + member_name() + " has no complete header");
    }

    void start_member() {
        isal_inflate_reset(state.get());
        state->crc_flag = ISAL_GZIP_NO_HDR_VER;
        phase = Phase::body;
    }

    void end_member() {
        ++members;
        phase = Phase::header;
        field = Field::fixed;
        fixed_size = 0;
        word_size = 0;
        header_crc = 0;
    }

    // Inflates into `out` until something is produced, the member ends or input runs out.
    Result<std::size_t> inflate(std::span<std::byte> out) {
        state->next_in = input.data() + pos;
        state->avail_in = static_cast<std::uint32_t>(end - pos);
        state->next_out = reinterpret_cast<std::uint8_t*>(out.data());
        state->avail_out = static_cast<std::uint32_t>(
            std::min<std::size_t>(out.size(), std::numeric_limits<std::uint32_t>::max()));
        const std::uint32_t avail_out = state->avail_out;
        const int rc = isal_inflate(state.get());
        pos = end - state->avail_in;
        const std::size_t produced = avail_out - state->avail_out;
        if (rc < 0) return corrupt(member_name() + ": " + inflate_error(rc));
        bytes_out += static_cast<std::int64_t>(produced);
        if (state->block_state == ISAL_BLOCK_FINISH) end_member();
        return produced;
    }

    Result<std::size_t> read(std::span<std::byte> out) {
        if (phase == Phase::failed) return std::unexpected(*error);
        if (out.empty()) return std::size_t{0};
        for (;;) {
            switch (phase) {
                case Phase::done: return std::size_t{0};
                case Phase::failed: return std::unexpected(*error);
                case Phase::header: {
                    DESKEXT_TRY_ASSIGN(HeaderStep step, parse_header());
                    if (step == HeaderStep::complete) {
                        start_member();
                    } else if (step == HeaderStep::not_a_member) {
                        phase = Phase::done;
                    } else {
                        DESKEXT_TRY_ASSIGN(bool more, fill());
                        if (!more) return header_at_end();
                    }
                    break;
                }
                case Phase::body: {
                    const std::size_t before = pos;
                    DESKEXT_TRY_ASSIGN(std::size_t produced, inflate(out));
                    if (produced > 0) return produced;
                    if (phase != Phase::body || pos != before) break;
                    // Nothing produced, nothing consumed: ISA-L holds every input byte it was
                    // given and needs more.
                    if (pos != end)
                        return fail(Failure::corrupt,
                                    Error{ErrorCode::internal,
                                          member_name() + ": inflate made no progress"});
                    DESKEXT_TRY_ASSIGN(bool more, fill());
                    if (!more)
                        return corrupt("gzip stream is truncated: " + member_name() +
                                       " ends before its trailer");
                    break;
                }
            }
        }
    }
};

GzipInflateReader::GzipInflateReader(Reader& compressed)
    : m_impl(std::make_unique<Impl>(compressed)) {}
GzipInflateReader::~GzipInflateReader() = default;

Result<std::size_t> GzipInflateReader::read(std::span<std::byte> buffer) {
    return m_impl->read(buffer);
}

std::int64_t GzipInflateReader::bytes_in() const { return m_impl->bytes_in; }
std::int64_t GzipInflateReader::bytes_out() const { return m_impl->bytes_out; }
bool GzipInflateReader::source_at_end() const { return m_impl->source_eof; }
GzipInflateReader::Failure GzipInflateReader::failure() const { return m_impl->failure; }

}  // namespace deskext::layer
