#include "shared/transfer_log/transfer_record.hpp"

#include <array>
#include <charconv>
#include <vector>

namespace xfer::transfer_log {
namespace {

constexpr std::string_view version_tag = "v1";
constexpr size_t field_count = 12;

bool needs_escape(unsigned char c) {
    return c < 0x20 || c == 0x7f || c == '%';
}

// Cut to max_field_bytes without splitting a UTF-8 sequence.
std::string_view bounded(std::string_view text) {
    if (text.size() <= max_field_bytes) return text;
    size_t end = max_field_bytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return text.substr(0, end);
}

void append_escaped(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    for (const char ch : bounded(text)) {
        const auto c = static_cast<unsigned char>(ch);
        if (!needs_escape(c)) {
            out += ch;
            continue;
        }
        out += '%';
        out += hex[c >> 4];
        out += hex[c & 0xF];
    }
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> unescape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            if (needs_escape(static_cast<unsigned char>(text[i]))) return std::nullopt;
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        const int high = hex_value(text[i + 1]);
        const int low = hex_value(text[i + 2]);
        if (high < 0 || low < 0) return std::nullopt;
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return out;
}

template <typename Number>
std::optional<Number> parse_number(std::string_view text) {
    Number value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> fields;
    size_t start = 0;
    for (;;) {
        const size_t tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
        if (tab == std::string_view::npos || fields.size() > field_count) return fields;
        start = tab + 1;
    }
}

std::optional<direction> parse_direction(std::string_view text) {
    if (text == "sent") return direction::sent;
    if (text == "received") return direction::received;
    return std::nullopt;
}

std::optional<outcome> parse_outcome(std::string_view text) {
    if (text == "done") return outcome::done;
    if (text == "abandoned") return outcome::abandoned;
    if (text == "failed") return outcome::failed;
    return std::nullopt;
}

}  // namespace

std::string_view direction_name(direction d) {
    return d == direction::sent ? "sent" : "received";
}

std::string_view outcome_name(outcome o) {
    switch (o) {
        case outcome::done:
            return "done";
        case outcome::abandoned:
            return "abandoned";
        case outcome::failed:
            return "failed";
    }
    return "failed";
}

std::string encode_line(const transfer_record& record) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(record.ended_at.time_since_epoch());
    std::string line(version_tag);
    const auto field = [&line](std::string_view text) {
        line += '\t';
        append_escaped(line, text);
    };
    field(std::to_string(ms.count()));
    field(direction_name(record.way));
    field(record.peer_id);
    field(record.peer_name);
    field(record.address);
    field(record.path);
    field(record.content);
    field(std::to_string(record.bytes));
    field(std::to_string(record.duration.count()));
    field(outcome_name(record.result));
    field(record.detail);
    return line;
}

std::optional<transfer_record> decode_line(std::string_view line) {
    const auto fields = split_fields(line);
    if (fields.size() != field_count || fields[0] != version_tag) return std::nullopt;
    std::array<std::string, field_count> text;
    for (size_t i = 0; i < field_count; ++i) {
        auto value = unescape(fields[i]);
        if (!value || value->size() > max_field_bytes) return std::nullopt;
        text[i] = std::move(*value);
    }
    const auto ms = parse_number<int64_t>(text[1]);
    const auto way = parse_direction(text[2]);
    const auto bytes = parse_number<uint64_t>(text[8]);
    const auto duration = parse_number<int64_t>(text[9]);
    const auto result = parse_outcome(text[10]);
    if (!ms || !way || !bytes || !duration || *duration < 0 || !result) return std::nullopt;
    // The wall clock counts finer than milliseconds: a time it cannot hold would overflow.
    constexpr int64_t clock_limit_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(wall_clock::duration::max()).count();
    if (*ms > clock_limit_ms || *ms < -clock_limit_ms) return std::nullopt;
    transfer_record record;
    record.ended_at = wall_clock::time_point(std::chrono::milliseconds(*ms));
    record.way = *way;
    record.peer_id = std::move(text[3]);
    record.peer_name = std::move(text[4]);
    record.address = std::move(text[5]);
    record.path = std::move(text[6]);
    record.content = std::move(text[7]);
    record.bytes = *bytes;
    record.duration = std::chrono::milliseconds(*duration);
    record.result = *result;
    record.detail = std::move(text[11]);
    return record;
}

}  // namespace xfer::transfer_log
