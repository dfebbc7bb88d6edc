#include "registry/resume.hpp"

#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

#include "registry/http_client.hpp"

namespace deskext::registry {
namespace {

constexpr int k_max_resumes = 10;

}  // namespace

std::string Resume::start_attempt() {
    m_received = 0;
    m_wrong_offset = false;
    m_range_start = 0;
    std::string line;
    if (m_resumable && m_sink != nullptr && m_sink->size() > 0 && !m_whole_next) {
        m_range_start = m_sink->size();
        line = fmt::format("Range: bytes={}-", m_range_start);
    }
    m_whole_next = false;
    return line;
}

Result<bool> Resume::begin_body(long status, const std::string& content_range) {
    if (m_sink == nullptr) return true;
    if (status == 206 && m_range_start > 0) {
        // Content-Range: bytes START-END/TOTAL must start where we stopped.
        const auto prefix = std::string_view("bytes ");
        long long start = -1;
        if (std::string_view(content_range).starts_with(prefix)) {
            start = std::atoll(content_range.c_str() + prefix.size());
        }
        m_wrong_offset = start != m_range_start;
        return !m_wrong_offset;
    }
    // The server ignored Range (200) or this is a fresh response: start over.
    if (m_sink->size() > 0) DESKEXT_TRY(m_sink->restart());
    return true;
}

bool Resume::continue_after_cut() {
    if (m_received == 0 || !m_resumable || m_resumes >= k_max_resumes) return false;
    ++m_resumes;
    return true;
}

}  // namespace deskext::registry
