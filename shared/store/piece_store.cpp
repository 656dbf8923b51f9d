// Opening the store and serving from it. Fetch-side writes: piece_store_fetch.cpp; listings:
// store_listing.cpp.
#include "shared/store/piece_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "shared/core/error.hpp"
#include "shared/core/log.hpp"
#include "shared/hash/sha256.hpp"
#include "shared/manifest/file_hasher.hpp"
#include "shared/store/atomic_file.hpp"
#include "shared/store/path_guard.hpp"
#include "shared/tree/tree.hpp"

namespace xfer {

file_identity file_identity::of(const struct stat& info) {
    return {info.st_dev, info.st_ino, info.st_size,
            int64_t{info.st_mtim.tv_sec} * 1'000'000'000 + info.st_mtim.tv_nsec};
}

piece_store::piece_store(std::filesystem::path root, unique_fd root_fd,
                         std::filesystem::path manifest_cache_dir)
    : root_(std::move(root)), root_fd_(std::move(root_fd)), cache_(std::move(manifest_cache_dir)) {}

std::expected<std::shared_ptr<piece_store>, std::error_code> piece_store::open(
    const std::filesystem::path& root, bool create,
    const std::filesystem::path& manifest_cache_dir) {
    std::error_code ec;
    if (create) std::filesystem::create_directories(root, ec);
    if (ec) return std::unexpected(ec);
    unique_fd fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return std::unexpected(last_system_error());
    auto absolute = std::filesystem::absolute(root, ec);
    return std::shared_ptr<piece_store>(new piece_store(ec ? root : absolute.lexically_normal(),
                                                        std::move(fd), manifest_cache_dir));
}

std::filesystem::path piece_store::metadata_path(std::string_view part) const {
    return root_ / std::string(metadata_dir_name) / std::string(part);
}

std::filesystem::path piece_store::state_path_for(std::string_view relative_path) const {
    const auto key =
        sha256({reinterpret_cast<const uint8_t*>(relative_path.data()), relative_path.size()});
    return metadata_path("partial") / (to_hex(key).substr(0, 40) + ".state");
}

std::shared_ptr<content_entry> piece_store::remember(std::shared_ptr<content_entry> entry) {
    std::lock_guard lock(mutex_);
    std::erase_if(by_id_, [](const auto& item) { return item.second.expired(); });
    std::erase_if(by_path_, [](const auto& item) { return item.second.expired(); });
    // Two threads may open one content at once: the first one stored wins (a fetching entry
    // beats a read-only one), so every user of a content shares one bitfield.
    auto& slot = by_id_[entry->id];
    if (auto existing = slot.lock(); existing && (existing->fetching || !entry->fetching)) {
        entry = existing;
    } else {
        slot = entry;
    }
    by_path_[entry->path] = entry;
    if (entry->complete && !entry->fetching) {
        indexed_paths_[entry->id] = entry->path;
        indexed_complete_[entry->id] = {entry->id, entry->path, entry->manifest.file_size,
                                        entry->manifest.piece_count(),
                                        entry->manifest.piece_count()};
    }
    return entry;
}

std::shared_ptr<content_entry> piece_store::find(const content_id& id) const {
    std::lock_guard lock(mutex_);
    const auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : it->second.lock();
}

std::error_code piece_store::index_file(std::string_view relative_path) {
    auto entry = open_for_serving(relative_path, std::nullopt);
    if (!entry) return entry.error();
    if (!(*entry)->complete) {
        std::lock_guard lock(mutex_);
        indexed_partials_[(*entry)->id] = *entry;
    }
    return {};
}

std::expected<std::shared_ptr<content_entry>, std::error_code> piece_store::open_for_serving(
    std::string_view relative_path, const std::optional<content_id>& wanted, bool may_stream) {
    may_stream = may_stream && !wanted;
    if (relative_path.empty()) {
        if (!wanted) return std::unexpected(make_error_code(errc::not_found));
        if (auto entry = find(*wanted)) return entry;
        std::string indexed;
        {
            std::lock_guard lock(mutex_);
            const auto it = indexed_paths_.find(*wanted);
            if (it == indexed_paths_.end())
                return std::unexpected(make_error_code(errc::not_found));
            indexed = it->second;
        }
        return open_for_serving(indexed, wanted);
    }
    auto path = normalize_relative_path(relative_path, /*allow_root=*/false);
    if (!path) return std::unexpected(path.error());
    {
        std::lock_guard lock(mutex_);
        const auto it = by_path_.find(*path);
        auto existing = it == by_path_.end() ? nullptr : it->second.lock();
        if (existing && placeholders_.contains(existing->id)) existing = nullptr;  // never served
        // One hashing for every receiver of a content being streamed, unless it failed.
        const bool usable =
            !existing || !existing->streaming ||
            (may_stream && !(existing->streaming->finished() && existing->streaming->error()));
        if (existing && usable && (existing->fetching || !existing->complete)) {
            if (!wanted || *wanted == existing->id) return existing;
        }
    }
    auto entry = open_complete(*path, /*directories=*/true, may_stream);
    if (!entry && entry.error() == make_error_code(errc::not_found)) entry = open_partial(*path);
    if (!entry) {
        // A content asked for by id may live elsewhere under another name.
        if (wanted && entry.error() == make_error_code(errc::not_found)) {
            if (auto other = find(*wanted)) return other;
        }
        return entry;
    }
    if (wanted && (*entry)->id != *wanted) {
        if (auto other = find(*wanted)) return other;
        if (auto other = open_for_serving("", wanted)) return other;
        return std::unexpected(make_error_code(errc::content_mismatch));
    }
    return entry;
}

std::expected<std::shared_ptr<content_entry>, std::error_code> piece_store::open_complete(
    const std::string& path, bool directories, bool may_stream) {
    auto fd = open_beneath(root_fd_.get(), path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
    if (!fd) return std::unexpected(fd.error());
    struct stat info {};
    if (::fstat(fd->get(), &info) != 0) return std::unexpected(last_system_error());
    if (S_ISDIR(info.st_mode) && directories)
        return open_tree_complete(path, std::move(*fd), may_stream);
    if (!S_ISREG(info.st_mode)) return std::unexpected(make_error_code(errc::not_found));
    const auto identity = file_identity::of(info);
    {
        std::lock_guard lock(mutex_);
        const auto it = by_path_.find(path);
        auto existing = it == by_path_.end() ? nullptr : it->second.lock();
        if (existing && existing->complete && existing->served_identity == identity)
            return existing;
    }
    auto encoded = cache_.lookup(info);
    if (!encoded && may_stream && info.st_size > 0) {
        return streaming_file(path, std::move(*fd), info);
    }
    if (!encoded) {
        XLOG_INFO("store", "", "hashing " << path << " (" << info.st_size << " bytes)");
        auto hashed =
            hash_file(fd->get(), static_cast<uint64_t>(info.st_size),
                      std::max(1u, std::thread::hardware_concurrency()), &hashing_cancelled_);
        if (!hashed) return std::unexpected(hashed.error());
        encoded = encode_manifest(*hashed);
        // Hashing took time: if the file changed meanwhile the manifest may mix versions.
        struct stat after {};
        if (::fstat(fd->get(), &after) != 0 || !(file_identity::of(after) == identity)) {
            return std::unexpected(make_error_code(errc::content_changed));
        }
        cache_.store(info, *encoded);
    }
    auto m = decode_manifest(*encoded);
    if (!m) return std::unexpected(m.error());
    const auto id = content_id_of(*encoded);
    auto entry = std::make_shared<content_entry>(id, std::move(*m), std::move(*encoded), path,
                                                 std::move(*fd));
    for (uint32_t piece = 0; piece < entry->manifest.piece_count(); ++piece) entry->have.set(piece);
    entry->complete = true;
    entry->served_identity = identity;
    entry->check_identity = true;
    return remember(std::move(entry));
}

std::expected<std::shared_ptr<content_entry>, std::error_code> piece_store::open_partial(
    const std::string& path) {
    const auto state_file = state_path_for(path);
    auto bytes = read_resume_state_file(state_file);
    if (!bytes) return std::unexpected(make_error_code(errc::not_found));
    auto state = decode_resume_state(*bytes);
    if (!state || state->path != path) return std::unexpected(make_error_code(errc::not_found));
    if (tree::looks_like_tree_manifest(state->encoded_manifest))
        return open_partial_tree(path, std::move(*state), state_file);
    auto fd = open_beneath(root_fd_.get(), path + std::string(part_suffix), O_RDONLY | O_NOCTTY);
    if (!fd) return std::unexpected(fd.error());
    auto m = decode_manifest(state->encoded_manifest);
    if (!m) return std::unexpected(m.error());
    const auto id = content_id_of(state->encoded_manifest);
    if (auto existing = find(id)) return existing;
    auto entry = std::make_shared<content_entry>(
        id, std::move(*m), std::move(state->encoded_manifest), path, std::move(*fd));
    entry->have.set_from_bytes(state->bitfield);
    // Journal entries were appended after their pieces were written and verified by the
    // fetching process; in this read-only view they are as good as its in-memory bitfield.
    auto journal = state_file;
    journal.replace_extension(".journal");
    for (const uint32_t piece : piece_journal::read(journal, entry->manifest.piece_count()))
        entry->have.set(piece);
    return remember(std::move(entry));
}

std::error_code piece_store::check_unchanged(const content_entry& entry) const {
    if (!entry.check_identity) return {};
    struct stat info {};
    if (::fstat(entry.data_fd.get(), &info) != 0) return last_system_error();
    if (!(file_identity::of(info) == entry.served_identity)) return errc::content_changed;
    return {};
}

void piece_store::note_piece_verified(const content_id& id, uint32_t piece_index) {
    if (auto entry = find(id)) entry->have.set(piece_index);
}

void piece_store::note_file_completed(const content_id& id) {
    if (auto entry = find(id)) {
        for (uint32_t piece = 0; piece < entry->manifest.piece_count(); ++piece)
            entry->have.set(piece);
        entry->complete = true;
    }
}

}  // namespace xfer
