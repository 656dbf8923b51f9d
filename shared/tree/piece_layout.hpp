// Where each piece of a tree lies: pieces span the concatenation of the files in entry order
// (BitTorrent v1), so one piece may cover the tail of one file, many small files and the head of
// another. Pure arithmetic over the file sizes, no I/O.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "shared/tree/tree_manifest.hpp"

namespace xfer::tree {

// A run of bytes of one piece inside one file.
struct segment {
    uint32_t entry_index = 0;  // into tree_manifest::entries
    uint64_t file_offset = 0;
    uint32_t length = 0;

    friend bool operator==(const segment&, const segment&) = default;
};

// 12 bytes per non-empty file (its start in the concatenation and its entry index); every
// lookup is a binary search. Expects a manifest that passed validate().
class piece_layout {
  public:
    explicit piece_layout(const tree_manifest& manifest);

    uint32_t piece_count() const { return piece_count_; }
    uint64_t total_bytes() const { return total_bytes_; }
    uint64_t piece_offset(uint32_t piece_index) const;
    uint32_t piece_length(uint32_t piece_index) const;
    // The segments of one piece in file order, replacing `out`'s contents (no allocation once
    // `out` has grown). Files of size 0 never appear. Nothing for a piece past the end.
    void segments_of(uint32_t piece_index, std::vector<segment>& out) const;
    // [first, last + 1) of the pieces that hold bytes of this file; an empty range {0, 0} for a
    // directory, a symlink, an empty file or an index out of range.
    std::pair<uint32_t, uint32_t> pieces_of_entry(uint32_t entry_index) const;

  private:
    // Packed: 12 bytes rather than 16 for each of up to millions of files (x86 and arm64 read
    // unaligned fields at no cost).
    struct __attribute__((packed)) file_start {
        uint64_t offset;
        uint32_t entry_index;
    };
    static_assert(sizeof(file_start) == 12);
    uint64_t end_of(size_t file_position) const;

    uint32_t piece_size_ = 0;
    uint32_t piece_count_ = 0;
    uint64_t total_bytes_ = 0;
    std::vector<file_start> files_;  // non-empty files, by offset (and by entry index)
};

}  // namespace xfer::tree
