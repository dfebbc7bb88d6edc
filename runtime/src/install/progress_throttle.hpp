#pragma once
// Turns per-read layer progress into "progress" events: one when a layer starts, one at its end,
// and at most one per 4 MiB in between, so Desktop gets a live bar without a flood of lines.

#include <string>
#include <vector>

#include "deskext/events/event_sink.hpp"
#include "deskext/layer/layer_scan.hpp"

namespace deskext {

class ProgressThrottle {
public:
    ProgressThrottle(EventSink& events, std::string phase, const oci::Manifest& manifest);
    // For any list of blobs (export copies configs and manifests too): `layer` is the index in
    // `blobs`.
    ProgressThrottle(EventSink& events, std::string phase,
                     const std::vector<oci::Descriptor>& blobs);
    [[nodiscard]] layer::ProgressFn callback();

private:
    void on_progress(const layer::LayerProgress& progress);
    EventSink& m_events;
    std::string m_phase;
    std::vector<std::string> m_digests;  // per layer
    std::vector<std::int64_t> m_last;    // bytes at the last event, per layer (-1: none yet)
};

}  // namespace deskext
