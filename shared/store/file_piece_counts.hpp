// Per tree entry, how many of its file's pieces are still to be written and whether the file
// must be truncated to its size when it is complete: what tree_writer keeps for every entry of a
// tree. One byte an entry (it was five: a u32 count and a byte of flags, issue 11's
// 1,000,000-entry trees); files of more than 126 pieces (over 31 MiB at 256 KiB pieces, so few)
// keep their count in a map beside. Not thread-safe: tree_writer holds its mutex around it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace xfer {

class file_piece_counts {
  public:
    explicit file_piece_counts(size_t entries) : cells_(entries, 0) {}

    size_t size() const { return cells_.size(); }
    void set(uint32_t entry, uint32_t pieces);
    uint32_t left(uint32_t entry) const;
    // One piece of it written: true when that was its last (expects left(entry) > 0).
    bool count_off(uint32_t entry);
    bool all_written() const;

    void mark_truncate(uint32_t entry) { cells_[entry] |= truncate_bit; }
    bool needs_truncate(uint32_t entry) const { return (cells_[entry] & truncate_bit) != 0; }

    // Heap bytes held, about one an entry (the tests bound it).
    size_t bytes_used() const;

  private:
    static constexpr uint8_t truncate_bit = 0x80;
    static constexpr uint8_t count_bits = 0x7f;
    static constexpr uint8_t in_map = count_bits;  // the count is in many_

    std::vector<uint8_t> cells_;
    std::unordered_map<uint32_t, uint32_t> many_;  // entries whose count is over 126
};

}  // namespace xfer
