// Where each piece of a tree lies: pieces span the concatenation of the files in entry order
// (BitTorrent v1), so one piece may cover the tail of one file, many small files and the head of
// another. Pure arithmetic over the file sizes, no I/O.
#pragma once

#include <algorithm>
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

// About 4 bytes per non-empty file: the low 32 bits of its start in the concatenation, with the
// high bits and the entry indexes kept as runs (a run of files whose high bits are the same, a
// run of files that are consecutive entries: one per directory, typically). A 1,000,000-file
// tree's layout was 12 bytes a file, on both sides (issue 11). Every lookup is a binary search.
// Expects a manifest that passed validate().
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
    // Calls each(segment) for the parts of bytes [offset, offset + length) of a piece, in file
    // order, until it returns false. Nothing is gathered: a piece of one-byte files has as many
    // segments as bytes (6 MB of them for 256 KiB), which each writer thread used to hold.
    template <class Each>
    void for_each_segment(uint32_t piece_index, uint32_t offset, uint32_t length,
                          Each&& each) const;
    // How many of bytes [offset, offset + length) of a piece, from `offset`, lie in at most
    // `max_files` files (at least one file's part; 0 past the piece's end). A sender reads a
    // block of one-byte files this many bytes at a time (docs/ARCHITECTURE.md).
    uint32_t bytes_in_files(uint32_t piece_index, uint32_t offset, uint32_t length,
                            uint32_t max_files) const;
    // [first, last + 1) of the pieces that hold bytes of this file; an empty range {0, 0} for a
    // directory, a symlink, an empty file or an index out of range.
    std::pair<uint32_t, uint32_t> pieces_of_entry(uint32_t entry_index) const;
    // Heap bytes the layout holds (its bound per file is what the tests check).
    size_t bytes_used() const;

  private:
    // From file position `first` on (until the next run), a value that the files share or that
    // grows by one a file.
    struct run {
        uint32_t first;
        uint32_t value;
    };
    // The run holding file position `position` (runs are by first position, the first at 0).
    static size_t run_at(const std::vector<run>& runs, uint32_t position);
    uint64_t start_of(uint32_t position) const;
    uint64_t end_of(uint32_t position) const;
    // Position of the file holding byte `at` of the concatenation (< total_bytes_).
    uint32_t file_at(uint64_t at) const;
    uint32_t file_count() const { return static_cast<uint32_t>(low_.size()); }

    uint32_t piece_size_ = 0;
    uint32_t piece_count_ = 0;
    uint64_t total_bytes_ = 0;
    std::vector<uint32_t> low_;    // non-empty files in entry order: start, low 32 bits
    std::vector<run> high_runs_;   // value: the high 32 bits of the files' starts
    std::vector<run> entry_runs_;  // value: the entry index of the run's first file
};

template <class Each>
void piece_layout::for_each_segment(uint32_t piece_index, uint32_t offset, uint32_t length,
                                    Each&& each) const {
    const uint32_t piece_bytes = piece_length(piece_index);
    if (offset >= piece_bytes) return;
    const uint64_t begin = piece_offset(piece_index) + offset;
    const uint64_t end = begin + std::min(length, piece_bytes - offset);
    uint32_t position = file_at(begin);
    size_t entries = run_at(entry_runs_, position);
    uint64_t file_begin = start_of(position);
    for (; position < file_count(); ++position) {
        if (file_begin >= end) break;
        const uint64_t file_end = end_of(position);
        if (entries + 1 < entry_runs_.size() && entry_runs_[entries + 1].first <= position)
            ++entries;
        const uint32_t entry = entry_runs_[entries].value + (position - entry_runs_[entries].first);
        const uint64_t from = std::max(begin, file_begin);
        const uint64_t to = std::min(end, file_end);
        if (!each(segment{entry, from - file_begin, static_cast<uint32_t>(to - from)})) return;
        file_begin = file_end;
    }
}

}  // namespace xfer::tree
