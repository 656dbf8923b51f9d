// The file ranges of one block of a tree, as the send queue takes them. A tree's block may span
// hundreds of thousands of tiny files: held as one open descriptor each until sent, they ran a
// sender out of descriptors ("Too many open files" on a 999,000-entry tree). So a short range
// is read at once into one buffer the block's ranges share, and its file closed; only long
// ranges (at most block / small_range_bytes of them per block) keep their file open, to go out
// with sendfile.
#pragma once

#include <cstdint>
#include <memory>
#include <system_error>
#include <vector>

#include "shared/core/fd.hpp"
#include "shared/net/send_queue.hpp"

namespace xfer {

// Ranges shorter than this are read into memory rather than held open.
inline constexpr uint32_t small_range_bytes = 64 * 1024;

class block_ranges {
  public:
    // Appends to `out`, for a block of at most `block_length` bytes.
    block_ranges(std::vector<net::file_range>& out, uint32_t block_length)
        : out_(out), block_length_(block_length) {}

    // Bytes [offset, offset + length) of `file`. errc::content_changed if the file is shorter.
    std::error_code add(const std::shared_ptr<unique_fd>& file, uint64_t offset, uint32_t length);

  private:
    std::vector<net::file_range>& out_;
    const uint32_t block_length_;
    // Reserved for the whole block when first needed, so pointers into it stay valid.
    std::shared_ptr<std::vector<uint8_t>> buffer_;
};

}  // namespace xfer
