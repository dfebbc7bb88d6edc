// Untrusted strings shown in messages (extension/display.hpp).

#include <catch2/catch.hpp>

#include <string>

#include "extension/display.hpp"

using deskext::extension::detail::escaped;
using deskext::extension::detail::is_valid_utf8;
using deskext::extension::detail::max_displayed_chars;
using deskext::extension::detail::quoted;

TEST_CASE("display: UTF-8 as RFC 3629 has it", "[extension]") {
    CHECK(is_valid_utf8(""));
    CHECK(is_valid_utf8("plain ascii"));
    CHECK(is_valid_utf8("caf\xc3\xa9 \xe6\x96\x87 \xf0\x9f\x93\xa6"));  // é, 文, 📦
    CHECK_FALSE(is_valid_utf8("caf\xe9"));                              // Latin-1
    CHECK_FALSE(is_valid_utf8("\xc0\xaf"));                             // overlong '/'
    CHECK_FALSE(is_valid_utf8("\xe0\x80\xaf"));                         // overlong '/'
    CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));                         // a surrogate
    CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));                     // above U+10FFFF
    CHECK_FALSE(is_valid_utf8("\xe6\x96"));                             // cut short
    CHECK_FALSE(is_valid_utf8("\x80"));                                 // a lone continuation
}

TEST_CASE("display: escaped shows every byte that is not printable UTF-8 as \\xNN", "[extension]") {
    CHECK(escaped("caf\xc3\xa9") == "caf\xc3\xa9");
    CHECK(escaped("caf\xe9.txt") == "caf\\xe9.txt");
    CHECK(escaped("a\nb\x7f") == "a\\x0ab\\x7f");
    CHECK(quoted("say \"hi\" \\") == "\"say \\\"hi\\\" \\\\\"");
    CHECK(is_valid_utf8(escaped("\xff\xfe\xe6\x96")));
}

TEST_CASE("display: a long value is cut, never inside a character", "[extension]") {
    const std::string long_ascii(max_displayed_chars + 10, 'a');
    CHECK(escaped(long_ascii) == std::string(max_displayed_chars, 'a') + "...");
    std::string wide;
    while (wide.size() < max_displayed_chars + 10) wide += "\xe6\x96\x87";
    const auto shown = escaped(wide);
    CHECK(shown.ends_with("..."));
    CHECK(is_valid_utf8(shown));
}
