// A tree writer's bookkeeping besides writing pieces: pieces an earlier run wrote, what a sender
// reads back from the staging tree, and the end of the fetch (durable, then moved into place).
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "shared/core/error.hpp"
#include "shared/store/atomic_file.hpp"
#include "shared/store/block_ranges.hpp"
#include "shared/store/path_guard.hpp"
#include "shared/store/tree_reader.hpp"
#include "shared/store/tree_writer.hpp"

namespace xfer {

void tree_writer::mark_written(uint32_t piece) {
    std::lock_guard lock(mutex_);
    layout_.for_each_segment(piece, 0, layout_.piece_length(piece), [&](const tree::segment& part) {
        if (pieces_left_.left(part.entry_index) > 0 && pieces_left_.count_off(part.entry_index))
            ++files_done_;
        return true;
    });
}

uint64_t tree_writer::files_complete() const {
    std::lock_guard lock(mutex_);
    return files_done_;
}

std::error_code tree_writer::read_ranges(uint32_t piece, uint32_t offset, uint32_t length,
                                         std::vector<file_range>& out) {
    block_ranges block(out, length);
    std::error_code failure;
    layout_.for_each_segment(piece, offset, length, [&](const tree::segment& part) {
        auto fd = open_in_tree(staging_fd_.get(), manifest_.entries[part.entry_index].path,
                               O_RDONLY | O_NOCTTY);
        failure = fd ? block.add(std::make_shared<unique_fd>(std::move(*fd)), part.file_offset,
                                 part.length)
                     : fd.error();
        return !failure;
    });
    return failure;
}

std::error_code tree_writer::flush() {
    if (::syncfs(staging_fd_.get()) != 0) return last_system_error();
    return {};
}

// The staging directory becomes OUTDIR/NAME in one rename. With --force an existing NAME is
// swapped out atomically (RENAME_EXCHANGE) and removed afterwards.
std::error_code tree_writer::move_into_place() const {
    const auto staging = staging_name(name_);
    if (::renameat(outdir_fd_, staging.c_str(), outdir_fd_, name_.c_str()) != 0) {
        if (errno != EEXIST && errno != ENOTEMPTY && errno != ENOTDIR && errno != EISDIR)
            return last_system_error();
        if (!overwrite_) return std::make_error_code(std::errc::file_exists);
        if (::renameat2(outdir_fd_, staging.c_str(), outdir_fd_, name_.c_str(), RENAME_EXCHANGE) !=
            0) {
            return last_system_error();
        }
        std::error_code ec;
        std::filesystem::remove_all(outdir_ / staging, ec);
        if (ec) return ec;
    }
    return sync_directory(outdir_);
}

std::error_code tree_writer::finish() {
    std::lock_guard lock(mutex_);
    if (!pieces_left_.all_written()) return errc::no_source;
    open_.clear();
    recently_used_.clear();
    if (auto ec = finish_entries()) return ec;
    if (auto ec = tree::apply_owners(staging_fd_.get(), manifest_.entries, owners_)) return ec;
    if (::syncfs(staging_fd_.get()) != 0) return last_system_error();
    return move_into_place();
}

}  // namespace xfer
