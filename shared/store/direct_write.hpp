// Verified pieces written with direct I/O: the bytes go from the piece buffer to the disk without
// a copy into the page cache (that copy was 43 % of a fetch's CPU), so the final fsync has
// almost nothing left to do. Where the file system refuses O_DIRECT (tmpfs before Linux 6.6,
// some network file systems) writes stay buffered with write-behind, as before; so they do with
// XFER_DIRECT_IO=off. Either way durability is the same: nothing counts as done before
// fdatasync/fsync (checkpoint, finalize). The writes run on the fetch's piece writer thread, so
// a write waiting for the device never stalls the network loop.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <system_error>

#include "shared/core/fd.hpp"

namespace xfer {

class direct_write {
  public:
    // Opens `path_fd`'s file again with O_DIRECT (via /proc/self/fd); inactive, with the reason,
    // when the file system refuses it or XFER_DIRECT_IO=off is set.
    static direct_write for_file(int path_fd);
    direct_write() = default;

    bool active() const { return static_cast<bool>(direct_fd_); }
    // "direct I/O" or "buffered writes (REASON)", for -v.
    const std::string& description() const { return description_; }

    // Writes `data` at `offset`: the file's whole blocks through the direct descriptor (from a
    // bounce buffer when `data` is not aligned in memory), the rest (a head up to the first block
    // boundary, a tail, or everything when inactive) through `buffered_fd` with write-behind
    // started.
    std::error_code write(int buffered_fd, std::span<const uint8_t> data, uint64_t offset) const;

  private:
    // Per thread that writes unaligned buffers: one, reused (the fetch's writer threads).
    static constexpr size_t bounce_size = 1024 * 1024;

    size_t write_blocks(const uint8_t* data, size_t size, uint64_t offset) const;
    static std::error_code write_buffered(int fd, std::span<const uint8_t> data, uint64_t offset);

    unique_fd direct_fd_;
    std::string description_ = "buffered writes";
};

}  // namespace xfer
