#include "tools/xfer/json_writer.hpp"

#include <cmath>
#include <cstdio>

#include "shared/core/safe_text.hpp"

namespace xfer::cli {

std::string json_string(std::string_view value) {
    const auto safe = safe_text(value);
    std::string out;
    out.reserve(safe.size() + 2);
    out += '"';
    for (const char c : safe) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20 || byte == 0x7F) {
            // safe_text leaves none of these; escaped anyway, so this function alone keeps
            // the output valid whatever safe_text becomes.
            char escaped[7];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
            out += escaped;
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

void json_object::key(std::string_view name) {
    if (!body_.empty()) body_ += ',';
    body_ += json_string(name);
    body_ += ':';
}

json_object& json_object::text(std::string_view name, std::string_view value) {
    key(name);
    body_ += json_string(value);
    return *this;
}

json_object& json_object::number(std::string_view name, uint64_t value) {
    key(name);
    body_ += std::to_string(value);
    return *this;
}

json_object& json_object::signed_number(std::string_view name, int64_t value) {
    key(name);
    body_ += std::to_string(value);
    return *this;
}

json_object& json_object::real(std::string_view name, double value) {
    key(name);
    if (!std::isfinite(value)) {
        body_ += "null";
        return *this;
    }
    char formatted[64];
    std::snprintf(formatted, sizeof formatted, "%.3f", value);
    body_ += formatted;
    return *this;
}

json_object& json_object::boolean(std::string_view name, bool value) {
    key(name);
    body_ += value ? "true" : "false";
    return *this;
}

json_object& json_object::null(std::string_view name) {
    key(name);
    body_ += "null";
    return *this;
}

json_object& json_object::object(std::string_view name, const json_object& value) {
    key(name);
    body_ += value.str();
    return *this;
}

json_object& json_object::array(std::string_view name, const json_array& value) {
    key(name);
    body_ += value.str();
    return *this;
}

void json_array::comma() {
    if (!body_.empty()) body_ += ',';
}

json_array& json_array::text(std::string_view value) {
    comma();
    body_ += json_string(value);
    return *this;
}

json_array& json_array::object(const json_object& value) {
    comma();
    body_ += value.str();
    return *this;
}

void emit(const json_object& line) {
    const auto text = line.str() + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

}  // namespace xfer::cli
