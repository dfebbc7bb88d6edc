#include "deskext/layer/entry_list.hpp"

#include <catch2/catch.hpp>

using deskext::layer::Entry;
using deskext::layer::EntryList;
using deskext::layer::EntryType;

TEST_CASE("entry list: entries come back as they went in, names counted once", "[layer]") {
    const std::vector<Entry> entries = {
        {"", EntryType::directory, 0755, 0, ""},
        {"ui/index.html", EntryType::file, 04755, 123456789012, ""},
        {"ui/logo.svg", EntryType::symlink, 0777, 0, "../shared/logo.svg"},
        {"ui/alias.html", EntryType::hardlink, 0644, 0, "ui/index.html"},
        {std::string(4096, 'n'), EntryType::other, 0666, 0, std::string(4096, 't')},
    };
    EntryList list;
    CHECK(list.empty());
    std::size_t bytes = 0;
    for (const Entry& entry : entries) {
        list.push_back(entry);
        bytes += entry.path.size() + entry.link_target.size();
    }
    REQUIRE(list.size() == entries.size());
    CHECK(list.name_bytes() == bytes);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const Entry back = list[i];
        CHECK(back.path == entries[i].path);
        CHECK(back.type == entries[i].type);
        CHECK(back.mode == entries[i].mode);
        CHECK(back.size == entries[i].size);
        CHECK(back.link_target == entries[i].link_target);
    }
}
