#include "deskext/layer/entry_list.hpp"

namespace deskext::layer {

void EntryList::push_back(const Entry& entry) {
    // Names and targets are capped far below 4 GiB (Limits::max_path_bytes).
    m_records.push_back(Record{m_names.size(), static_cast<std::uint32_t>(entry.path.size()),
                               static_cast<std::uint32_t>(entry.link_target.size()), entry.size,
                               entry.mode, entry.type});
    m_names += entry.path;
    m_names += entry.link_target;
}

Entry EntryList::operator[](std::size_t i) const {
    Entry entry;
    copy_to(i, entry);
    return entry;
}

void EntryList::copy_to(std::size_t i, Entry& out) const {
    const Record& r = m_records[i];
    out.path.assign(m_names, r.offset, r.path_bytes);
    out.type = r.type;
    out.mode = r.mode;
    out.size = r.size;
    out.link_target.assign(m_names, r.offset + r.path_bytes, r.link_bytes);
}

}  // namespace deskext::layer
