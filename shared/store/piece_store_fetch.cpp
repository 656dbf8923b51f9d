// The fetch side of the store: part files, verified-piece writes, checkpoints and completion.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <thread>

#include "shared/core/error.hpp"
#include "shared/core/log.hpp"
#include "shared/manifest/file_hasher.hpp"
#include "shared/store/atomic_file.hpp"
#include "shared/store/path_guard.hpp"
#include "shared/store/piece_store.hpp"
#include "shared/tree/tree_manifest.hpp"

namespace xfer {
namespace {

// Reserves the whole file now, so a full disk is reported before any transfer, not as a failed
// write halfway. Filesystems without fallocate just get the size set.
std::error_code reserve_space(int fd, uint64_t size) {
    if (size == 0) return {};
    // posix_fallocate returns its error rather than setting errno.
    const int err = ::posix_fallocate(fd, 0, static_cast<off_t>(size));
    if (err == 0) return {};
    if (err == ENOSPC || err == EFBIG || err == EDQUOT) return {err, std::system_category()};
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) return last_system_error();
    return {};
}

}  // namespace

std::error_code piece_store::prepare_metadata_dirs() const {
    std::error_code ec;
    std::filesystem::create_directories(metadata_path("partial"), ec);
    return ec;
}

void piece_store::remove_empty_metadata_dirs() const {
    // std::filesystem::remove fails harmlessly on a directory that is not empty: another partial.
    std::error_code ignored;
    // A fetch killed while checkpointing leaves its temporary state file: not a partial.
    remove_stale_temporaries(metadata_path("partial"));
    std::filesystem::remove(metadata_path("partial"), ignored);
    std::filesystem::remove(metadata_path(""), ignored);
}

std::error_code piece_store::write_state(content_entry& entry) const {
    return write_state(entry, entry.have.to_bytes());
}

std::error_code piece_store::write_state(content_entry& entry,
                                         std::span<const uint8_t> bitfield) const {
    if (is_placeholder(entry.id)) {
        // Nothing to resume from (see register_placeholder); nor from an older state.
        std::error_code ignored;
        std::filesystem::remove(entry.state_path, ignored);
        return {};
    }
    return write_resume_state(entry.state_path, entry.path, entry.encoded_manifest, bitfield);
}

// The final name already there: a complete entry when it holds this content (nothing to fetch),
// null when the fetch may go ahead, an error when something else stands in the way.
std::expected<std::shared_ptr<content_entry>, std::error_code> piece_store::check_destination(
    const std::string& path, const content_id& id, bool overwrite) {
    if (auto complete = open_complete(path)) {
        if ((*complete)->id == id) return *complete;
        if (!overwrite) return std::unexpected(std::make_error_code(std::errc::file_exists));
    } else if (complete.error() != make_error_code(errc::not_found)) {
        return std::unexpected(complete.error());
    } else if (auto in_the_way = open_beneath(root_fd_.get(), path, O_PATH | O_NOFOLLOW)) {
        // Not a regular file, yet there: a directory would make the final rename fail, but only
        // after the whole file was fetched. Say so now.
        struct stat info {};
        if (::fstat(in_the_way->get(), &info) == 0 && S_ISDIR(info.st_mode)) {
            return std::unexpected(std::make_error_code(std::errc::is_a_directory));
        }
    }
    return nullptr;
}

namespace {

// The bitfield a checkpoint of this very content left, if any. A checkpoint of another version
// takes its part file and journal with it: their bytes mean nothing for this one.
std::optional<std::vector<uint8_t>> resumed_bitfield(int root_fd,
                                                     const std::filesystem::path& state_file,
                                                     const std::filesystem::path& journal_file,
                                                     const std::string& part,
                                                     const content_id& id) {
    auto bytes = read_resume_state_file(state_file);
    if (!bytes) return std::nullopt;
    const auto state = view_resume_state(*bytes);
    if (state && content_id_of(state->encoded_manifest) == id)
        return std::vector<uint8_t>(state->bitfield.begin(), state->bitfield.end());
    XLOG_WARN("store", "", "discarding partial " << part << " of another version");
    ::unlinkat(root_fd, part.c_str(), 0);
    std::error_code ignored;
    std::filesystem::remove(journal_file, ignored);
    return std::nullopt;
}

}  // namespace

// Pieces journaled after the last checkpoint were written but maybe not flushed before a power
// cut: they count only if their bytes on disk still hash right.
void piece_store::recheck_journaled_pieces(content_entry& entry) {
    uint32_t rechecked = 0;
    for (const uint32_t piece :
         piece_journal::read(entry.journal_path, entry.manifest.piece_count())) {
        if (entry.have.test(piece)) continue;
        const auto digest = hash_piece_on_disk(entry.data_fd.get(), entry.manifest, piece);
        if (digest && *digest == entry.manifest.piece_hashes[piece]) entry.have.set(piece);
        ++rechecked;
    }
    if (rechecked > 0)
        XLOG_INFO("store", "",
                  "re-checked " << rechecked << " journaled pieces of " << entry.part_path);
}

// A completed fetch leaves nothing in the directory but what it fetched (once nothing else is
// partial).
void piece_store::forget_resume_state(content_entry& entry) const {
    std::error_code ignored;
    std::filesystem::remove(entry.state_path, ignored);
    std::filesystem::remove(entry.journal_path, ignored);
    remove_empty_metadata_dirs();
}

std::expected<std::shared_ptr<content_entry>, std::error_code> piece_store::open_for_fetching(
    std::string_view name, std::vector<uint8_t>&& encoded_manifest, bool overwrite, bool update) {
    if (!tree::looks_like_tree_manifest(encoded_manifest))
        return open_for_fetching(name, std::span<const uint8_t>(encoded_manifest), overwrite,
                                 update);  // a file's: 32 bytes a piece, copied
    auto path = normalize_relative_path(name, /*allow_root=*/false);
    if (!path) return std::unexpected(path.error());
    const std::span<const uint8_t> bytes(encoded_manifest);
    return open_tree_for_fetching(*path, bytes, std::move(encoded_manifest), overwrite, update);
}

std::expected<std::shared_ptr<content_entry>, std::error_code> piece_store::open_for_fetching(
    std::string_view name, std::span<const uint8_t> encoded_manifest, bool overwrite, bool update) {
    auto path = normalize_relative_path(name, /*allow_root=*/false);
    if (!path) return std::unexpected(path.error());
    if (tree::looks_like_tree_manifest(encoded_manifest))
        return open_tree_for_fetching(*path, encoded_manifest, {}, overwrite, update);
    auto m = decode_manifest(encoded_manifest);
    if (!m) return std::unexpected(m.error());
    const auto id = content_id_of(encoded_manifest);
    if (auto existing = find(id); existing && existing->fetching) return existing;
    auto done = check_destination(*path, id, overwrite);
    if (!done || *done) return done;
    if (auto ec = prepare_metadata_dirs()) return std::unexpected(ec);

    const auto state_file = state_path_for(*path);
    auto journal_file = state_file;
    journal_file.replace_extension(".journal");
    const std::string part = *path + std::string(part_suffix);

    auto resumed = resumed_bitfield(root_fd_.get(), state_file, journal_file, part, id);
    bool resuming = resumed.has_value();
    std::vector<uint8_t> resumed_bits = resumed ? std::move(*resumed) : std::vector<uint8_t>{};
    auto fd = open_beneath(root_fd_.get(), part, O_RDWR | O_CREAT | O_NOCTTY, 0644);
    if (!fd) return std::unexpected(fd.error());
    struct stat info {};
    if (::fstat(fd->get(), &info) != 0) return std::unexpected(last_system_error());
    if (!S_ISREG(info.st_mode)) return std::unexpected(make_error_code(errc::not_found));
    if (resuming && static_cast<uint64_t>(info.st_size) != m->file_size) {
        resuming = false;  // the part file was truncated or replaced: its bytes mean nothing
        resumed_bits.clear();
    }
    if (!resuming) {
        if (::ftruncate(fd->get(), 0) != 0) return std::unexpected(last_system_error());
        if (auto ec = reserve_space(fd->get(), m->file_size)) {
            ::unlinkat(root_fd_.get(), part.c_str(), 0);
            remove_empty_metadata_dirs();
            return std::unexpected(ec);
        }
    }

    auto entry = std::make_shared<content_entry>(
        id, std::move(*m), std::vector<uint8_t>(encoded_manifest.begin(), encoded_manifest.end()),
        *path, std::move(*fd));
    entry->fetching = true;
    // A sender here may already serve this partial read-only: both entries share one bitfield,
    // so what this fetch verifies is what that sender offers.
    if (auto reader = find(id); reader && resuming) entry->have.adopt(reader->have);
    entry->part_path = part;
    entry->writer = direct_write::for_file(entry->data_fd.get());
    XLOG_INFO("store", "", part << ": " << entry->writer.description());
    entry->state_path = state_file;
    entry->journal_path = journal_file;
    entry->have.set_from_bytes(resumed_bits);
    recheck_journaled_pieces(*entry);
    if (auto ec = write_state(*entry)) return std::unexpected(ec);
    if (auto ec = entry->journal.open(journal_file)) return std::unexpected(ec);
    if (auto ec = entry->journal.clear()) return std::unexpected(ec);
    return remember(std::move(entry));
}

std::error_code piece_store::write_piece_data(content_entry& entry, uint32_t piece_index,
                                              std::span<const uint8_t> data) {
    if (!entry.fetching || piece_index >= entry.manifest.piece_count() ||
        data.size() != entry.manifest.piece_length(piece_index)) {
        return errc::malformed_message;
    }
    if (entry.have.test(piece_index)) return {};
    if (entry.is_tree()) return entry.files->write_piece(piece_index, data);
    const uint64_t offset = entry.manifest.piece_offset(piece_index);
    return entry.writer.write(entry.data_fd.get(), data, offset);
}

std::error_code piece_store::record_written(content_entry& entry, uint32_t piece_index) {
    if (!entry.fetching || piece_index >= entry.manifest.piece_count())
        return errc::malformed_message;
    if (entry.have.test(piece_index)) return {};
    if (auto ec = entry.journal.append(piece_index)) return ec;
    entry.have.set(piece_index);
    return {};
}

std::error_code piece_store::write_piece(content_entry& entry, uint32_t piece_index,
                                         std::span<const uint8_t> data) {
    if (auto ec = write_piece_data(entry, piece_index, data)) return ec;
    return record_written(entry, piece_index);
}

std::error_code piece_store::checkpoint(content_entry& entry) {
    const auto had = entry.have.to_bytes();
    if (auto ec = checkpoint_bits(entry, had)) return ec;
    return trim_journal(entry, had);
}

std::error_code piece_store::checkpoint_bits(content_entry& entry, std::span<const uint8_t> had) {
    std::lock_guard lock(entry.state_mutex);
    if (!entry.fetching || entry.complete) return {};
    if (entry.is_tree()) {
        if (auto ec = entry.files->flush()) return ec;
    } else if (::fdatasync(entry.data_fd.get()) != 0) {
        return last_system_error();
    }
    return write_state(entry, had);
}

std::error_code piece_store::trim_journal(content_entry& entry, std::span<const uint8_t> had) {
    if (!entry.fetching || entry.complete) return {};
    const auto now = entry.have.to_bytes();
    std::vector<uint32_t> since;
    for (size_t byte = 0; byte < now.size() && byte < had.size(); ++byte) {
        for (uint8_t fresh = now[byte] & ~had[byte]; fresh != 0; fresh &= fresh - 1) {
            // Piece 0 is byte 0's most significant bit (piece_bitfield::to_bytes).
            since.push_back(static_cast<uint32_t>(byte * 8 + 7 - std::countr_zero(fresh)));
        }
    }
    if (since.empty()) return entry.journal.clear();
    return entry.journal.replace(entry.journal_path, since);
}

std::error_code piece_store::finalize(content_entry& entry) {
    std::lock_guard lock(entry.state_mutex);
    if (entry.complete) return {};
    if (!entry.have.all()) return errc::no_source;
    if (entry.is_tree()) return finalize_tree(entry);
    if (::fsync(entry.data_fd.get()) != 0) return last_system_error();
    if (::renameat(root_fd_.get(), entry.part_path.c_str(), root_fd_.get(), entry.path.c_str()) !=
        0) {
        return last_system_error();
    }
    const auto final_path = root_ / entry.path;
    if (auto ec = sync_directory(final_path.parent_path())) return ec;
    // Serving the file later must not hash it again: its manifest is known.
    struct stat info {};
    if (::fstat(entry.data_fd.get(), &info) == 0) cache_.store(info, entry.encoded_manifest);
    forget_resume_state(entry);
    entry.complete = true;
    return {};
}

}  // namespace xfer
