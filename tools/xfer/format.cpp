#include "tools/xfer/format.hpp"

#include <cmath>
#include <cstdio>

namespace xfer::cli {

std::string format_bytes(double bytes) {
    static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    while (bytes >= 1024 && unit < 4) {
        bytes /= 1024;
        ++unit;
    }
    char text[32];
    if (unit == 0) std::snprintf(text, sizeof text, "%.0f B", bytes);
    else std::snprintf(text, sizeof text, bytes < 10 ? "%.2f %s" : bytes < 100 ? "%.1f %s" : "%.0f %s", bytes, units[unit]);
    return text;
}

std::string format_rate(double bytes_per_s) { return format_bytes(bytes_per_s) + "/s"; }

std::string format_seconds(double seconds) {
    char text[32];
    if (seconds < 60) std::snprintf(text, sizeof text, "%.2f s", seconds);
    else if (seconds < 3600) std::snprintf(text, sizeof text, "%dm%02ds", static_cast<int>(seconds) / 60, static_cast<int>(seconds) % 60);
    else std::snprintf(text, sizeof text, "%dh%02dm", static_cast<int>(seconds) / 3600, static_cast<int>(seconds) / 60 % 60);
    return text;
}

}  // namespace xfer::cli
