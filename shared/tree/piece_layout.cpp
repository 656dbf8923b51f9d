#include "shared/tree/piece_layout.hpp"

#include <algorithm>

namespace xfer::tree {

piece_layout::piece_layout(const tree_manifest& manifest) : piece_size_(manifest.piece_size) {
    size_t non_empty = 0;
    for (const auto& e : manifest.entries) {
        if (e.kind == entry_kind::file && e.size > 0) ++non_empty;
    }
    low_.reserve(non_empty);
    for (uint32_t index = 0; const auto& e : manifest.entries) {
        if (e.kind == entry_kind::file && e.size > 0) {
            const auto position = file_count();
            const auto high = static_cast<uint32_t>(total_bytes_ >> 32);
            if (high_runs_.empty() || high_runs_.back().value != high)
                high_runs_.push_back({position, high});
            if (entry_runs_.empty() ||
                entry_runs_.back().value + (position - entry_runs_.back().first) != index)
                entry_runs_.push_back({position, index});
            low_.push_back(static_cast<uint32_t>(total_bytes_));
            total_bytes_ += e.size;
        }
        ++index;
    }
    high_runs_.shrink_to_fit();
    entry_runs_.shrink_to_fit();
    if (piece_size_ > 0)
        piece_count_ = static_cast<uint32_t>((total_bytes_ + piece_size_ - 1) / piece_size_);
}

size_t piece_layout::bytes_used() const {
    return low_.capacity() * sizeof(uint32_t) +
           (high_runs_.capacity() + entry_runs_.capacity()) * sizeof(run);
}

size_t piece_layout::run_at(const std::vector<run>& runs, uint32_t position) {
    const auto it = std::upper_bound(runs.begin(), runs.end(), position,
                                     [](uint32_t at, const run& r) { return at < r.first; });
    return static_cast<size_t>(it - runs.begin()) - 1;
}

uint64_t piece_layout::start_of(uint32_t position) const {
    // Most trees are under 4 GiB: one run, no search.
    const uint32_t high = high_runs_.size() == 1 ? high_runs_.front().value
                                                 : high_runs_[run_at(high_runs_, position)].value;
    return uint64_t{high} << 32 | low_[position];
}

uint64_t piece_layout::end_of(uint32_t position) const {
    return position + 1 < file_count() ? start_of(position + 1) : total_bytes_;
}

uint64_t piece_layout::piece_offset(uint32_t piece_index) const {
    return uint64_t{piece_index} * piece_size_;
}

uint32_t piece_layout::piece_length(uint32_t piece_index) const {
    const uint64_t offset = piece_offset(piece_index);
    if (piece_index >= piece_count_) return 0;
    return static_cast<uint32_t>(std::min<uint64_t>(piece_size_, total_bytes_ - offset));
}

uint32_t piece_layout::file_at(uint64_t at) const {
    // The last file that starts at or before `at`.
    uint32_t low = 0, high = file_count();  // start_of(low) <= at < start_of(high)
    while (high - low > 1) {
        const uint32_t middle = low + (high - low) / 2;
        if (start_of(middle) <= at) {
            low = middle;
        } else {
            high = middle;
        }
    }
    return low;
}

void piece_layout::segments_of(uint32_t piece_index, std::vector<segment>& out) const {
    out.clear();
    for_each_segment(piece_index, 0, piece_length(piece_index), [&](const segment& part) {
        out.push_back(part);
        return true;
    });
}

uint32_t piece_layout::bytes_in_files(uint32_t piece_index, uint32_t offset, uint32_t length,
                                      uint32_t max_files) const {
    const uint32_t piece_bytes = piece_length(piece_index);
    if (offset >= piece_bytes) return 0;
    const uint64_t begin = piece_offset(piece_index) + offset;
    const uint64_t end = begin + std::min(length, piece_bytes - offset);
    const size_t last = std::min<size_t>(
        size_t{file_at(begin)} + std::max<uint32_t>(max_files, 1) - 1, file_count() - 1);
    return static_cast<uint32_t>(std::min(end, end_of(last)) - begin);
}

std::pair<uint32_t, uint32_t> piece_layout::pieces_of_entry(uint32_t entry_index) const {
    if (entry_runs_.empty() || piece_size_ == 0) return {0, 0};
    // The last run whose first entry is at or before this one: entries grow with positions.
    const auto it = std::upper_bound(entry_runs_.begin(), entry_runs_.end(), entry_index,
                                     [](uint32_t index, const run& r) { return index < r.value; });
    if (it == entry_runs_.begin()) return {0, 0};
    const auto& r = *(it - 1);
    const uint32_t run_end = it == entry_runs_.end() ? file_count() : it->first;
    if (entry_index - r.value >= run_end - r.first) return {0, 0};  // not a non-empty file
    const uint32_t position = r.first + (entry_index - r.value);
    const uint64_t first_byte = start_of(position);
    const uint64_t last_byte = end_of(position) - 1;
    return {static_cast<uint32_t>(first_byte / piece_size_),
            static_cast<uint32_t>(last_byte / piece_size_) + 1};
}

}  // namespace xfer::tree
