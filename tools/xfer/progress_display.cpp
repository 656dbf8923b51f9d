#include "tools/xfer/progress_display.hpp"

#include <unistd.h>

#include <cstdio>

#include "tools/xfer/format.hpp"

namespace xfer::cli {

progress_display::progress_display(bool enabled) : enabled_(enabled && ::isatty(STDERR_FILENO)) {}

void progress_display::update(const receiver::fetch_progress& progress,
                              const std::vector<sender::upload_peer_stats>& uploads) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    const double interval = std::chrono::duration<double>(now - last_update_).count();
    last_update_ = now;
    std::string block;
    if (lines_drawn_ > 0) block += "\x1b[" + std::to_string(lines_drawn_) + "F";  // back to the top
    int lines = 0;
    char line[256];
    if (!progress.manifest_known) {
        std::snprintf(line, sizeof line, "%s: connecting...", progress.name.c_str());
    } else {
        const double fraction = progress.wanted_bytes == 0 ? 1.0 : static_cast<double>(progress.verified_bytes) / progress.wanted_bytes;
        const int width = 30;
        const int filled = static_cast<int>(fraction * width);
        const double left = static_cast<double>(progress.wanted_bytes - progress.verified_bytes);
        const std::string eta = progress.rate > 1 ? format_seconds(left / progress.rate) : "--";
        std::snprintf(line, sizeof line, "%s [%s%s] %3.0f%% %s / %s  %s  ETA %s", progress.name.c_str(),
                      std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(), fraction * 100,
                      format_bytes(static_cast<double>(progress.verified_bytes)).c_str(),
                      format_bytes(static_cast<double>(progress.wanted_bytes)).c_str(), format_rate(progress.rate).c_str(),
                      eta.c_str());
    }
    block += std::string(line) + "\x1b[K\n";
    ++lines;
    for (const auto& source : progress.sources) {
        std::snprintf(line, sizeof line, "  down %-40s %12s  %s", source.label.c_str(), format_rate(source.rate).c_str(),
                      format_bytes(static_cast<double>(source.bytes_received)).c_str());
        block += std::string(line) + "\x1b[K\n";
        ++lines;
    }
    std::vector<std::pair<std::string, uint64_t>> marks;
    for (const auto& upload : uploads) {
        double rate = 0;
        for (const auto& [label, bytes] : last_uploads_) {
            if (label == upload.label && interval > 0) rate = static_cast<double>(upload.bytes_sent - bytes) / interval;
        }
        marks.emplace_back(upload.label, upload.bytes_sent);
        std::snprintf(line, sizeof line, "  up   %-40s %12s  %s", upload.label.c_str(), format_rate(rate).c_str(),
                      format_bytes(static_cast<double>(upload.bytes_sent)).c_str());
        block += std::string(line) + "\x1b[K\n";
        ++lines;
    }
    last_uploads_ = std::move(marks);
    // Lines left over from a taller previous block are cleared.
    for (int i = lines; i < lines_drawn_; ++i) block += "\x1b[K\n";
    lines = std::max(lines, lines_drawn_);
    lines_drawn_ = lines;
    std::fputs(block.c_str(), stderr);
    std::fflush(stderr);
}

void progress_display::finish() {
    if (!enabled_ || lines_drawn_ == 0) return;
    std::string block = "\x1b[" + std::to_string(lines_drawn_) + "F\x1b[J";
    std::fputs(block.c_str(), stderr);
    std::fflush(stderr);
    lines_drawn_ = 0;
}

}  // namespace xfer::cli
