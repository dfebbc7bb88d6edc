// The random part of every temporary name (staging directories, pending files, swaps, cache
// files being written).

#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <string>

#include "deskext/platform/random_name.hpp"

using deskext::platform::random_name;

TEST_CASE("random name: three groups of four lowercase hex digits", "[platform]") {
    const std::regex shape("[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}");
    for (int i = 0; i < 100; ++i) CHECK(std::regex_match(random_name(), shape));
}

TEST_CASE("random name: a new one every time", "[platform]") {
    // 48 random bits: a repeat among a thousand names is a one-in-half-a-billion event.
    std::set<std::string> names;
    for (int i = 0; i < 1000; ++i) names.insert(random_name());
    CHECK(names.size() == 1000);
}
