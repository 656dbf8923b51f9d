#include "shared/tree/piece_layout.hpp"

#include <algorithm>

namespace xfer::tree {

piece_layout::piece_layout(const tree_manifest& manifest) : piece_size_(manifest.piece_size) {
    size_t non_empty = 0;
    for (const auto& e : manifest.entries) {
        if (e.kind == entry_kind::file && e.size > 0) ++non_empty;
    }
    files_.reserve(non_empty);
    for (uint32_t index = 0; const auto& e : manifest.entries) {
        if (e.kind == entry_kind::file && e.size > 0) {
            files_.push_back({total_bytes_, index});
            total_bytes_ += e.size;
        }
        ++index;
    }
    if (piece_size_ > 0)
        piece_count_ = static_cast<uint32_t>((total_bytes_ + piece_size_ - 1) / piece_size_);
}

uint64_t piece_layout::piece_offset(uint32_t piece_index) const {
    return uint64_t{piece_index} * piece_size_;
}

uint32_t piece_layout::piece_length(uint32_t piece_index) const {
    const uint64_t offset = piece_offset(piece_index);
    if (piece_index >= piece_count_) return 0;
    return static_cast<uint32_t>(std::min<uint64_t>(piece_size_, total_bytes_ - offset));
}

uint64_t piece_layout::end_of(size_t file_position) const {
    return file_position + 1 < files_.size() ? files_[file_position + 1].offset : total_bytes_;
}

size_t piece_layout::file_at(uint64_t at) const {
    // The last file that starts at or before `at`.
    const auto it =
        std::upper_bound(files_.begin(), files_.end(), at,
                         [](uint64_t offset, const file_start& f) { return offset < f.offset; });
    return static_cast<size_t>(it - files_.begin()) - 1;
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
    const size_t last =
        std::min(file_at(begin) + std::max<uint32_t>(max_files, 1) - 1, files_.size() - 1);
    return static_cast<uint32_t>(std::min(end, end_of(last)) - begin);
}

std::pair<uint32_t, uint32_t> piece_layout::pieces_of_entry(uint32_t entry_index) const {
    const auto it =
        std::lower_bound(files_.begin(), files_.end(), entry_index,
                         [](const file_start& f, uint32_t index) { return f.entry_index < index; });
    if (it == files_.end() || it->entry_index != entry_index || piece_size_ == 0) return {0, 0};
    const auto position = static_cast<size_t>(it - files_.begin());
    const uint64_t first_byte = it->offset;
    const uint64_t last_byte = end_of(position) - 1;
    return {static_cast<uint32_t>(first_byte / piece_size_),
            static_cast<uint32_t>(last_byte / piece_size_) + 1};
}

}  // namespace xfer::tree
