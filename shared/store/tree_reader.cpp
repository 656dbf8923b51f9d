#include "shared/store/tree_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include "shared/core/error.hpp"
#include "shared/store/block_ranges.hpp"
#include "shared/store/path_guard.hpp"

namespace xfer {

void for_each_range(const tree::piece_layout& layout, uint32_t piece, uint32_t offset,
                    uint32_t length, std::vector<tree::segment>& scratch,
                    const std::function<void(const tree::segment&, uint64_t, uint32_t)>& each) {
    layout.segments_of(piece, scratch);
    const uint64_t wanted_end = uint64_t{offset} + length;
    uint64_t segment_start = 0;  // of the current segment within the piece
    for (const auto& part : scratch) {
        const uint64_t begin = std::max<uint64_t>(segment_start, offset);
        const uint64_t end = std::min<uint64_t>(segment_start + part.length, wanted_end);
        if (begin < end) {
            each(part, part.file_offset + (begin - segment_start),
                 static_cast<uint32_t>(end - begin));
        }
        segment_start += part.length;
        if (segment_start >= wanted_end) break;
    }
}

tree_reader::tree_reader(unique_fd root, tree::tree_manifest manifest, bool whole)
    : root_(std::move(root)), manifest_(std::move(manifest)), layout_(manifest_), whole_(whole) {
    for (const auto& e : manifest_.entries) file_count_ += e.kind == tree::entry_kind::file;
}

std::expected<std::shared_ptr<unique_fd>, std::error_code> tree_reader::open_file(
    uint32_t entry_index) {
    if (entry_index == last_entry_) return last_fd_;
    const auto& e = manifest_.entries[entry_index];
    auto fd = open_in_tree(root_.get(), e.path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
    if (!fd) {
        if (fd.error() == make_error_code(errc::not_found))
            return std::unexpected(errc::content_changed);
        return std::unexpected(fd.error());
    }
    struct stat info {};
    if (::fstat(fd->get(), &info) != 0) return std::unexpected(last_system_error());
    const int64_t mtime_ns = int64_t{info.st_mtim.tv_sec} * 1'000'000'000 + info.st_mtim.tv_nsec;
    if (!S_ISREG(info.st_mode) ||
        (whole_ && (static_cast<uint64_t>(info.st_size) != e.size || mtime_ns != e.mtime_ns))) {
        return std::unexpected(make_error_code(errc::content_changed));
    }
    last_entry_ = entry_index;
    last_fd_ = std::make_shared<unique_fd>(std::move(*fd));
    return last_fd_;
}

std::error_code tree_reader::read_ranges(uint32_t piece, uint32_t offset, uint32_t length,
                                         std::vector<file_range>& out) {
    std::lock_guard lock(mutex_);
    block_ranges block(out, length);
    std::error_code failure;
    for_each_range(layout_, piece, offset, length, scratch_,
                   [&](const tree::segment& part, uint64_t file_offset, uint32_t bytes) {
                       if (failure) return;
                       auto fd = open_file(part.entry_index);
                       if (!fd) {
                           failure = fd.error();
                           return;
                       }
                       failure = block.add(*fd, file_offset, bytes);
                   });
    return failure;
}

}  // namespace xfer
