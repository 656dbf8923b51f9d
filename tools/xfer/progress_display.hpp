// The fetch's progress on a terminal: a block redrawn in place (the total, then one line per
// peer up and down, as many as fit), sized to the terminal and redrawn at the new size when it
// changes (SIGWINCH, read as a pending signal on each update); a "resuming: ..." line first when a
// fetch picks up verified pieces. Nothing at all when stderr is not a terminal, or with -q. What
// the lines say is decided by progress_display_layout; this class only talks to the terminal.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "receiver/fetcher.hpp"
#include "sender/sender.hpp"
#include "tools/xfer/progress_display_layout.hpp"

namespace xfer::cli {

struct terminal_size {
    int columns = 80;
    int rows = 24;
};

// The size of the terminal on `fd`; {0, 0} when it is not a terminal.
terminal_size query_terminal_size(int fd);

// Blocks SIGWINCH in the calling thread and every thread it starts afterwards; the display
// takes it from the pending set on each update. main() calls it first thing, before any thread
// starts: a handler would make the poll of whichever thread it landed on fail with EINTR, and a
// thread started earlier, with SIGWINCH unblocked, would take every resize and drop it.
void hold_window_change_signal();

class progress_display {
  public:
    explicit progress_display(bool enabled);
    progress_display(const progress_display&) = delete;
    progress_display& operator=(const progress_display&) = delete;

    void update(const receiver::fetch_progress& progress,
                const std::vector<sender::upload_peer_stats>& uploads);
    void finish();  // clears the block so the summary line stands alone
    // The next path of the command starts: it may say "resuming: ..." of its own.
    void next_content() { resume_told_ = false; }

  private:
    void draw(const std::string& notice, const std::vector<std::string>& lines);
    std::vector<progress_peer> upload_rows(const std::vector<sender::upload_peer_stats>& uploads);

    bool enabled_;
    bool resume_told_ = false;
    terminal_size size_;
    std::vector<std::string> drawn_;  // the block on screen now, to know how far up it starts
    std::vector<std::pair<std::string, uint64_t>> last_uploads_;
    std::chrono::steady_clock::time_point last_update_ = std::chrono::steady_clock::now();
};

}  // namespace xfer::cli
