#pragma once
// The installer's read of an image: each layer read once. The top layer is read first (it
// almost always holds metadata.json), further layers downwards only while a file to capture
// is still missing; the rest are then read bottom-up. While a layer is read, its entries go into
// the ImageTree, the files asked for are captured, and the regular files a CandidateFilter wants
// are written whole into a candidate directory, before anyone knows whether they survive the
// layers above. Which candidate wins is decided from the finished tree (whiteouts, opaque
// directories, later layers); the others are dropped with the directory. A file needed but not
// written this way (say, reached through a link from a path the filter did not want) is read
// again by extract_entries from its layer only. A layer below the search whose entries the
// source recorded (ImageSource::layer_entries) is not read at all: the tree takes its recorded
// entries, and extract_entries reads it only when it holds a file the install needs.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "deskext/layer/layer_scan.hpp"

namespace deskext::layer {

// Decides, while the layers are read, which regular files are worth writing out.
class CandidateFilter {
public:
    virtual ~CandidateFilter() = default;
    // A file named in `capture` was read whole (within Limits::max_metadata_bytes); from now on
    // wanted() may say yes to paths it names.
    virtual void captured(std::string_view path, std::string_view data) = 0;
    // Whether a regular file at `path` may be needed, so is worth writing out.
    [[nodiscard]] virtual bool wanted(std::string_view path) const = 0;
};

// A file written out while its layer was read, with the SHA-256 of what was written.
struct Candidate {
    std::filesystem::path file;
    FileHash hash;
};

struct SinglePassResult {
    ScanResult scan;  // as scan_layers gives it
    // The files written while reading, by the entry they hold. Complete and verified: their
    // layer's digest matched before this was returned.
    std::map<EntryRef, Candidate> candidates;
    std::vector<std::size_t> read_order;  // layer indexes, in the order they were read (layers
                                          // taken from recorded entries are not in it)
};

// `candidate_dir` must be an existing, private directory; files there are named after their
// entry, never after a path from the image.
[[nodiscard]] Result<SinglePassResult> read_layers_once(
    ImageSource& source, const oci::Manifest& manifest, const std::vector<std::string>& capture,
    CandidateFilter& filter, const std::filesystem::path& candidate_dir, const Limits& limits,
    const ProgressFn& progress);

struct PlacedCandidates {
    std::vector<Placement> rest;                        // no candidate holds them
    std::map<std::filesystem::path, FileHash> hashes;  // of every destination written
};

// Moves each placement's candidate to its destination (created new, never through a link); a
// second destination of the same entry gets a copy. The placements no candidate holds are left
// for extract_entries.
[[nodiscard]] Result<PlacedCandidates> place_candidates(
    const std::map<EntryRef, Candidate>& candidates, const std::vector<Placement>& placements);

}  // namespace deskext::layer
