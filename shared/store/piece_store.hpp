// The piece store: one root directory with complete files, partial files (NAME.xfer-part) and,
// only while a fetch into it is unfinished, their resume state (ROOT/.xfer/partial/, removed
// when the last partial completes). The manifest cache lives in xfer's cache directory, not in
// the root: serving a directory writes nothing into it. Both halves of a peer share one store
// object; the sender only reads it, the receiver writes verified pieces to it.
//
// Thread-safety: every public function may be called from any thread.
#pragma once

#include <atomic>
#include <expected>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "shared/core/fd.hpp"
#include "shared/core/listing_entry.hpp"
#include "shared/manifest/manifest_cache.hpp"
#include "shared/store/content_entry.hpp"
#include "shared/store/watched_trees.hpp"
#include "shared/tree/tree_manifest.hpp"

namespace xfer {

class tree_writer;

class piece_store {
  public:
    // Opens (with `create`: makes) the root directory. Manifests are cached in
    // `manifest_cache_dir` (xfer_home's cache / "manifests"; empty: no cache).
    static std::expected<std::shared_ptr<piece_store>, std::error_code> open(
        const std::filesystem::path& root, bool create,
        const std::filesystem::path& manifest_cache_dir);

    const std::filesystem::path& root() const { return root_; }

    // Entries of a directory under the root, sorted by name; partial files appear under their
    // final name with how many pieces are verified. Never lists the metadata folder. A symlink
    // that stays inside the root is listed as a symlink with `links_as_links`, else as what it
    // points to; one that leaves the root or points nowhere is not listed at all.
    std::expected<std::vector<listing_entry>, std::error_code> list(std::string_view relative_dir,
                                                                    bool links_as_links = false);

    // A shared file (complete or partial) by path, by content id, or both. May hash the file
    // (seconds for a large one the first time): call it off any latency-sensitive thread.
    // With `may_stream`, a content whose manifest is not cached is not hashed here: its entry
    // comes back at once with `streaming` set, to be hashed by the caller's hashing thread
    // (streamed_manifest::run) while it is served. Only by path (`wanted` unset): a content
    // asked for by id must be hashed first to know whether it is that one.
    std::expected<std::shared_ptr<content_entry>, std::error_code> open_for_serving(
        std::string_view relative_path, const std::optional<content_id>& wanted,
        bool may_stream = false);
    // What streamed hashing stops on (set_hashing_cancelled).
    const std::atomic<bool>& hashing_cancelled() const { return hashing_cancelled_; }

    std::shared_ptr<content_entry> find(const content_id& id) const;
    // How many times a served tree was scanned (a warm OPEN of a watched, unchanged one is not).
    uint64_t tree_scans() const { return tree_scans_.load(); }

    // Computes (or loads from the cache) the manifest of a complete file and remembers which
    // content it holds, without keeping it open: what `xfer serve` does in the background so
    // that the first fetch starts at once and sources can be asked for a content by id.
    std::error_code index_file(std::string_view relative_path);
    // While set, every hash of a whole file under way or started ends with errc::cancelled: a
    // sender that stops must not wait seconds for a many-GB file.
    void set_hashing_cancelled(bool cancelled) { hashing_cancelled_.store(cancelled); }
    // Shared files under the root (relative paths, partial files under their final name),
    // metadata excluded.
    std::vector<std::string> walk_files(size_t limit) const;

    // What this store holds, for discovery: the first `at_most` contents in id order of those
    // indexed or in use, with how much of each is verified. Discovery asks 4 times a second for
    // the few a record can carry, so this costs O(at_most + contents in use), not a copy of
    // every indexed file.
    struct held_summary {
        content_id id{};
        std::string path;
        uint64_t size = 0;
        uint32_t pieces_had = 0;
        uint32_t piece_count = 0;
    };
    std::vector<held_summary> held_contents(size_t at_most) const;

    // errc::content_changed if a served complete file no longer matches its manifest's version.
    std::error_code check_unchanged(const content_entry& entry) const;

    // Starts or resumes fetching `encoded_manifest` into ROOT/NAME (via NAME.xfer-part). A part
    // file of another version is discarded. An existing final file of the same content is
    // returned complete; of other content, fails with file_exists unless `overwrite`. With
    // `update` too, a tree of other content at NAME gives the new tree every piece whose bytes
    // it already holds (tree_reuse.hpp): only the others are left to fetch.
    std::expected<std::shared_ptr<content_entry>, std::error_code> open_for_fetching(
        std::string_view name, std::span<const uint8_t> encoded_manifest, bool overwrite,
        bool update = false);
    // The same taking the encoding over: the entry keeps these bytes, not a copy of them (a
    // tree's manifest is ~10 bytes an entry, issue 11).
    std::expected<std::shared_ptr<content_entry>, std::error_code> open_for_fetching(
        std::string_view name, std::vector<uint8_t>&& encoded_manifest, bool overwrite,
        bool update = false);

    // Writes a verified piece's bytes where they belong. Called from the fetch's writer threads:
    // distinct pieces may be written at the same time. The piece counts for nothing (no bit, no
    // journal, no HAVE) until record_written.
    std::error_code write_piece_data(content_entry& entry, uint32_t piece_index,
                                     std::span<const uint8_t> data);
    // A piece whose bytes write_piece_data wrote: journaled, then marked had. One thread (the
    // fetch loop) calls it, the one that also checkpoints, so a checkpoint's fdatasync always
    // covers every piece its state marks had.
    std::error_code record_written(content_entry& entry, uint32_t piece_index);
    // A fetch whose manifest still streams keeps its part file under a placeholder manifest of
    // the same geometry (its hashes unique to that fetch), registered here before it is opened:
    // such an entry is never served, and has no resume state on disk (a run killed meanwhile
    // starts the part file again; its pieces were checked against hashes not yet proved).
    void register_placeholder(const content_id& id);
    bool is_placeholder(const content_id& id) const;
    // The manifest a resumable fetch into NAME was checkpointed under, if there is one.
    std::optional<std::vector<uint8_t>> resume_manifest(std::string_view name) const;
    // A fetch that began under a placeholder manifest (a streamed manifest's geometry, see
    // shared/manifest/manifest_stream.hpp) now has the complete one, and every piece it verified
    // was checked against these very hashes: the part file, its bits and its resume state become
    // that content's. `placeholder` is not written to again (its files are released first, and it
    // is no longer fetching); the returned entry replaces it.
    std::expected<std::shared_ptr<content_entry>, std::error_code> adopt_manifest(
        content_entry& placeholder, std::vector<uint8_t>&& encoded_manifest, bool overwrite);

    // Both in one call, on the caller's thread. Only the fetching process calls it.
    std::error_code write_piece(content_entry& entry, uint32_t piece_index,
                                std::span<const uint8_t> data);
    // Makes everything verified so far durable: fdatasync the data, then replace the state file.
    std::error_code checkpoint(content_entry& entry);
    // The same in two halves, so that the first, which waits for the disk (a tree's syncfs takes
    // as long as the writeback of all written since the last one), can run off the fetch loop.
    // checkpoint_bits, on any thread: the data flushed, then `had` (the bitfield as it was before
    // the flush began) written as the state. trim_journal, after it on the thread that calls
    // record_written: the journal keeps only the pieces had since `had`.
    std::error_code checkpoint_bits(content_entry& entry, std::span<const uint8_t> had);
    std::error_code trim_journal(content_entry& entry, std::span<const uint8_t> had);
    // All pieces verified: fsync, rename NAME.xfer-part to NAME, remove the resume state.
    std::error_code finalize(content_entry& entry);

    // Events from another process fetching into this same directory (over the ipc bus).
    void note_piece_verified(const content_id& id, uint32_t piece_index);
    void note_file_completed(const content_id& id);
    // After a missed event (a gap in the bus sequence): sets every bit the resume state and
    // journal on disk say is verified, for a partial another process is fetching. Nothing for an
    // entry this process fetches (its bits are the truth) or one not open.
    void reload_verified(const content_id& id);

  private:
    piece_store(std::filesystem::path root, unique_fd root_fd,
                std::filesystem::path manifest_cache_dir);

    std::filesystem::path metadata_path(std::string_view part) const;
    std::filesystem::path state_path_for(std::string_view relative_path) const;
    std::expected<std::shared_ptr<content_entry>, std::error_code> open_partial(
        const std::string& path);
    // A directory is served as a tree only with `directories`.
    std::expected<std::shared_ptr<content_entry>, std::error_code> open_complete(
        const std::string& path, bool directories = false, bool may_stream = false);
    // Entries served while hashed (piece_store_stream.cpp): remembered by path only.
    std::shared_ptr<content_entry> streaming_file(const std::string& path, unique_fd fd,
                                                  const struct stat& info);
    std::expected<std::shared_ptr<content_entry>, std::error_code> streaming_tree(
        const std::string& path, unique_fd directory, tree::tree_manifest scanned,
        const sha256_digest& cache_key);
    std::shared_ptr<content_entry> remember_streaming(std::shared_ptr<content_entry> entry);
    std::shared_ptr<content_entry> remember(std::shared_ptr<content_entry> entry);
    std::error_code prepare_metadata_dirs() const;
    // Removes ROOT/.xfer/partial and ROOT/.xfer if nothing is left in them.
    void remove_empty_metadata_dirs() const;
    std::expected<std::shared_ptr<content_entry>, std::error_code> check_destination(
        const std::string& path, const content_id& id, bool overwrite);
    static void recheck_journaled_pieces(content_entry& entry);
    void forget_resume_state(content_entry& entry) const;
    std::error_code write_state(content_entry& entry) const;
    std::error_code write_state(content_entry& entry, std::span<const uint8_t> bitfield) const;
    // Trees (piece_store_tree.cpp): a served directory, a fetch into OUTDIR/NAME, its completion.
    std::expected<std::shared_ptr<content_entry>, std::error_code> open_tree_complete(
        const std::string& path, unique_fd directory, bool may_stream = false);
    // A hashed complete tree as a content entry: the one served under its id already, or new.
    std::shared_ptr<content_entry> served_tree(const std::string& path, unique_fd directory,
                                               tree::tree_manifest manifest,
                                               std::vector<uint8_t> encoded);
    // `owned`: empty, or the bytes of `encoded_manifest` given over (then the entry keeps them).
    std::expected<std::shared_ptr<content_entry>, std::error_code> open_tree_for_fetching(
        const std::string& path, std::span<const uint8_t> encoded_manifest,
        std::vector<uint8_t> owned, bool overwrite, bool update);
    std::error_code reuse_old_tree(int old_tree, tree_writer& writer, content_entry& entry);
    std::error_code finalize_tree(content_entry& entry);
    // A tree another process is fetching into this directory, read-only: its verified pieces
    // (state and journal) are served from the staging directory.
    std::expected<std::shared_ptr<content_entry>, std::error_code> open_partial_tree(
        const std::string& path, resume_state state, const std::filesystem::path& state_file);

    const std::filesystem::path root_;
    const unique_fd root_fd_;
    const manifest_cache cache_;
    std::atomic<bool> hashing_cancelled_{false};
    std::atomic<uint64_t> tree_scans_{0};
    watched_trees watched_trees_;  // served trees known unchanged since their scan
    mutable std::mutex mutex_;
    // Entries in use: weak, so a file nobody transfers is closed again. The shared pointers are
    // held by upload connections and fetches.
    std::map<content_id, std::weak_ptr<content_entry>> by_id_;
    std::map<std::string, std::weak_ptr<content_entry>, std::less<>> by_path_;
    std::map<content_id, std::string> indexed_paths_;  // complete files hashed so far
    std::set<content_id> placeholders_;                // see register_placeholder
    std::map<content_id, held_summary> indexed_complete_;
    // Partial files found by index_file stay open: they are few, and their bits may change.
    std::map<content_id, std::shared_ptr<content_entry>> indexed_partials_;
};

}  // namespace xfer
