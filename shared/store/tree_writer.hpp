// Builds a fetched tree in one hidden staging directory beside its final name,
// OUTDIR/.NAME.xfer-part/, holding the tree under its final names, then renames it to OUTDIR/NAME:
// the tree appears complete or not at all.
//
// Directories are made first; a file is opened on the first piece that touches it (sized with
// ftruncate, so all-zero blocks are skipped and sparse files stay sparse) and closed, with its
// mode and mtime set on the open descriptor, when its last piece is written. A file of 64 KiB or
// more is written with direct I/O where its bytes are block-aligned in the piece buffer. Empty
// files, symlinks and directory metadata (deepest first) come at the end, then one syncfs and
// the rename. Every path is opened beneath the staging directory's fd without following any
// symlink.
//
// Thread-safety: one fetch writes a tree, from several writer threads at once (distinct pieces
// only); the sender may read it at the same time (read_ranges).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <expected>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "shared/core/fd.hpp"
#include "shared/store/content_files.hpp"
#include "shared/store/file_piece_counts.hpp"
#include "shared/tree/tree.hpp"
#include "shared/tree/tree_owners.hpp"

namespace xfer {

struct tree_file;  // a file being written: its descriptor, and a direct one when it is big

class tree_writer final : public content_files {
  public:
    // ".NAME.xfer-part": the one hidden directory a tree in progress occupies in OUTDIR.
    static std::string staging_name(const std::string& name);

    // Opens (resuming) or makes the staging directory of `name` under `outdir_fd` and creates
    // the tree's directories in it. Without `resuming`, a staging directory left by another
    // version is removed first.
    static std::expected<std::shared_ptr<tree_writer>, std::error_code> open(
        int outdir_fd, const std::filesystem::path& outdir, const std::string& name,
        tree::tree_manifest manifest, bool resuming, bool overwrite);
    // A piece written by an earlier run (resume): counted, not written again. A file it finished
    // had its metadata set in that run, before the piece was journaled.
    void mark_written(uint32_t piece);

    std::error_code read_ranges(uint32_t piece, uint32_t offset, uint32_t length,
                                std::vector<file_range>& out) override;
    uint32_t bytes_in_files(uint32_t piece, uint32_t offset, uint32_t length,
                            uint32_t max_files) const override {
        return layout_.bytes_in_files(piece, offset, length, max_files);
    }
    std::error_code write_piece(uint32_t piece, std::span<const uint8_t> data) override;
    std::error_code flush() override;
    std::error_code finish() override;

    const tree::tree_manifest& manifest() const { return manifest_; }
    // --owners: finish() gives the root and every entry these owners (as root) before its sync.
    void keep_owners(tree::owner_runs runs) {
        std::lock_guard lock(mutex_);
        owners_ = std::move(runs);
    }
    uint64_t file_count() const override { return file_count_; }
    // Files whose every byte is written (empty files count once the tree is complete).
    uint64_t files_complete() const override;
    // The file the last written piece ended in (for the progress display).
    std::string file_in_progress() const override {
        std::lock_guard lock(mutex_);
        return last_written_ < manifest_.entries.size() ? manifest_.entries[last_written_].path
                                                        : "";
    }

  private:
    tree_writer(int outdir_fd, std::filesystem::path outdir, std::string name,
                tree::tree_manifest manifest, unique_fd staging, bool overwrite);

    std::error_code make_directories() const;
    std::expected<std::shared_ptr<tree_file>, std::error_code> file_for_writing(
        uint32_t entry_index);
    static std::expected<bool, std::error_code> write_segment(const tree_file& file,
                                                              const tree::segment& part,
                                                              const uint8_t* data);
    // One segment of a piece being written: its file created, written, finished when complete.
    std::error_code write_part(const tree::segment& part, const uint8_t* data);
    std::error_code complete_file(uint32_t entry_index, int fd, bool truncate);
    std::error_code write_whole_file(const tree::segment& part, const uint8_t* data);
    std::error_code finish_entries() const;
    std::error_code move_into_place() const;

    const int outdir_fd_;
    const std::filesystem::path outdir_;
    const std::string name_;
    const tree::tree_manifest manifest_;
    const tree::piece_layout layout_;
    const unique_fd staging_fd_;
    const bool overwrite_;
    const std::optional<mode_t> umask_;  // files may be created with their final mode when known
    uint64_t file_count_ = 0;

    // Guards the bookkeeping only: the system calls that create, write and finish files run
    // outside it, so several writer threads build the tree at once.
    mutable std::mutex mutex_;
    file_piece_counts pieces_left_;  // per entry: pieces of it not yet written, needs_truncate
    uint64_t files_done_ = 0;
    uint32_t last_written_ = UINT32_MAX;  // entry of the last segment written (progress)
    // Files that span pieces, with some still to write, open for writing; the least recently
    // used one is closed (and reopened when needed) beyond max_open_files, so a tree never runs
    // out of descriptors. Shared: a writer holds its descriptor while it writes.
    std::unordered_map<uint32_t,
                       std::pair<std::shared_ptr<tree_file>, std::list<uint32_t>::iterator>>
        open_;
    std::list<uint32_t> recently_used_;
    tree::owner_runs owners_;  // empty: every entry stays the fetching user's
};

}  // namespace xfer
