// A tree manifest's entries held compactly: a std::vector<entry> costs 88 bytes an entry plus a
// heap string for a long path, so a 1,000,000-entry tree took ~120 MB a copy (issue 11). Here
// entries are front-coded one after the other in one byte buffer, as the manifest's own encoding
// does (a path shares its prefix with the previous one, mtimes are deltas, integers varints),
// about 12 bytes an entry for a tree of small files, with a restart every restart_interval
// entries (a full path and an absolute mtime) so that entry i is found by decoding at most
// restart_interval entries.
//
// The restarts also bound what a hostile manifest can make a receiver hold: a path that shares
// 4,000 bytes with the previous one costs a few bytes on the wire; expanded into strings, as
// before, 2,000,000 of them were 8 GB. Here only a restart expands its path: at most
// max_path_length / restart_interval bytes an entry more than the wire encoding.
//
// Entries are kept exactly as given, valid or not (validate() judges them, tests build hostile
// ones), every field of every kind. Reading yields `entry` values: an index decodes a copy, an
// iterator decodes in place as it walks. The table is only appended to; to change an entry,
// build a std::vector<entry> and assign it.
//
// Thread-safety: const functions may be called from several threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <span>
#include <vector>

#include "shared/tree/tree_entry.hpp"

namespace xfer::tree {

class entry_table {
  public:
    static constexpr size_t restart_interval = 16;

    entry_table() = default;
    // Implicit on purpose: tests and builders assign a vector or a braced list of entries.
    entry_table(std::initializer_list<entry> entries);
    entry_table(const std::vector<entry>& entries);  // NOLINT(google-explicit-constructor)

    void push_back(const entry& e);
    size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }
    // A copy of entry `index` (< size()): decodes from the restart before it.
    const entry operator[](size_t index) const;
    const entry back() const { return (*this)[count_ - 1]; }
    std::vector<entry> to_vector() const;
    // Frees everything (clear() of a vector keeps its buffer; this does not).
    void clear();
    // Grows the byte buffer once for `entries` more of about `bytes_each` bytes.
    void reserve(size_t entries, size_t bytes_each = 16);
    void shrink_to_fit();
    // What the table holds on the heap (its buffers' capacities).
    size_t heap_bytes() const;

    class iterator {
      public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = entry;
        using difference_type = std::ptrdiff_t;
        using pointer = const entry*;
        using reference = const entry&;

        iterator() = default;
        // Valid until this iterator moves: each iterator holds its own decoded entry. So there
        // is no postfix ++ (`*it++` would name the entry of a copy already gone).
        const entry& operator*() const { return current_; }
        const entry* operator->() const { return &current_; }
        iterator& operator++();
        friend bool operator==(const iterator& a, const iterator& b) {
            return a.index_ == b.index_;
        }

      private:
        friend class entry_table;
        iterator(const entry_table* table, size_t index);
        const entry_table* table_ = nullptr;
        size_t index_ = 0;
        size_t offset_ = 0;  // of the next record
        entry current_;
    };
    iterator begin() const { return iterator(this, 0); }
    iterator end() const { return iterator(this, count_); }

    // The records as held: unique for a given list of entries (see operator==), so a digest of
    // them names the list without an encoding of the whole tree (~10 MB at 1,000,000 entries).
    std::span<const uint8_t> records() const { return bytes_; }

    // Same entries in the same order (the encoding of a given list is unique).
    friend bool operator==(const entry_table& a, const entry_table& b) {
        return a.count_ == b.count_ && a.bytes_ == b.bytes_;
    }

  private:
    // Decodes the record at `offset` over `e` (the previous entry, or a fresh one at a
    // restart); returns the offset of the next record.
    size_t decode(size_t offset, entry& e) const;

    std::vector<uint8_t> bytes_;
    std::vector<size_t> restarts_;  // byte offset of entries 0, restart_interval, ...
    size_t count_ = 0;
    // The last entry's path and mtime, which the next one is coded against.
    std::string last_path_;
    int64_t last_mtime_ns_ = 0;
};

}  // namespace xfer::tree
