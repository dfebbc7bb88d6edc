#include "install/progress_throttle.hpp"

namespace deskext {

namespace {
constexpr std::int64_t step_bytes = std::int64_t{4} << 20;
}

ProgressThrottle::ProgressThrottle(EventSink& events, std::string phase,
                                   const oci::Manifest& manifest)
    : ProgressThrottle(events, std::move(phase), manifest.layers) {}

ProgressThrottle::ProgressThrottle(EventSink& events, std::string phase,
                                   const std::vector<oci::Descriptor>& blobs)
    : m_events(events), m_phase(std::move(phase)), m_last(blobs.size(), -1) {
    m_digests.reserve(blobs.size());
    for (const auto& blob : blobs) m_digests.push_back(blob.digest.str());
}

layer::ProgressFn ProgressThrottle::callback() {
    return [this](const layer::LayerProgress& p) { on_progress(p); };
}

void ProgressThrottle::on_progress(const layer::LayerProgress& p) {
    if (p.layer >= m_last.size()) return;
    auto& last = m_last[p.layer];
    bool first = last < 0;
    bool done = p.bytes_done >= p.bytes_total;
    if (!first && !done && p.bytes_done - last < step_bytes) return;
    if (!first && done && last >= p.bytes_total) return;  // end already reported
    last = p.bytes_done;
    m_events.emit("progress", {{"phase", m_phase},
                               {"layer", p.layer},
                               {"digest", m_digests[p.layer]},
                               {"bytes", p.bytes_done},
                               {"total", p.bytes_total}});
}

}  // namespace deskext
