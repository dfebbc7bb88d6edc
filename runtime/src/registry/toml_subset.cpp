// A strict reader of the TOML subset registries.conf files use (toml_subset.hpp). One pass over
// the text with a cursor; each error names the line it was found on.

#include "registry/toml_subset.hpp"

#include <fmt/format.h>

#include "extension/display.hpp"

namespace deskext::registry::toml {
namespace {

bool is_bare_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

// TOML forbids control characters other than tab in strings and comments.
bool is_control(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

class Parser {
public:
    Parser(std::string_view text, std::string_view file) : m_text(text), m_file(file) {}

    Result<Table> run() {
        if (!extension::detail::is_valid_utf8(m_text))
            return fail(ErrorCode::usage, fmt::format("{}: not UTF-8 text", m_file));
        if (m_text.starts_with("\xef\xbb\xbf")) m_pos = 3;
        while (true) {
            DESKEXT_TRY(skip_blank_lines());
            if (at_end()) return std::move(m_root);
            if (peek() == '[') {
                DESKEXT_TRY(header());
            } else {
                DESKEXT_TRY(key_value());
            }
            DESKEXT_TRY(end_of_line());
        }
    }

private:
    [[nodiscard]] bool at_end() const { return m_pos >= m_text.size(); }
    [[nodiscard]] char peek(std::size_t ahead = 0) const {
        return m_pos + ahead < m_text.size() ? m_text[m_pos + ahead] : '\0';
    }

    std::unexpected<Error> error(std::string_view what) const { return error_at(m_line, what); }
    std::unexpected<Error> error_at(int line, std::string_view what) const {
        return fail(ErrorCode::usage, fmt::format("{}:{}: {}", m_file, line, what));
    }

    void skip_spaces() {
        while (peek() == ' ' || peek() == '\t') ++m_pos;
    }

    // A comment runs to the end of the line, which it leaves in place.
    Result<void> skip_comment() {
        if (peek() != '#') return {};
        while (!at_end() && peek() != '\n' && peek() != '\r') {
            if (is_control(peek())) return error("a control character in a comment");
            ++m_pos;
        }
        return {};
    }

    // A line break (\n or \r\n); false when there is none here.
    Result<bool> newline() {
        if (peek() == '\r') {
            if (peek(1) != '\n') return error("a carriage return not followed by a line feed");
            ++m_pos;
        }
        if (peek() != '\n') return false;
        ++m_pos;
        ++m_line;
        return true;
    }

    Result<void> skip_blank_lines() {
        while (true) {
            skip_spaces();
            DESKEXT_TRY(skip_comment());
            DESKEXT_TRY_ASSIGN(const bool more, newline());
            if (!more) return {};
        }
    }

    Result<void> end_of_line() {
        skip_spaces();
        DESKEXT_TRY(skip_comment());
        if (at_end()) return {};
        DESKEXT_TRY_ASSIGN(const bool ended, newline());
        if (!ended)
            return error(
                fmt::format("unexpected '{}' after the value (one key or table a line)", peek()));
        return {};
    }

    Result<std::string> key() {
        if (peek() == '"') return basic_string();
        if (peek() == '\'') return literal_string();
        const auto start = m_pos;
        while (is_bare_key_char(peek())) ++m_pos;
        if (m_pos == start)
            return error(peek() == '\0' || peek() == '\n'
                             ? "a key is missing"
                             : fmt::format("'{}' cannot start a key", peek()));
        return std::string(m_text.substr(start, m_pos - start));
    }

    Result<std::string> escape(char c) {
        switch (c) {
            case 'b':
                return std::string("\b");
            case 't':
                return std::string("\t");
            case 'n':
                return std::string("\n");
            case 'f':
                return std::string("\f");
            case 'r':
                return std::string("\r");
            case '"':
                return std::string("\"");
            case '\\':
                return std::string("\\");
            case 'u':
            case 'U':
                break;
            default:
                return error(fmt::format("unknown escape \\{} in a string", c));
        }
        const std::size_t digits = c == 'u' ? 4 : 8;
        char32_t cp = 0;
        for (std::size_t i = 0; i < digits; ++i) {
            const char h = peek();
            const int v = (h >= '0' && h <= '9')   ? h - '0'
                          : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                          : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                                   : -1;
            if (v < 0) return error(fmt::format("\\{} needs {} hex digits", c, digits));
            cp = cp * 16 + static_cast<char32_t>(v);
            ++m_pos;
        }
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return error("an escape that is not a Unicode scalar value");
        std::string out;
        append_utf8(out, cp);
        return out;
    }

    Result<std::string> basic_string() {
        if (m_text.substr(m_pos).starts_with("\"\"\""))
            return error("multi-line strings are not read");
        ++m_pos;
        std::string out;
        while (true) {
            if (at_end() || peek() == '\n' || peek() == '\r')
                return error("a string is not closed");
            const char c = m_text[m_pos++];
            if (c == '"') return out;
            if (is_control(c)) return error("a control character in a string");
            if (c != '\\') {
                out += c;
                continue;
            }
            const char e = peek();
            ++m_pos;
            DESKEXT_TRY_ASSIGN(auto decoded, escape(e));
            out += decoded;
        }
    }

    Result<std::string> literal_string() {
        if (m_text.substr(m_pos).starts_with("'''"))
            return error("multi-line strings are not read");
        ++m_pos;
        const auto start = m_pos;
        while (true) {
            if (at_end() || peek() == '\n' || peek() == '\r')
                return error("a string is not closed");
            if (peek() == '\'') break;
            if (is_control(peek())) return error("a control character in a string");
            ++m_pos;
        }
        std::string out(m_text.substr(start, m_pos - start));
        ++m_pos;
        return out;
    }

    // Blank lines and comments inside an array's brackets.
    Result<void> skip_array_space() {
        while (true) {
            skip_spaces();
            DESKEXT_TRY(skip_comment());
            DESKEXT_TRY_ASSIGN(const bool more, newline());
            if (!more) return {};
        }
    }

    Result<std::vector<std::string>> string_array() {
        ++m_pos;  // '['
        const int opened = m_line;  // an array left open is named where it starts
        std::vector<std::string> items;
        while (true) {
            DESKEXT_TRY(skip_array_space());
            if (peek() == ']') break;
            if (at_end()) return error_at(opened, "an array is not closed");
            if (peek() != '"' && peek() != '\'') return error("arrays here hold strings only");
            DESKEXT_TRY_ASSIGN(auto item, peek() == '"' ? basic_string() : literal_string());
            items.push_back(std::move(item));
            DESKEXT_TRY(skip_array_space());
            if (peek() == ',') {
                ++m_pos;
            } else if (at_end()) {
                return error_at(opened, "an array is not closed");
            } else if (peek() != ']') {
                return error("expected ',' or ']' in an array");
            }
        }
        ++m_pos;  // ']'
        return items;
    }

    Result<Value> value() {
        Value v;
        v.line = m_line;
        const auto rest = m_text.substr(m_pos);
        if (peek() == '"') {
            DESKEXT_TRY_ASSIGN(v.data, basic_string());
        } else if (peek() == '\'') {
            DESKEXT_TRY_ASSIGN(v.data, literal_string());
        } else if (peek() == '[') {
            DESKEXT_TRY_ASSIGN(v.data, string_array());
        } else if (rest.starts_with("true") && !is_bare_key_char(peek(4))) {
            v.data = true;
            m_pos += 4;
        } else if (rest.starts_with("false") && !is_bare_key_char(peek(5))) {
            v.data = false;
            m_pos += 5;
        } else if (at_end() || peek() == '\n' || peek() == '\r' || peek() == '#') {
            return error("a value is missing after '='");
        } else {
            return error("only strings, booleans and arrays of strings are read here");
        }
        return v;
    }

    Result<void> key_value() {
        const int line = m_line;
        DESKEXT_TRY_ASSIGN(auto name, key());
        skip_spaces();
        if (peek() == '.') return error("dotted keys are not read; use a [table]");
        if (peek() != '=') return error(fmt::format("expected '=' after the key \"{}\"", name));
        ++m_pos;
        skip_spaces();
        DESKEXT_TRY_ASSIGN(auto parsed, value());
        if (m_current->values.contains(name) || m_current->tables.contains(name) ||
            m_current->arrays.contains(name)) {
            m_line = line;
            return error(fmt::format("\"{}\" is defined twice", name));
        }
        m_current->values.emplace(std::move(name), std::move(parsed));
        return {};
    }

    Result<std::vector<std::string>> header_path(bool array) {
        std::vector<std::string> path;
        while (true) {
            skip_spaces();
            DESKEXT_TRY_ASSIGN(auto part, key());
            path.push_back(std::move(part));
            skip_spaces();
            if (peek() != '.') break;
            ++m_pos;
        }
        const std::string_view close = array ? "]]" : "]";
        if (!m_text.substr(m_pos).starts_with(close))
            return error(fmt::format("a table header is not closed with {}", close));
        m_pos += close.size();
        return path;
    }

    // The table a header's name leads through: the last element of an array of tables, or a
    // table, made when it does not exist yet.
    Result<Table*> step_into(Table& table, const std::string& name) {
        if (table.values.contains(name))
            return error(fmt::format("\"{}\" is a value, not a table", name));
        if (auto it = table.arrays.find(name); it != table.arrays.end()) return &it->second.back();
        auto& named = table.tables[name];
        if (named.line == 0) named.line = m_line;  // first named on the way to another
        return &named;
    }

    Result<void> header() {
        const bool array = peek(1) == '[';
        m_pos += array ? 2 : 1;
        DESKEXT_TRY_ASSIGN(auto path, header_path(array));
        Table* table = &m_root;
        for (std::size_t i = 0; i + 1 < path.size(); ++i) {
            DESKEXT_TRY_ASSIGN(table, step_into(*table, path[i]));
        }
        const auto& last = path.back();
        if (table->values.contains(last))
            return error(fmt::format("\"{}\" is a value, not a table", last));
        if (array) {
            if (table->tables.contains(last))
                return error(fmt::format("\"{}\" is a table, not an array of tables", last));
            auto& items = table->arrays[last];
            items.emplace_back().line = m_line;
            m_current = &items.back();
            m_current->defined = true;
            return {};
        }
        if (table->arrays.contains(last))
            return error(fmt::format("\"{}\" is an array of tables; write [[{}]]", last, last));
        auto& opened = table->tables[last];
        if (opened.defined) return error(fmt::format("the table [{}] is defined twice", last));
        opened.defined = true;
        opened.line = m_line;
        m_current = &opened;
        return {};
    }

    std::string_view m_text;
    std::string_view m_file;
    std::size_t m_pos = 0;
    int m_line = 1;
    Table m_root;
    Table* m_current = &m_root;
};

}  // namespace

Result<Table> parse(std::string_view text, std::string_view file_name) {
    return Parser(text, file_name).run();
}

}  // namespace deskext::registry::toml
