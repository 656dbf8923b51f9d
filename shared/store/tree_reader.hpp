// The files of a complete tree, read for serving: a piece's blocks become one sendfile range per
// file. Files are opened beneath the tree's root without following symlinks, when a block needs
// them, and checked against their entry (size, mtime) so a file changed since the scan is
// reported as changed rather than sent as a mix of versions.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "shared/core/fd.hpp"
#include "shared/store/content_files.hpp"
#include "shared/tree/tree.hpp"
#include "shared/tree/tree_owners.hpp"

namespace xfer {

class tree_reader final : public content_files {
  public:
    // `whole` false: a tree still being fetched (its staging directory), whose files do not
    // have their final size and time yet; only verified pieces are read from it, so each file
    // is only checked to be a regular file. True: a complete tree, checked as said above.
    tree_reader(unique_fd root, tree::tree_manifest manifest, bool whole = true);
    // The same over a manifest shared with others (a tree served while it is hashed: the
    // hasher walks the same entries, issue 11).
    tree_reader(unique_fd root, std::shared_ptr<const tree::tree_manifest> manifest,
                bool whole = true);

    std::error_code read_ranges(uint32_t piece, uint32_t offset, uint32_t length,
                                std::vector<file_range>& out) override;
    uint32_t bytes_in_files(uint32_t piece, uint32_t offset, uint32_t length,
                            uint32_t max_files) const override {
        return layout_.bytes_in_files(piece, offset, length, max_files);
    }
    // A complete tree is only read.
    std::error_code write_piece(uint32_t, std::span<const uint8_t>) override {
        return std::make_error_code(std::errc::read_only_file_system);
    }
    std::error_code flush() override { return {}; }
    std::error_code finish() override { return {}; }
    uint64_t file_count() const override { return file_count_; }
    uint64_t files_complete() const override { return file_count_; }
    // The owners of the tree's root and entries as they are on disk now (xfer fetch --owners).
    std::expected<tree::owner_runs, std::error_code> owners() const {
        return tree::collect_owners(root_.get(), manifest_->entries);
    }

  private:
    std::expected<std::shared_ptr<unique_fd>, std::error_code> open_file(uint32_t entry_index);

    const unique_fd root_;
    const std::shared_ptr<const tree::tree_manifest> manifest_;
    const tree::piece_layout layout_;
    const bool whole_;
    uint64_t file_count_ = 0;
    std::mutex mutex_;
    // The file of the last range: a large file's consecutive blocks reuse its descriptor.
    uint32_t last_entry_ = UINT32_MAX;
    std::shared_ptr<unique_fd> last_fd_;
};

}  // namespace xfer
