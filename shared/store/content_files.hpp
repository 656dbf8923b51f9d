// Where a content's bytes live when they are not one file: a tree's pieces span files (as in
// BitTorrent v1), so a piece is read from, or written to, one or more file ranges. A single file
// has no content_files: its entry's data_fd is used directly, with no extra call per piece.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "shared/net/send_queue.hpp"

namespace xfer {

using net::file_range;

class content_files {
  public:
    virtual ~content_files() = default;

    // Appends, in order, the file ranges holding bytes [offset, offset + length) of `piece`.
    // Files are opened as needed. Bytes of no file (never the case for a valid layout) fail.
    virtual std::error_code read_ranges(uint32_t piece, uint32_t offset, uint32_t length,
                                        std::vector<file_range>& out) = 0;
    // How many of bytes [offset, offset + length) of `piece`, from `offset`, lie in at most
    // `max_files` files (tree::piece_layout::bytes_in_files): how far one part of a block
    // read a part at a time goes.
    virtual uint32_t bytes_in_files(uint32_t piece, uint32_t offset, uint32_t length,
                                    uint32_t max_files) const = 0;
    // Writes a verified piece where its bytes belong (fetch side only).
    virtual std::error_code write_piece(uint32_t piece, std::span<const uint8_t> data) = 0;
    // Makes every write so far durable (a checkpoint).
    virtual std::error_code flush() = 0;
    // All pieces written: metadata, durability, the final name (fetch side only).
    virtual std::error_code finish() = 0;
    // For progress: files in the content, and how many of them are written completely.
    virtual uint64_t file_count() const = 0;
    virtual uint64_t files_complete() const = 0;
    // For progress: the path of the file written most recently ("" when none, or one file).
    virtual std::string file_in_progress() const { return {}; }
};

// pread of the whole piece through read_ranges: for re-checking a journaled piece on resume.
std::error_code read_piece(content_files& files, uint32_t piece, std::span<uint8_t> out);

}  // namespace xfer
