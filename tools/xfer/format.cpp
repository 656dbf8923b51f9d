#include "tools/xfer/format.hpp"

#include <cmath>
#include <cstdio>

namespace xfer::cli {
namespace {

bool continuation_byte(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

std::string format_bytes(double bytes) {
    static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    while (bytes >= 1024 && unit < 4) {
        bytes /= 1024;
        ++unit;
    }
    char text[32];
    if (unit == 0)
        std::snprintf(text, sizeof text, "%.0f B", bytes);
    else
        std::snprintf(text, sizeof text,
                      bytes < 10    ? "%.2f %s"
                      : bytes < 100 ? "%.1f %s"
                                    : "%.0f %s",
                      bytes, units[unit]);
    return text;
}

std::string count_of(uint64_t count, std::string_view noun, std::string_view plural) {
    std::string text = std::to_string(count) + " ";
    if (count == 1) return text.append(noun);
    if (!plural.empty()) return text.append(plural);
    return text.append(noun).append("s");
}

std::string format_rate(double bytes_per_s) {
    return format_bytes(bytes_per_s) + "/s";
}

std::string format_seconds(double seconds) {
    char text[32];
    if (seconds < 60)
        std::snprintf(text, sizeof text, "%.2f s", seconds);
    else if (seconds < 3600)
        std::snprintf(text, sizeof text, "%dm%02ds", static_cast<int>(seconds) / 60,
                      static_cast<int>(seconds) % 60);
    else
        std::snprintf(text, sizeof text, "%dh%02dm", static_cast<int>(seconds) / 3600,
                      static_cast<int>(seconds) / 60 % 60);
    return text;
}

size_t display_columns(std::string_view text) {
    size_t columns = 0;
    for (const char c : text) columns += continuation_byte(c) ? 0 : 1;
    return columns;
}

std::string fit_columns(std::string_view text, size_t columns) {
    if (display_columns(text) <= columns) return std::string(text);
    if (columns == 0) return {};
    // Keep columns - 1 code points, then the '~' marker.
    size_t kept = 0, end = 0;
    while (end < text.size()) {
        size_t next = end + 1;
        while (next < text.size() && continuation_byte(text[next])) ++next;
        if (kept + 1 > columns - 1) break;
        ++kept;
        end = next;
    }
    return std::string(text.substr(0, end)) + "~";
}

std::string pad_left(std::string_view text, size_t columns) {
    const size_t used = display_columns(text);
    return std::string(used < columns ? columns - used : 0, ' ') + std::string(text);
}

std::string pad_right(std::string_view text, size_t columns) {
    const size_t used = display_columns(text);
    return std::string(text) + std::string(used < columns ? columns - used : 0, ' ');
}

}  // namespace xfer::cli
