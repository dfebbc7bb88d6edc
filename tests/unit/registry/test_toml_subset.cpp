#include <catch2/catch.hpp>

#include <string>

#include "registry/toml_subset.hpp"

using deskext::ErrorCode;
namespace toml = deskext::registry::toml;

namespace {

// The message of a refused text ("" when it parsed).
std::string refusal(const std::string& text) {
    auto parsed = toml::parse(text, "r.conf");
    if (parsed) return "";
    CHECK(parsed.error().code == ErrorCode::usage);
    return parsed.error().message;
}

const std::string& text_of(const toml::Table& table, const std::string& key) {
    return std::get<std::string>(table.values.at(key).data);
}

}  // namespace

TEST_CASE("toml subset: tables, arrays of tables, strings, booleans, string arrays", "[registry]") {
    const std::string text =
        "\xef\xbb\xbf# registries\n"
        "unqualified-search-registries = [\"docker.io\", 'quay.io',]  # trailing comma\n"
        "\n"
        "[[registry]]\r\n"
        "prefix = \"example.com/foo\"\n"
        "location = 'internal.example.net/bar'\n"
        "insecure = true\n"
        "blocked=false\n"
        "  [[registry.mirror]]\n"
        "  location = \"m1.example.net\"\n"
        "  [[registry.mirror]]\n"
        "  location = \"m2.example.net\"\n"
        "[[registry]]\n"
        "location = \"a\\u00e9\\t\\\"b\\\\\"\n"
        "[aliases]\n"
        "\"short\" = \"docker.io/library/short\"\n"
        "list = [\n"
        "  # a comment\n"
        "  \"x\",\n"
        "  \"y\"\n"
        "]\n";
    auto parsed = toml::parse(text, "r.conf");
    REQUIRE(parsed);
    const auto& root = *parsed;
    CHECK(
        std::get<std::vector<std::string>>(root.values.at("unqualified-search-registries").data) ==
        std::vector<std::string>{"docker.io", "quay.io"});
    const auto& registries = root.arrays.at("registry");
    REQUIRE(registries.size() == 2);
    CHECK(registries[0].line == 4);
    CHECK(text_of(registries[0], "prefix") == "example.com/foo");
    CHECK(text_of(registries[0], "location") == "internal.example.net/bar");
    CHECK(std::get<bool>(registries[0].values.at("insecure").data));
    CHECK_FALSE(std::get<bool>(registries[0].values.at("blocked").data));
    const auto& mirrors = registries[0].arrays.at("mirror");
    REQUIRE(mirrors.size() == 2);
    CHECK(text_of(mirrors[1], "location") == "m2.example.net");
    CHECK(mirrors[1].line == 11);
    CHECK(text_of(registries[1], "location") == "a\xc3\xa9\t\"b\\");
    CHECK(registries[1].arrays.empty());
    const auto& aliases = root.tables.at("aliases");
    CHECK(text_of(aliases, "short") == "docker.io/library/short");
    CHECK(std::get<std::vector<std::string>>(aliases.values.at("list").data).size() == 2);
    CHECK(aliases.values.at("list").line == 17);
}

TEST_CASE("toml subset: what it does not read is refused with the file and line", "[registry]") {
    CHECK(refusal("a = 1\n") ==
          "r.conf:1: only strings, booleans and arrays of strings are read here");
    CHECK(refusal("\n\na.b = \"x\"\n") == "r.conf:3: dotted keys are not read; use a [table]");
    CHECK(refusal("a = \"\"\"x\"\"\"\n") == "r.conf:1: multi-line strings are not read");
    CHECK(refusal("a = {x = \"y\"}\n").starts_with("r.conf:1: only strings"));
    CHECK(refusal("a = [1, 2]\n") == "r.conf:1: arrays here hold strings only");
    CHECK(refusal("a = [\"x\"\n") == "r.conf:1: an array is not closed");
    CHECK(refusal("a = [\"x\" \"y\"]\n") == "r.conf:1: expected ',' or ']' in an array");
    CHECK(refusal("a = \"x\n") == "r.conf:1: a string is not closed");
    CHECK(refusal("a = 'x\n") == "r.conf:1: a string is not closed");
    CHECK(refusal("a = \"\\q\"\n") == "r.conf:1: unknown escape \\q in a string");
    CHECK(refusal("a = \"\\ud800\"\n") == "r.conf:1: an escape that is not a Unicode scalar value");
    CHECK(refusal("a = \"\\u12\"\n") == "r.conf:1: \\u needs 4 hex digits");
    CHECK(refusal("a = \"x\" b = \"y\"\n").starts_with("r.conf:1: unexpected 'b'"));
    CHECK(refusal("a = \"x\"\na = \"y\"\n") == "r.conf:2: \"a\" is defined twice");
    CHECK(refusal("a =\n") == "r.conf:1: a value is missing after '='");
    CHECK(refusal("a\n") == "r.conf:1: expected '=' after the key \"a\"");
    CHECK(refusal("= 1\n") == "r.conf:1: '=' cannot start a key");
    CHECK(refusal("[t]\n[t]\n") == "r.conf:2: the table [t] is defined twice");
    CHECK(refusal("[t\n") == "r.conf:1: a table header is not closed with ]");
    CHECK(refusal("[[t]\n") == "r.conf:1: a table header is not closed with ]]");
    CHECK(refusal("[[t]]\n[t]\n") == "r.conf:2: \"t\" is an array of tables; write [[t]]");
    CHECK(refusal("[t]\n[[t]]\n") == "r.conf:2: \"t\" is a table, not an array of tables");
    CHECK(refusal("t = \"x\"\n[t]\n") == "r.conf:2: \"t\" is a value, not a table");
    CHECK(refusal("t = \"x\"\n[t.u]\n") == "r.conf:2: \"t\" is a value, not a table");
    CHECK(refusal("a = \"x\"\rb = \"y\"\n") ==
          "r.conf:1: a carriage return not followed by a line feed");
    CHECK(refusal("a = \"x\x01\"\n") == "r.conf:1: a control character in a string");
    CHECK(refusal("# x\x7f\n") == "r.conf:1: a control character in a comment");
    CHECK(refusal("a = \"\xff\"\n") == "r.conf: not UTF-8 text");
    CHECK(refusal("a = true1\n").starts_with("r.conf:1: only strings"));
}

TEST_CASE("toml subset: [a.b] under an array of tables opens a table in its last element",
          "[registry]") {
    auto parsed = toml::parse("[[r]]\nx = \"1\"\n[[r]]\n[r.sub]\ny = \"2\"\n", "f");
    REQUIRE(parsed);
    const auto& items = parsed->arrays.at("r");
    REQUIRE(items.size() == 2);
    CHECK(items[0].tables.empty());
    CHECK(text_of(items[1].tables.at("sub"), "y") == "2");
    // An empty file, and one of comments only, are empty tables.
    CHECK(toml::parse("", "f"));
    CHECK(toml::parse("# nothing\n\n   # here\n", "f"));
}
