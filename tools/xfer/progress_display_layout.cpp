#include "tools/xfer/progress_display_layout.hpp"

#include <algorithm>
#include <cstdio>

#include "shared/core/safe_text.hpp"
#include "tools/xfer/format.hpp"

namespace xfer::cli {
namespace {

// Fixed field widths, so numbers stay in their columns from one redraw to the next.
constexpr size_t bytes_columns = 8;  // "1023 KiB", "9.99 GiB"
constexpr size_t rate_columns = 10;  // "1023 KiB/s"
constexpr size_t eta_columns = 7;    // "12.00 s", "1m05s", "--"
constexpr size_t min_name_columns = 8;
constexpr size_t min_bar = 10, max_bar = 30;
constexpr size_t max_label_columns = 40;
constexpr const char* gap = "  ";

// `path` cut to `columns` by dropping leading characters: the file name is the part that counts.
std::string keep_tail(const std::string& path, size_t columns) {
    if (display_columns(path) <= columns) return path;
    if (columns == 0) return {};
    size_t start = path.size(), kept = 0;
    while (start > 0 && kept + 1 < columns) {
        --start;
        while (start > 0 && (static_cast<unsigned char>(path[start]) & 0xC0) == 0x80) --start;
        ++kept;
    }
    return "~" + path.substr(start);
}

std::string join(const std::vector<std::string>& parts) {
    std::string line;
    for (const auto& part : parts) line += (line.empty() ? "" : gap) + part;
    return line;
}

std::string bar(double fraction, size_t width) {
    const auto filled = std::min(width, static_cast<size_t>(fraction * static_cast<double>(width)));
    return "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]";
}

std::string total_line(const progress_state& state, size_t room) {
    if (!state.manifest_known) return fit_columns(state.name + ": connecting...", room);
    const double fraction = state.wanted_bytes == 0 ? 1.0
                                                    : static_cast<double>(state.verified_bytes) /
                                                          static_cast<double>(state.wanted_bytes);
    char percent[16];
    std::snprintf(percent, sizeof percent, "%3.0f%%", fraction * 100);
    auto amount = pad_left(format_bytes(static_cast<double>(state.verified_bytes)), bytes_columns) +
                  " / " +
                  pad_left(format_bytes(static_cast<double>(state.wanted_bytes)), bytes_columns);
    if (state.file_count > 0) {
        amount = std::to_string(state.files_complete) + "/" + std::to_string(state.file_count) +
                 " files  " + amount;
    }
    const auto rate = pad_left(format_rate(state.rate), rate_columns);
    const double left = static_cast<double>(state.wanted_bytes -
                                            std::min(state.verified_bytes, state.wanted_bytes));
    const auto eta =
        "ETA " + pad_left(state.rate > 1 ? format_seconds(left / state.rate) : "--", eta_columns);
    // Richest first; each step leaves out what matters least on a narrow terminal.
    const std::vector<std::vector<std::string>> candidates = {
        {percent, amount, rate, eta}, {percent, amount, rate}, {percent, amount}, {percent}};
    const size_t full_name = display_columns(state.name);
    const size_t least_name = std::min(full_name, min_name_columns);
    for (size_t i = 0; i < candidates.size(); ++i) {
        const auto tail = join(candidates[i]);
        const size_t fixed = display_columns(tail) + 2;
        if (i == 0 && room >= least_name + 1 + (min_bar + 2) + fixed) {
            const size_t name_columns = std::min(full_name, room - fixed - 1 - (min_bar + 2));
            const size_t bar_width = std::min(max_bar, room - fixed - 1 - 2 - name_columns);
            return fit_columns(state.name, name_columns) + " " + bar(fraction, bar_width) + gap +
                   tail;
        }
        if (room >= least_name + fixed) {
            return fit_columns(state.name, std::min(full_name, room - fixed)) + gap + tail;
        }
    }
    return fit_columns(state.name + gap + percent, room);
}

// The peer lines share one layout chosen by the width alone, so their columns line up.
struct peer_layout {
    size_t label_columns = 0;
    bool bytes = true;
    bool words = true;  // "received" / "sent" after the bytes
};

constexpr size_t peer_prefix_columns = 7;  // "  down ", "  up   "

peer_layout choose_peer_layout(size_t room) {
    for (const peer_layout layout :
         {peer_layout{0, true, true}, peer_layout{0, true, false}, peer_layout{0, false, false}}) {
        size_t right = 2 + rate_columns;
        if (layout.bytes) right += 2 + bytes_columns;
        if (layout.words) right += std::string_view(" received").size();
        if (room >= peer_prefix_columns + min_name_columns + right) {
            auto chosen = layout;
            chosen.label_columns = std::min(max_label_columns, room - peer_prefix_columns - right);
            return chosen;
        }
    }
    return {room > peer_prefix_columns ? room - peer_prefix_columns : 0, false, false};
}

std::string peer_line(const progress_peer& peer, const peer_layout& layout, size_t room) {
    const bool down = peer.way == progress_peer::direction::down;
    std::string line = down ? "  down " : "  up   ";
    line += pad_right(fit_columns(peer.label, layout.label_columns), layout.label_columns);
    if (layout.bytes || layout.words || room >= display_columns(line) + 2 + rate_columns) {
        line += gap + pad_left(format_rate(peer.rate), rate_columns);
    }
    if (layout.bytes)
        line += gap + pad_left(format_bytes(static_cast<double>(peer.bytes)), bytes_columns);
    if (layout.words) line += down ? " received" : " sent";
    return fit_columns(line, room);
}

}  // namespace

std::vector<std::string> layout_progress(const progress_state& raw, int width, int max_lines) {
    // Labels name addresses peers handed us, and the name may be a path a peer listed: shown
    // through safe_text like every string from a peer, before their columns are counted.
    progress_state state = raw;
    state.name = safe_text(raw.name);
    for (auto& peer : state.peers) peer.label = safe_text(peer.label);
    // Never the last column: see the header.
    const size_t room = width > 1 ? static_cast<size_t>(width - 1) : 1;
    std::vector<std::string> lines{total_line(state, room)};
    if (max_lines >= 2 && !state.current_file.empty() && state.manifest_known &&
        state.files_complete < state.file_count) {
        constexpr std::string_view prefix = "  file ";
        const size_t left = room > prefix.size() ? room - prefix.size() : 0;
        lines.push_back(std::string(prefix) + keep_tail(state.current_file, left));
    }
    if (static_cast<int>(lines.size()) >= max_lines || state.peers.empty()) return lines;
    const auto layout = choose_peer_layout(room);
    const size_t slots = static_cast<size_t>(max_lines) - lines.size();
    const bool all_fit = state.peers.size() <= slots;
    const size_t shown = all_fit ? state.peers.size() : slots - 1;
    for (size_t i = 0; i < shown; ++i) lines.push_back(peer_line(state.peers[i], layout, room));
    if (!all_fit) {
        lines.push_back(
            fit_columns("  +" + std::to_string(state.peers.size() - shown) + " more peers", room));
    }
    return lines;
}

std::string layout_resume_notice(uint64_t resumed_bytes, uint64_t wanted_bytes, int width) {
    const auto amounts = format_bytes(static_cast<double>(resumed_bytes)) + " of " +
                         format_bytes(static_cast<double>(wanted_bytes));
    const auto line = "resuming: " + amounts + " already verified";
    if (width <= 1 || display_columns(line) < static_cast<size_t>(width)) return line;
    return fit_columns("resuming: " + amounts + " verified", static_cast<size_t>(width - 1));
}

std::string layout_summary(const fetch_summary& summary, int width) {
    const double rate =
        summary.seconds > 0 ? static_cast<double>(summary.downloaded_bytes) / summary.seconds : 0;
    const auto files =
        summary.file_count > 0 ? count_of(summary.file_count, "file") + ", " : std::string();
    const auto amount = files + format_bytes(static_cast<double>(summary.wanted_bytes)) + " in " +
                        format_seconds(summary.seconds);
    std::vector<std::string> middle{amount, format_rate(rate)};
    if (summary.resumed_bytes > 0)
        middle.push_back(format_bytes(static_cast<double>(summary.resumed_bytes)) + " resumed");
    std::string counts = "(" + count_of(summary.downloaded_bytes, "byte") + " downloaded";
    if (summary.uploading) counts += ", " + std::to_string(summary.uploaded_bytes) + " uploaded";
    counts += ")";
    const auto target =
        safe_text(summary.target) + (summary.whole_file ? "" : " (range, partial kept)");
    const auto whole = "fetched " + join({target, join(middle), counts});
    if (width <= 1) return whole;
    const size_t room = static_cast<size_t>(width - 1);
    if (display_columns(whole) <= room) return whole;
    // On a terminal the exact counts go first, then what was resumed, then the rate; the path
    // loses leading characters down to a few columns at each step.
    const size_t prefix = std::string_view("fetched ").size();
    const size_t least_target = std::min(display_columns(target), min_name_columns);
    while (!middle.empty()) {
        const auto tail = join(middle);
        const size_t fixed = prefix + 2 + display_columns(tail);
        if (room >= fixed + least_target)
            return "fetched " + keep_tail(target, room - fixed) + gap + tail;
        middle.pop_back();
    }
    return "fetched " + keep_tail(target, room > prefix ? room - prefix : 0);
}

}  // namespace xfer::cli
