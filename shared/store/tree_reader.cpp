#include "shared/store/tree_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include "shared/core/error.hpp"
#include "shared/store/block_ranges.hpp"
#include "shared/store/path_guard.hpp"

namespace xfer {

tree_reader::tree_reader(unique_fd root, tree::tree_manifest manifest, bool whole)
    : tree_reader(std::move(root), std::make_shared<const tree::tree_manifest>(std::move(manifest)),
                  whole) {}

tree_reader::tree_reader(unique_fd root, std::shared_ptr<const tree::tree_manifest> manifest,
                         bool whole)
    : root_(std::move(root)), manifest_(std::move(manifest)), layout_(*manifest_), whole_(whole) {
    for (const auto& e : manifest_->entries) file_count_ += e.kind == tree::entry_kind::file;
}

std::expected<std::shared_ptr<unique_fd>, std::error_code> tree_reader::open_file(
    uint32_t entry_index) {
    if (entry_index == last_entry_) return last_fd_;
    const auto& e = manifest_->entries[entry_index];
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
    layout_.for_each_segment(piece, offset, length, [&](const tree::segment& part) {
        auto fd = open_file(part.entry_index);
        failure = fd ? block.add(*fd, part.file_offset, part.length) : fd.error();
        return !failure;
    });
    return failure;
}

}  // namespace xfer
