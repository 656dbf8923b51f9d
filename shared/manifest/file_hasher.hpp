// Computes a file's manifest, and re-checks single pieces on disk.
#pragma once

#include <atomic>
#include <expected>
#include <system_error>

#include "shared/manifest/manifest.hpp"

namespace xfer {

// Hashes every piece of the open file `fd` of `file_size` bytes, on `threads` threads (each
// reads its pieces with pread into a small buffer, so memory stays flat whatever the size).
// Stops early with errc::cancelled when *stop becomes true.
std::expected<manifest, std::error_code> hash_file(int fd, uint64_t file_size, unsigned threads,
                                                   const std::atomic<bool>* stop = nullptr);

// SHA-256 of one piece as it is on disk now.
std::expected<sha256_digest, std::error_code> hash_piece_on_disk(int fd, const manifest& m,
                                                                 uint32_t piece_index);

}  // namespace xfer
