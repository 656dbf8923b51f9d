// `xfer log --follow`: records as other processes append them, pushed by inotify (no polling
// of the file), across rotations: what was appended to the old file before it was renamed is
// still read, then the new file from its start.
#pragma once

#include <chrono>
#include <expected>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "shared/core/fd.hpp"
#include "shared/transfer_log/transfer_record.hpp"

namespace xfer::transfer_log {

class transfer_log_follower {
  public:
    // Watches the log in `state_directory` (created if missing), from its current end.
    static std::expected<transfer_log_follower, std::error_code> start(
        const std::filesystem::path& state_directory);

    // Records appended since the last call, waiting up to `timeout` for the first one.
    std::vector<transfer_record> wait(std::chrono::milliseconds timeout);

  private:
    explicit transfer_log_follower(std::filesystem::path directory, unique_fd watch);
    void reopen_if_replaced();
    void read_appended(std::vector<transfer_record>& out);

    std::filesystem::path directory_;
    unique_fd watch_;  // inotify on the directory: the file may not exist yet, or be rotated
    unique_fd file_;
    std::string partial_;  // the start of a line whose end is not written yet
};

}  // namespace xfer::transfer_log
