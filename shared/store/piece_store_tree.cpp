// Trees in the store: serving a directory (scan, hash or cached manifest, pieces read across its
// files) and fetching one into OUTDIR/NAME through tree_writer's staging directory, with the
// same resume state (OUTDIR/.xfer/partial/KEY.state and .journal) as a single file.
#include <fcntl.h>
#include <sys/stat.h>

#include <thread>

#include "shared/core/error.hpp"
#include "shared/core/log.hpp"
#include "shared/hash/sha256.hpp"
#include "shared/store/atomic_file.hpp"
#include "shared/store/content_geometry.hpp"
#include "shared/store/path_guard.hpp"
#include "shared/store/piece_store.hpp"
#include "shared/store/tree_reader.hpp"
#include "shared/store/tree_reuse.hpp"
#include "shared/store/tree_writer.hpp"
#include "shared/wire/byte_io.hpp"
#include "shared/wire/frame.hpp"

namespace xfer {
namespace {

constexpr size_t max_cached_tree_bytes = wire::max_manifest_bytes;

// What the cache knows a tree's manifest by: the directory itself and every entry the scan saw
// (paths, kinds, modes, sizes, mtimes). A file edited, added, removed or touched changes it.
// The entry table's records hold all of that, so they are hashed as held, not encoded anew.
sha256_digest scan_key(const struct stat& root, const tree::tree_manifest& scanned) {
    sha256_hasher hasher;
    std::vector<uint8_t> head;
    wire::byte_writer w(head);
    w.u64(root.st_dev);
    w.u64(root.st_ino);
    w.u32(scanned.piece_size);
    w.u64(scanned.entries.size());
    hasher.update(head);
    hasher.update(scanned.entries.records());
    return hasher.finish();
}

// Fills the scanned manifest's piece hashes from disk.
std::error_code hash_tree(int directory, tree::tree_manifest& manifest,
                          const std::atomic<bool>& cancelled) {
    manifest.piece_hashes.assign(manifest.piece_count(), sha256_digest{});
    return tree::hash_tree_pieces(directory, manifest, cancelled,
                                  [&](uint32_t piece, const sha256_digest& digest) {
                                      manifest.piece_hashes[piece] = digest;
                                  });
}

// An existing OUTDIR/NAME holds exactly the wanted tree's entries and bytes.
bool holds_tree(int directory, const tree::tree_manifest& wanted,
                const std::atomic<bool>& cancelled) {
    // The scan reads the directory through its own descriptor: `directory` stays unread.
    auto again = open_in_tree(directory, ".", O_RDONLY | O_DIRECTORY);
    if (!again) return false;
    auto scanned = tree::scan_tree(again->get(), {});
    if (!scanned || scanned->manifest.entries.size() != wanted.entries.size()) return false;
    auto have = scanned->manifest.entries.begin();
    for (const auto& want : wanted.entries) {
        if (have->path != want.path || have->kind != want.kind || have->size != want.size ||
            have->link_target != want.link_target) {
            return false;
        }
        ++have;
    }
    scanned->manifest.piece_size = wanted.piece_size;
    if (hash_tree(directory, scanned->manifest, cancelled)) return false;
    return scanned->manifest.piece_hashes == wanted.piece_hashes;
}

}  // namespace

std::expected<std::shared_ptr<content_entry>, std::error_code> piece_store::open_tree_complete(
    const std::string& path, unique_fd directory, bool may_stream) {
    struct stat root {};
    if (::fstat(directory.get(), &root) != 0) return std::unexpected(last_system_error());
    // Served lately and watched since, unchanged: no scan (watched_trees.hpp).
    if (auto kept = watched_trees_.unchanged(path, root)) return kept;
    auto watch = tree_watch::create();
    tree::scan_limits limits;
    if (watch) limits.on_directory = [&watch](int fd) { watch->add(fd); };
    ++tree_scans_;
    auto scanned = tree::scan_tree(directory.get(), limits);
    if (!scanned) return std::unexpected(scanned.error());
    for (const auto& note : scanned->skipped) XLOG_WARN("store", "", path << "/" << note);
    const auto key = scan_key(root, scanned->manifest);
    std::vector<uint8_t> encoded;
    std::optional<tree::tree_manifest> manifest;
    if (auto cached = cache_.lookup_key(key, max_cached_tree_bytes)) {
        // The scan goes before the cached manifest is decoded: one tree of entries in memory at
        // a time, not two (~120 bytes an entry each).
        scanned->manifest.entries.clear();
        if (auto decoded = tree::decode_tree_manifest(*cached)) {
            encoded = std::move(*cached);
            manifest = std::move(*decoded);
        } else if (auto again = open_in_tree(directory.get(), ".", O_RDONLY | O_DIRECTORY)) {
            scanned =
                tree::scan_tree(again->get(), {});  // a cache file we cannot read: hashed anew
            if (!scanned) return std::unexpected(scanned.error());
        } else {
            return std::unexpected(again.error());
        }
    }
    if (!manifest && may_stream && scanned->manifest.piece_count() > 0) {
        return streaming_tree(path, std::move(directory), std::move(scanned->manifest), key);
    }
    if (!manifest) {
        XLOG_INFO(
            "store", "",
            "hashing tree " << path << " (" << scanned->manifest.entries.size() << " entries)");
        if (auto ec = hash_tree(directory.get(), scanned->manifest, hashing_cancelled_))
            return std::unexpected(ec);
        encoded = tree::encode_tree_manifest(scanned->manifest);
        // It must fit one MANIFEST frame.
        if (encoded.size() > wire::max_manifest_bytes)
            return std::unexpected(make_error_code(errc::tree_too_large));
        cache_.store_key(key, encoded);
        manifest = std::move(scanned->manifest);
    }
    auto served = served_tree(path, std::move(directory), std::move(*manifest), std::move(encoded));
    if (watch && !watch->changed() && served->complete && !served->fetching && served->path == path)
        watched_trees_.keep(path, root, std::move(watch), served);
    return served;
}

std::shared_ptr<content_entry> piece_store::served_tree(const std::string& path,
                                                        unique_fd directory,
                                                        tree::tree_manifest manifest,
                                                        std::vector<uint8_t> encoded) {
    const auto id = content_id_of(encoded);
    if (auto served = find(id); served && served->complete) return served;
    auto entry = std::make_shared<content_entry>(id, geometry_of(manifest), std::move(encoded),
                                                 path, unique_fd());
    entry->files = std::make_shared<tree_reader>(std::move(directory), std::move(manifest));
    for (uint32_t piece = 0; piece < entry->manifest.piece_count(); ++piece) entry->have.set(piece);
    entry->complete = true;
    return remember(std::move(entry));
}

namespace {

// A tree found complete at its final name: every piece had, nothing to fetch.
std::shared_ptr<content_entry> kept_tree_entry(const content_id& id,
                                               std::vector<uint8_t> encoded_manifest,
                                               const std::string& path, unique_fd directory,
                                               tree::tree_manifest manifest) {
    auto entry = std::make_shared<content_entry>(id, geometry_of(manifest),
                                                 std::move(encoded_manifest), path, unique_fd());
    entry->files = std::make_shared<tree_reader>(std::move(directory), std::move(manifest));
    for (uint32_t piece = 0; piece < entry->manifest.piece_count(); ++piece) entry->have.set(piece);
    entry->complete = true;
    return entry;
}

// Pieces journaled after the last checkpoint count only if their bytes on disk still hash
// right; the writer is told which pieces it need not write again.
void count_journaled_pieces(tree_writer& writer, content_entry& entry,
                            const std::filesystem::path& journal_file) {
    std::vector<uint8_t> buffer;
    for (const uint32_t piece : piece_journal::read(journal_file, entry.manifest.piece_count())) {
        if (entry.have.test(piece)) continue;
        buffer.resize(entry.manifest.piece_length(piece));
        if (!read_piece(writer, piece, buffer) &&
            sha256(buffer) == entry.manifest.piece_hashes[piece]) {
            entry.have.set(piece);
        }
    }
    for (uint32_t piece = 0; piece < entry.manifest.piece_count(); ++piece) {
        if (entry.have.test(piece)) writer.mark_written(piece);
    }
}

// The verified pieces of a fetch into this tree left by an earlier run, if its state is for
// this very content.
std::optional<std::vector<uint8_t>> resumed_bits(const std::filesystem::path& state_file,
                                                 const content_id& id) {
    auto bytes = read_resume_state_file(state_file);
    if (!bytes) return std::nullopt;
    const auto state = view_resume_state(*bytes);
    if (!state || content_id_of(state->encoded_manifest) != id) return std::nullopt;
    return std::vector<uint8_t>(state->bitfield.begin(), state->bitfield.end());
}

}  // namespace

std::expected<std::shared_ptr<content_entry>, std::error_code> piece_store::open_tree_for_fetching(
    const std::string& path, std::span<const uint8_t> encoded_manifest, std::vector<uint8_t> owned,
    bool overwrite, bool update) {
    // The entry's own bytes: those given over, or a copy.
    const auto kept_bytes = [&] {
        if (owned.empty()) owned.assign(encoded_manifest.begin(), encoded_manifest.end());
        return std::move(owned);
    };
    if (path.find('/') != std::string::npos)
        return std::unexpected(std::make_error_code(std::errc::invalid_argument));
    auto tree_manifest = tree::decode_tree_manifest(encoded_manifest);
    if (!tree_manifest) return std::unexpected(tree_manifest.error());
    const auto id = content_id_of(encoded_manifest);
    if (auto existing = find(id); existing && existing->fetching) return existing;
    // The final name already there: kept if it is this tree, refused (or later replaced) if not.
    unique_fd reuse_from;  // --update: the old tree, whose matching pieces the new one takes
    if (auto existing = open_in_tree(root_fd_.get(), path, O_RDONLY | O_DIRECTORY)) {
        if (holds_tree(existing->get(), *tree_manifest, hashing_cancelled_)) {
            // Kept as it is, and served from here from now on.
            return remember(kept_tree_entry(id, kept_bytes(), path, std::move(*existing),
                                            std::move(*tree_manifest)));
        }
        if (!overwrite) return std::unexpected(std::make_error_code(std::errc::file_exists));
        if (update) reuse_from = std::move(*existing);
    } else if (!overwrite && open_beneath(root_fd_.get(), path, O_PATH | O_NOFOLLOW)) {
        return std::unexpected(std::make_error_code(std::errc::file_exists));
    }
    if (auto ec = prepare_metadata_dirs()) return std::unexpected(ec);
    const auto state_file = state_path_for(path);
    auto journal_file = state_file;
    journal_file.replace_extension(".journal");
    const auto resumed = resumed_bits(state_file, id);
    const bool resuming = resumed.has_value();
    if (!resuming) std::filesystem::remove(journal_file);
    // A placeholder's encoding is never checkpointed nor served (register_placeholder): not
    // kept, so it is not a copy beside the fetcher's at a cold fetch's peak (issue 11).
    auto entry = std::make_shared<content_entry>(
        id, geometry_of(*tree_manifest), is_placeholder(id) ? std::vector<uint8_t>{} : kept_bytes(),
        path, unique_fd());
    auto writer = tree_writer::open(root_fd_.get(), root_, path, std::move(*tree_manifest),
                                    resuming, overwrite);
    if (!writer) return std::unexpected(writer.error());
    entry->files = *writer;
    entry->fetching = true;
    entry->part_path = tree_writer::staging_name(path);
    entry->state_path = state_file;
    entry->journal_path = journal_file;
    if (resumed) entry->have.set_from_bytes(*resumed);
    count_journaled_pieces(**writer, *entry, journal_file);
    if (reuse_from) {
        if (auto ec = reuse_old_tree(reuse_from.get(), **writer, *entry))
            return std::unexpected(ec);
    }
    if (auto ec = write_state(*entry)) return std::unexpected(ec);
    if (auto ec = entry->journal.open(journal_file)) return std::unexpected(ec);
    if (auto ec = entry->journal.clear()) return std::unexpected(ec);
    return remember(std::move(entry));
}

// Written into the staging tree like fetched pieces, then flushed, so the state written next
// never counts a piece whose bytes are not on disk.
std::error_code piece_store::reuse_old_tree(int old_tree, tree_writer& writer,
                                            content_entry& entry) {
    uint32_t kept = 0;
    auto ec = reuse_matching_pieces(old_tree, writer.manifest(), entry.have, hashing_cancelled_,
                                    [&](uint32_t piece, std::span<const uint8_t> bytes) {
                                        if (auto failed = writer.write_piece(piece, bytes))
                                            return failed;
                                        entry.have.set(piece);
                                        ++kept;
                                        return std::error_code{};
                                    });
    if (ec) return ec;
    XLOG_INFO("store", "",
              "--update: " << kept << " of " << entry.manifest.piece_count() << " pieces of "
                           << entry.path << " kept from the tree already there");
    return kept > 0 ? writer.flush() : std::error_code{};
}

std::error_code piece_store::finalize_tree(content_entry& entry) {
    if (auto ec = entry.files->finish()) return ec;
    forget_resume_state(entry);
    entry.complete = true;
    return {};
}

std::expected<std::shared_ptr<content_entry>, std::error_code> piece_store::open_partial_tree(
    const std::string& path, resume_state state, const std::filesystem::path& state_file) {
    auto manifest = tree::decode_tree_manifest(state.encoded_manifest);
    if (!manifest) return std::unexpected(manifest.error());
    const auto id = content_id_of(state.encoded_manifest);
    if (auto existing = find(id)) return existing;
    auto staging =
        open_in_tree(root_fd_.get(), tree_writer::staging_name(path), O_RDONLY | O_DIRECTORY);
    if (!staging) return std::unexpected(make_error_code(errc::not_found));
    auto entry = std::make_shared<content_entry>(
        id, geometry_of(*manifest), std::move(state.encoded_manifest), path, unique_fd());
    entry->files = std::make_shared<tree_reader>(std::move(*staging), std::move(*manifest),
                                                 /*whole=*/false);
    entry->have.set_from_bytes(state.bitfield);
    // As for a partial file: journaled pieces were verified and written by the fetching process.
    auto journal = state_file;
    journal.replace_extension(".journal");
    for (const uint32_t piece : piece_journal::read(journal, entry->manifest.piece_count()))
        entry->have.set(piece);
    return remember(std::move(entry));
}

}  // namespace xfer
