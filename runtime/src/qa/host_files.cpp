#include "qa/host_files.hpp"

#include <fmt/format.h>

namespace deskext::qa::detail {

std::vector<layer::EntryRef> host_file_entries(const InstallPlan& plan) {
    std::vector<layer::EntryRef> refs;
    for (const auto& file : plan.files)
        if (file.dest.starts_with("host/")) refs.push_back(file.from);
    return refs;
}

DeclaredPaths::DeclaredPaths(const extension::Metadata& metadata, std::string_view os) {
    if (auto placements = extension::host_binaries_for(metadata, os)) {
        for (const auto& placement : *placements)
            m_declared.emplace("host/" + placement.dest, placement.image_path);
    }
}

std::string DeclaredPaths::image_path_of(const std::string& dest) const {
    for (auto cut = dest.size(); cut != std::string::npos && cut > 0;
         cut = dest.rfind('/', cut - 1)) {
        if (auto it = m_declared.find(std::string_view(dest).substr(0, cut));
            it != m_declared.end())
            return it->second + dest.substr(cut);
    }
    return {};
}

std::vector<InspectedBinary> classify_host_files(
    const InstallPlan& plan, const extension::Metadata& metadata, std::string_view os,
    const std::map<layer::EntryRef, std::string>& heads, const platform::Platform& expected) {
    const DeclaredPaths declared(metadata, os);
    std::vector<InspectedBinary> files;
    for (const auto& file : plan.files) {
        if (!file.dest.starts_with("host/")) continue;
        const auto head = heads.find(file.from);
        InspectedBinary binary;
        binary.file = file.dest;
        binary.image_path = declared.image_path_of(file.dest);
        binary.format = binfmt::detect_format(
            head == heads.end() ? std::string_view() : std::string_view(head->second), file.dest);
        binary.fit = binfmt::fits(binary.format, expected);
        files.push_back(std::move(binary));
    }
    return files;
}

}  // namespace deskext::qa::detail
