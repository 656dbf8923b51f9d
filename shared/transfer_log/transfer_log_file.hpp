// The transfer log on disk: STATE/transfers.log, appended by every xfer process of this
// installation (a serve and a fetch may write at the same time), rotated by size into
// transfers.log.1 so it never holds more than about twice rotate_bytes.
//
// An append is one write(2) of one whole line to a file opened O_APPEND, under flock: lines of
// two processes never interleave, and a crash loses at most the line being written (a reader
// skips a torn last line, see transfer_record.hpp). Files are mode 600: the log says who fetched
// what.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <system_error>

#include "shared/transfer_log/transfer_record.hpp"

namespace xfer::transfer_log {

inline constexpr uint64_t default_rotate_bytes = 8 * 1024 * 1024;
// A line longer than this is not a record (12 fields of max_field_bytes, escaped, fit).
inline constexpr size_t max_line_bytes = 40 * 1024;

std::filesystem::path current_file(const std::filesystem::path& state_directory);
std::filesystem::path rotated_file(const std::filesystem::path& state_directory);

class transfer_log_file {
  public:
    explicit transfer_log_file(std::filesystem::path state_directory,
                               uint64_t rotate_bytes = default_rotate_bytes);

    // Creates the directory (mode 700) and the file (mode 600) when missing.
    std::error_code append(const transfer_record& record) const;

  private:
    std::filesystem::path directory_;
    uint64_t rotate_bytes_;
};

// Calls `each` for every record in the log, oldest first (the rotated file, then the current
// one). Lines that do not decode are skipped. A missing log is an empty one.
using record_visitor = std::function<void(const transfer_record&)>;
void read_transfer_log(const std::filesystem::path& state_directory, const record_visitor& each);

}  // namespace xfer::transfer_log
