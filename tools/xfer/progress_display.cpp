#include "tools/xfer/progress_display.hpp"

#include <pthread.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <ctime>

#include "shared/core/safe_text.hpp"
#include "tools/xfer/format.hpp"

namespace xfer::cli {
namespace {

// True if the window changed size since the last call: SIGWINCH is held pending (blocked in
// every thread, see hold_window_change_signal) and taken here, so no handler ever interrupts a
// poll or a read elsewhere in the process.
bool window_changed() {
    sigset_t winch;
    sigemptyset(&winch);
    sigaddset(&winch, SIGWINCH);
    const timespec no_wait{};
    bool changed = false;
    while (::sigtimedwait(&winch, nullptr, &no_wait) == SIGWINCH) changed = true;
    return changed;
}

// Rows a line of `columns` columns takes on a terminal `width` wide (terminals such as tmux and
// VTE re-wrap earlier lines when the window narrows).
int rows_taken(size_t columns, int width) {
    if (width <= 0 || columns == 0) return 1;
    return static_cast<int>((columns + static_cast<size_t>(width) - 1) /
                            static_cast<size_t>(width));
}

}  // namespace

terminal_size query_terminal_size(int fd) {
    struct winsize size {};
    if (::ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0) return {0, 0};
    return {size.ws_col, size.ws_row > 0 ? size.ws_row : 24};
}

progress_display::progress_display(bool enabled) : enabled_(enabled && ::isatty(STDERR_FILENO)) {
    if (!enabled_) return;
    size_ = query_terminal_size(STDERR_FILENO);
    if (size_.columns == 0) size_ = {80, 24};
}

void hold_window_change_signal() {
    sigset_t winch;
    sigemptyset(&winch);
    sigaddset(&winch, SIGWINCH);
    ::pthread_sigmask(SIG_BLOCK, &winch, nullptr);
}

std::vector<progress_peer> progress_display::upload_rows(
    const std::vector<sender::upload_peer_stats>& uploads) {
    const auto now = std::chrono::steady_clock::now();
    const double interval = std::chrono::duration<double>(now - last_update_).count();
    last_update_ = now;
    std::vector<progress_peer> rows;
    std::vector<std::pair<std::string, uint64_t>> marks;
    for (const auto& upload : uploads) {
        double rate = 0;
        for (const auto& [label, bytes] : last_uploads_) {
            if (label == upload.label && interval > 0 && upload.bytes_sent >= bytes) {
                rate = static_cast<double>(upload.bytes_sent - bytes) / interval;
            }
        }
        marks.emplace_back(upload.label, upload.bytes_sent);
        rows.push_back({progress_peer::direction::up, upload.label, rate, upload.bytes_sent});
    }
    last_uploads_ = std::move(marks);
    return rows;
}

void progress_display::update(const receiver::fetch_progress& progress,
                              const std::vector<sender::upload_peer_stats>& uploads) {
    if (!enabled_) return;
    progress_state state;
    state.name = progress.name;
    state.manifest_known = progress.manifest_known;
    state.wanted_bytes = progress.wanted_bytes;
    state.verified_bytes = progress.verified_bytes;
    state.file_count = progress.file_count;
    state.files_complete = progress.files_complete;
    state.current_file = safe_text(progress.current_file);
    state.rate = progress.rate;
    for (const auto& source : progress.sources) {
        state.peers.push_back(
            {progress_peer::direction::down, source.label, source.rate, source.bytes_received});
    }
    for (auto& row : upload_rows(uploads)) state.peers.push_back(std::move(row));

    if (window_changed()) {
        if (const auto now = query_terminal_size(STDERR_FILENO); now.columns > 0) size_ = now;
    }
    std::string notice;
    if (!resume_told_ && progress.manifest_known) {
        resume_told_ = true;
        if (progress.resumed_bytes > 0) {
            notice =
                layout_resume_notice(progress.resumed_bytes, progress.wanted_bytes, size_.columns);
        }
    }
    // One row is left for the cursor, so the block never scrolls its own top off the screen.
    const int max_lines = std::max(1, size_.rows - 1);
    draw(notice, layout_progress(state, size_.columns, max_lines));
}

void progress_display::draw(const std::string& notice, const std::vector<std::string>& lines) {
    std::string block;
    int rows_up = 0;
    for (const auto& line : drawn_) rows_up += rows_taken(display_columns(line), size_.columns);
    // Back to the start of the block, clear from there to the end of the screen, draw anew: no
    // line of a taller or wider earlier block survives.
    if (rows_up > 0) block += "\r\x1b[" + std::to_string(rows_up) + "A";
    block += "\r\x1b[J";
    // The notice is written once above the block and stays there when the block is redrawn.
    if (!notice.empty()) block += notice + "\n";
    for (const auto& line : lines) block += line + "\n";
    std::fputs(block.c_str(), stderr);
    std::fflush(stderr);
    drawn_ = lines;
}

void progress_display::finish() {
    if (!enabled_ || drawn_.empty()) return;
    draw({}, {});
}

}  // namespace xfer::cli
