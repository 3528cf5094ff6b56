/// \file subspace/adapters/detail/json.hpp
/// \brief Internal: a small strict JSON (RFC 8259) value, parser and writer for the safetensors
/// header and PEFT's adapter_config.json.
///
/// The parser accepts exactly RFC 8259 JSON text: objects, arrays, strings (all escapes,
/// surrogate pairs, UTF-8 validated: no overlong forms, no lone surrogates, no raw control
/// characters), numbers (no leading zeros, no NaN/Infinity), true/false/null. It rejects
/// duplicate object keys, trailing garbage and nesting deeper than a limit, and never reads
/// outside [data, data + size). Errors throw `subspace::invalid_argument` with the byte offset.
///
/// Object members keep their order, and numbers keep their source text, so a parsed document
/// is written back unchanged. The writers reproduce Python's `json.dumps(v, separators=(",",
/// ":"))` (`dump_compact`) and `json.dump(v, f, indent=2)` (`dump_pretty`) byte for byte,
/// including `ensure_ascii` escapes, which is what the safetensors and PEFT reference writers
/// use.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "subspace/core/error.hpp"

namespace subspace {
namespace detail {
namespace json {

/// A JSON value. Objects are ordered lists of (key, value) members.
class Value {
public:
    enum class Type { null, boolean, integer, number, string, array, object };

    Value() = default;
    static Value null() { return Value(); }
    static Value boolean(bool b) {
        Value v;
        v.m_type = Type::boolean;
        v.m_bool = b;
        return v;
    }
    static Value integer(std::int64_t i) {
        Value v;
        v.m_type = Type::integer;
        v.m_int = i;
        v.m_text = std::to_string(i);
        return v;
    }
    /// A non-integer number written the way Python's repr writes a float (shortest round trip).
    static Value number(double x) {
        Value v;
        v.m_type = Type::number;
        v.m_double = x;
        v.m_text = python_float_repr(x);
        return v;
    }
    static Value string(std::string s) {
        Value v;
        v.m_type = Type::string;
        v.m_text = std::move(s);
        return v;
    }
    static Value array() {
        Value v;
        v.m_type = Type::array;
        return v;
    }
    static Value object() {
        Value v;
        v.m_type = Type::object;
        return v;
    }

    Type type() const { return m_type; }
    bool is_null() const { return m_type == Type::null; }
    bool is_bool() const { return m_type == Type::boolean; }
    bool is_integer() const { return m_type == Type::integer; }
    /// Integer or non-integer number.
    bool is_number() const { return m_type == Type::integer || m_type == Type::number; }
    bool is_string() const { return m_type == Type::string; }
    bool is_array() const { return m_type == Type::array; }
    bool is_object() const { return m_type == Type::object; }

    bool as_bool() const { return m_bool; }
    std::int64_t as_int() const { return m_int; }
    double as_double() const {
        return m_type == Type::integer ? static_cast<double>(m_int) : m_double;
    }
    const std::string& as_string() const { return m_text; }
    /// Source text of a number (what the writers print).
    const std::string& number_text() const { return m_text; }

    const std::vector<Value>& items() const { return m_items; }
    std::vector<Value>& items() { return m_items; }
    const std::vector<std::pair<std::string, Value>>& members() const { return m_members; }
    std::vector<std::pair<std::string, Value>>& members() { return m_members; }

    void push_back(Value v) { m_items.push_back(std::move(v)); }

    /// Member `key` of an object, or nullptr.
    const Value* find(const std::string& key) const {
        for (const auto& m : m_members)
            if (m.first == key) return &m.second;
        return nullptr;
    }
    /// Sets member `key` (replacing the value in place if present, else appending).
    void set(const std::string& key, Value v) {
        for (auto& m : m_members)
            if (m.first == key) {
                m.second = std::move(v);
                return;
            }
        m_members.emplace_back(key, std::move(v));
    }

    /// Python's repr of a finite double: the shortest decimal that round-trips, in fixed notation
    /// for 1e-4 <= |x| < 1e16 (with ".0" when integral), else in exponent notation "1e-05".
    static std::string python_float_repr(double x) {
        if (std::isnan(x)) return "NaN";
        if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
        if (x == 0.0) return std::signbit(x) ? "-0.0" : "0.0";
        char buf[64];
        int prec = 1;
        for (; prec <= 17; ++prec) {
            std::snprintf(buf, sizeof(buf), "%.*e", prec - 1, x);
            if (std::strtod(buf, nullptr) == x) break;
        }
        // buf = d.ddde[+-]XX with prec significant digits.
        std::string s(buf);
        const auto epos = s.find('e');
        const int exp10 = std::atoi(s.c_str() + epos + 1);
        std::string digits;
        for (std::size_t i = 0; i < epos; ++i)
            if (s[i] >= '0' && s[i] <= '9') digits += s[i];
        while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
        const std::string sign = x < 0 ? "-" : "";
        if (exp10 >= -4 && exp10 < 16) {
            std::string out;
            const int nd = static_cast<int>(digits.size());
            if (exp10 >= 0) {
                if (nd <= exp10 + 1) {
                    out =
                        digits + std::string(static_cast<std::size_t>(exp10 + 1 - nd), '0') + ".0";
                } else {
                    out = digits.substr(0, static_cast<std::size_t>(exp10 + 1)) + "." +
                          digits.substr(static_cast<std::size_t>(exp10 + 1));
                }
            } else {
                out = "0." + std::string(static_cast<std::size_t>(-exp10 - 1), '0') + digits;
            }
            return sign + out;
        }
        std::string mant = digits.substr(0, 1);
        if (digits.size() > 1) mant += "." + digits.substr(1);
        char ebuf[16];
        std::snprintf(ebuf, sizeof(ebuf), "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
        return sign + mant + ebuf;
    }

private:
    friend class Parser;
    Type m_type = Type::null;
    bool m_bool = false;
    std::int64_t m_int = 0;
    double m_double = 0.0;
    std::string m_text;  // string contents, or a number's source text
    std::vector<Value> m_items;
    std::vector<std::pair<std::string, Value>> m_members;
};

/// A multi-byte UTF-8 sequence as utf8_sequence() finds it: its length (2 to 4 bytes, from the
/// lead byte), and nullptr or why it is invalid.
struct Utf8Sequence {
    std::size_t len;
    const char* error;
};

/// Checks the multi-byte UTF-8 sequence whose lead byte (>= 0x80) is p[0], with n >= 1 bytes
/// readable from p: a lead byte 0xC2-0xF4, all its bytes present, continuation bytes
/// 10xxxxxx, and no overlong form, surrogate or code point above U+10FFFF.
inline Utf8Sequence utf8_sequence(const char* p, std::size_t n) {
    const auto c = static_cast<unsigned char>(p[0]);
    std::size_t len;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07u;
    } else {
        return {0, "invalid UTF-8 lead byte"};
    }
    if (n < len) return {len, "truncated UTF-8 sequence"};
    for (std::size_t k = 1; k < len; ++k) {
        const auto cc = static_cast<unsigned char>(p[k]);
        if ((cc & 0xC0) != 0x80) return {len, "invalid UTF-8 continuation byte"};
        cp = (cp << 6) | (cc & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return {len, "invalid UTF-8 sequence (overlong, surrogate or out of range)"};
    return {len, nullptr};
}

/// Recursive-descent parser over a bounded byte range.
class Parser {
public:
    Parser(const char* data, std::size_t size, const char* fn, int max_depth)
        : m_p(data), m_size(size), m_fn(fn), m_max_depth(max_depth) {}

    Value parse_document() {
        skip_ws();
        Value v = parse_value(0);
        skip_ws();
        if (m_pos != m_size) fail("unexpected trailing characters after the JSON value");
        return v;
    }

private:
    const char* m_p;
    std::size_t m_size;
    std::size_t m_pos = 0;
    const char* m_fn;
    int m_max_depth;

    [[noreturn]] void fail(const std::string& what) const {
        throw invalid_argument(std::string(m_fn) + ": invalid JSON at byte " +
                               std::to_string(m_pos) + ": " + what);
    }
    bool at_end() const { return m_pos >= m_size; }
    unsigned char peek() const { return static_cast<unsigned char>(m_p[m_pos]); }
    void skip_ws() {
        while (!at_end()) {
            const unsigned char c = peek();
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
                ++m_pos;
            else
                break;
        }
    }
    void expect_literal(const char* lit) {
        for (const char* q = lit; *q; ++q) {
            if (at_end() || m_p[m_pos] != *q)
                fail(std::string("invalid literal, expected '") + lit + "'");
            ++m_pos;
        }
    }

    Value parse_value(int depth) {
        if (at_end()) fail("unexpected end of input, expected a value");
        const unsigned char c = peek();
        switch (c) {
            case '{':
                return parse_object(depth + 1);
            case '[':
                return parse_array(depth + 1);
            case '"':
                return Value::string(parse_string());
            case 't':
                expect_literal("true");
                return Value::boolean(true);
            case 'f':
                expect_literal("false");
                return Value::boolean(false);
            case 'n':
                expect_literal("null");
                return Value::null();
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
                fail("unexpected character '" + printable(c) + "'");
        }
    }

    static std::string printable(unsigned char c) {
        if (c >= 0x20 && c < 0x7f) return std::string(1, static_cast<char>(c));
        char b[8];
        std::snprintf(b, sizeof(b), "\\x%02x", static_cast<unsigned>(c));
        return b;
    }

    Value parse_object(int depth) {
        std::unordered_set<std::string> keys;  // O(1) duplicate checks (hostile headers)
        return parse_container(depth, '}', "object", Value::object(), [&](Value& v) {
            if (at_end() || peek() != '"') fail("expected a string key");
            const std::size_t key_pos = m_pos;
            std::string key = parse_string();
            if (!keys.insert(key).second) {
                m_pos = key_pos;
                fail("duplicate key \"" + key + "\"");
            }
            skip_ws();
            if (at_end() || peek() != ':') fail("expected ':' after an object key");
            ++m_pos;
            skip_ws();
            Value item = parse_value(depth);
            v.m_members.emplace_back(std::move(key), std::move(item));
        });
    }

    Value parse_array(int depth) {
        return parse_container(depth, ']', "array", Value::array(),
                               [&](Value& v) { v.m_items.push_back(parse_value(depth)); });
    }

    /// The frame objects and arrays share: the depth limit, the opening bracket (at m_pos), an
    /// empty container, then items read by parse_item(v) (whitespace skipped around each),
    /// separated by ',' and closed by `close`. `what` ("object", "array") names the container in
    /// the error messages.
    template <class ParseItem>
    Value parse_container(int depth, char close, const char* what, Value v,
                          const ParseItem& parse_item) {
        if (depth > m_max_depth) fail("nesting deeper than " + std::to_string(m_max_depth));
        ++m_pos;  // '{' or '['
        skip_ws();
        if (!at_end() && peek() == close) {
            ++m_pos;
            return v;
        }
        for (;;) {
            skip_ws();
            parse_item(v);
            skip_ws();
            if (at_end()) fail(std::string("unexpected end of input inside an ") + what);
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() == close) {
                ++m_pos;
                return v;
            }
            fail(std::string("expected ',' or '") + close + "' in an " + what);
        }
    }

    Value parse_number() {
        const std::size_t start = m_pos;
        bool integral = true;
        if (peek() == '-') ++m_pos;
        if (at_end()) fail("truncated number");
        if (peek() == '0') {
            ++m_pos;
        } else if (peek() >= '1' && peek() <= '9') {
            while (!at_end() && peek() >= '0' && peek() <= '9') ++m_pos;
        } else {
            fail("invalid number");
        }
        if (!at_end() && peek() == '.') {
            integral = false;
            ++m_pos;
            if (at_end() || !(peek() >= '0' && peek() <= '9')) fail("expected a digit after '.'");
            while (!at_end() && peek() >= '0' && peek() <= '9') ++m_pos;
        }
        if (!at_end() && (peek() == 'e' || peek() == 'E')) {
            integral = false;
            ++m_pos;
            if (!at_end() && (peek() == '+' || peek() == '-')) ++m_pos;
            if (at_end() || !(peek() >= '0' && peek() <= '9'))
                fail("expected a digit in the exponent");
            while (!at_end() && peek() >= '0' && peek() <= '9') ++m_pos;
        }
        std::string text(m_p + start, m_pos - start);
        Value v;
        v.m_text = text;
        if (integral) {
            // Exact, overflow-checked conversion.
            const bool neg = text[0] == '-';
            std::uint64_t mag = 0;
            for (std::size_t i = neg ? 1 : 0; i < text.size(); ++i) {
                const auto dgt = static_cast<std::uint64_t>(text[i] - '0');
                if (mag > (UINT64_MAX - dgt) / 10) {
                    m_pos = start;
                    fail("integer " + text + " out of the 64-bit range");
                }
                mag = mag * 10 + dgt;
            }
            const std::uint64_t lim = neg ? (std::uint64_t(1) << 63) : (std::uint64_t(1) << 63) - 1;
            if (mag > lim) {
                m_pos = start;
                fail("integer " + text + " out of the 64-bit range");
            }
            v.m_type = Value::Type::integer;
            v.m_int = neg ? (mag == (std::uint64_t(1) << 63) ? INT64_MIN
                                                             : -static_cast<std::int64_t>(mag))
                          : static_cast<std::int64_t>(mag);
        } else {
            v.m_type = Value::Type::number;
            v.m_double = std::strtod(text.c_str(), nullptr);
        }
        return v;
    }

    unsigned hex4() {
        if (m_size - m_pos < 4) fail("truncated \\u escape");
        unsigned u = 0;
        for (int i = 0; i < 4; ++i) {
            const unsigned char c = peek();
            unsigned d;
            if (c >= '0' && c <= '9')
                d = static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f')
                d = static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                d = static_cast<unsigned>(c - 'A' + 10);
            else
                fail("invalid hex digit in \\u escape");
            u = u * 16 + d;
            ++m_pos;
        }
        return u;
    }

    static void append_utf8(std::string& s, unsigned cp) {
        if (cp < 0x80) {
            s += static_cast<char>(cp);
        } else if (cp < 0x800) {
            s += static_cast<char>(0xC0 | (cp >> 6));
            s += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            s += static_cast<char>(0xE0 | (cp >> 12));
            s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            s += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            s += static_cast<char>(0xF0 | (cp >> 18));
            s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            s += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    std::string parse_string() {
        ++m_pos;  // opening quote
        std::string s;
        for (;;) {
            if (at_end()) fail("unterminated string");
            const unsigned char c = peek();
            if (c == '"') {
                ++m_pos;
                return s;
            }
            if (c < 0x20) fail("raw control character in a string");
            if (c == '\\') {
                ++m_pos;
                if (at_end()) fail("unterminated escape");
                const unsigned char e = peek();
                ++m_pos;
                switch (e) {
                    case '"':
                        s += '"';
                        break;
                    case '\\':
                        s += '\\';
                        break;
                    case '/':
                        s += '/';
                        break;
                    case 'b':
                        s += '\b';
                        break;
                    case 'f':
                        s += '\f';
                        break;
                    case 'n':
                        s += '\n';
                        break;
                    case 'r':
                        s += '\r';
                        break;
                    case 't':
                        s += '\t';
                        break;
                    case 'u': {
                        unsigned cp = hex4();
                        if (cp >= 0xDC00 && cp <= 0xDFFF) fail("lone low surrogate in \\u escape");
                        if (cp >= 0xD800 && cp <= 0xDBFF) {
                            if (m_size - m_pos < 2 || m_p[m_pos] != '\\' || m_p[m_pos + 1] != 'u')
                                fail("high surrogate not followed by a low surrogate");
                            m_pos += 2;
                            const unsigned lo = hex4();
                            if (lo < 0xDC00 || lo > 0xDFFF)
                                fail("high surrogate not followed by a low surrogate");
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        }
                        append_utf8(s, cp);
                        break;
                    }
                    default:
                        --m_pos;
                        fail("invalid escape '\\" + printable(e) + "'");
                }
                continue;
            }
            if (c < 0x80) {
                s += static_cast<char>(c);
                ++m_pos;
                continue;
            }
            // Multi-byte UTF-8: validate length, continuation bytes, overlongs, surrogates, range.
            const Utf8Sequence u = utf8_sequence(m_p + m_pos, m_size - m_pos);
            if (u.error) fail(u.error);
            s.append(m_p + m_pos, u.len);
            m_pos += u.len;
        }
    }
};

/// True if s is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
inline bool valid_utf8(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        const Utf8Sequence u = utf8_sequence(s.data() + i, s.size() - i);
        if (u.error) return false;
        i += u.len;
    }
    return true;
}

/// Parses a whole JSON text (surrounding whitespace allowed). `fn` names the calling function in
/// error messages. Throws invalid_argument on any syntax error or nesting deeper than max_depth.
inline Value parse(const char* data, std::size_t size, const char* fn, int max_depth = 64) {
    return Parser(data, size, fn, max_depth).parse_document();
}
inline Value parse(const std::string& text, const char* fn, int max_depth = 64) {
    return parse(text.data(), text.size(), fn, max_depth);
}

/// Appends s as a JSON string literal with Python's ensure_ascii escapes (non-ASCII as \uXXXX,
/// surrogate pairs above U+FFFF). s must be valid UTF-8 (as every parsed string is).
inline void write_string(std::string& out, const std::string& s) {
    out += '"';
    std::size_t i = 0;
    char buf[16];
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
                case '"':
                    out += "\\\"";
                    break;
                case '\\':
                    out += "\\\\";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                case '\b':
                    out += "\\b";
                    break;
                case '\f':
                    out += "\\f";
                    break;
                default:
                    if (c < 0x20 || c == 0x7f) {
                        std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
                        out += buf;
                    } else {
                        out += static_cast<char>(c);
                    }
            }
            ++i;
            continue;
        }
        int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        unsigned cp = c & (len == 2 ? 0x1Fu : len == 3 ? 0x0Fu : 0x07u);
        for (int k = 1; k < len && i + static_cast<std::size_t>(k) < s.size(); ++k)
            cp = (cp << 6) |
                 (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3Fu);
        i += static_cast<std::size_t>(len);
        if (cp >= 0x10000) {
            const unsigned v = cp - 0x10000;
            std::snprintf(buf, sizeof(buf), "\\u%04x\\u%04x", 0xD800 + (v >> 10),
                          0xDC00 + (v & 0x3FF));
        } else {
            std::snprintf(buf, sizeof(buf), "\\u%04x", cp);
        }
        out += buf;
    }
    out += '"';
}

/// The array and object frame both writers share: "[]" or "{}" when empty, else the opening
/// bracket, the items separated by ',' (a member as its key, `colon` and its value) and the
/// closing bracket. newline(1) runs before each item and newline(0) before the closing bracket
/// of a non-empty container (dump_pretty's line break and indent; nothing in dump_compact);
/// write(item) writes an item's value.
template <class Newline, class Write>
void dump_container(std::string& out, const Value& v, const char* colon, const Newline& newline,
                    const Write& write) {
    const bool array = v.is_array();
    const std::size_t count = array ? v.items().size() : v.members().size();
    out += array ? '[' : '{';
    for (std::size_t k = 0; k < count; ++k) {
        if (k > 0) out += ',';
        newline(1);
        if (array) {
            write(v.items()[k]);
        } else {
            write_string(out, v.members()[k].first);
            out += colon;
            write(v.members()[k].second);
        }
    }
    if (count > 0) newline(0);
    out += array ? ']' : '}';
}

/// Python `json.dumps(v, separators=(",", ":"))`.
inline void dump_compact(std::string& out, const Value& v) {
    switch (v.type()) {
        case Value::Type::null:
            out += "null";
            break;
        case Value::Type::boolean:
            out += v.as_bool() ? "true" : "false";
            break;
        case Value::Type::integer:
        case Value::Type::number:
            out += v.number_text();
            break;
        case Value::Type::string:
            write_string(out, v.as_string());
            break;
        case Value::Type::array:
        case Value::Type::object:
            dump_container(
                out, v, ":", [](int) {}, [&](const Value& item) { dump_compact(out, item); });
            break;
    }
}
inline std::string dump_compact(const Value& v) {
    std::string s;
    dump_compact(s, v);
    return s;
}

/// Python `json.dump(v, f, indent=indent)` (separators ", " and ": ", empty containers as
/// "[]" / "{}", no trailing newline).
inline void dump_pretty(std::string& out, const Value& v, int indent, int level) {
    if (!v.is_array() && !v.is_object()) {
        dump_compact(out, v);
        return;
    }
    const auto newline = [&](int deeper) {
        out += '\n' + std::string(static_cast<std::size_t>(indent * (level + deeper)), ' ');
    };
    dump_container(out, v, ": ", newline,
                   [&](const Value& item) { dump_pretty(out, item, indent, level + 1); });
}
inline std::string dump_pretty(const Value& v, int indent = 2) {
    std::string s;
    dump_pretty(s, v, indent, 0);
    return s;
}

}  // namespace json
}  // namespace detail
}  // namespace subspace
