#pragma once
// The part of TOML 1.0 (https://toml.io/en/v1.0.0) that containers-registries.conf(5) files
// are written in: tables, arrays of tables, basic and literal strings, booleans, arrays of
// strings and comments. No registries.conf key holds anything else, so numbers, dates, inline
// tables, dotted keys and multi-line strings are refused, each with the file and line, rather
// than half read.

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "deskext/error.hpp"

namespace deskext::registry::toml {

struct Value {
    std::variant<std::string, bool, std::vector<std::string>> data;
    int line = 0;
};

struct Table {
    int line = 0;          // of its header; 0 for the root and tables only named on the way
    bool defined = false;  // opened by a [header] of its own (a second one is an error)
    std::map<std::string, Value> values;
    std::map<std::string, Table> tables;
    std::map<std::string, std::vector<Table>> arrays;  // [[name]]
};

// Parses a whole file. ErrorCode::usage "FILE:LINE: what is wrong" when the text is not TOML
// or uses what the subset leaves out.
[[nodiscard]] Result<Table> parse(std::string_view text, std::string_view file_name);

}  // namespace deskext::registry::toml
