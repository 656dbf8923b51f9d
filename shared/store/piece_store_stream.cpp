// Serving a content before it is hashed (docs/PROTOCOL.md, "Streamed manifest"): a file or tree
// whose manifest is not cached gets an entry at once, with a streamed_manifest whose work reads
// it piece by piece in order, checks it did not change meanwhile, and caches the manifest, so
// the next open of the same version is warm.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/core/error.hpp"
#include "shared/core/log.hpp"
#include "shared/manifest/file_hasher.hpp"
#include "shared/store/content_geometry.hpp"
#include "shared/store/piece_store.hpp"
#include "shared/store/tree_reader.hpp"
#include "shared/tree/tree_hasher.hpp"
#include "shared/wire/frame.hpp"

namespace xfer {
namespace {

// The hashing thread reads through its own descriptor: the entry (and its descriptor) may be
// gone long before the last piece is hashed.
std::shared_ptr<unique_fd> duplicate(int fd) {
    return std::make_shared<unique_fd>(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
}

}  // namespace

std::shared_ptr<content_entry> piece_store::remember_streaming(
    std::shared_ptr<content_entry> entry) {
    std::lock_guard lock(mutex_);
    std::erase_if(by_path_, [](const auto& item) { return item.second.expired(); });
    // Two receivers opening one new content at once: the second shares the first's hashing.
    auto& slot = by_path_[entry->path];
    if (auto existing = slot.lock();
        existing && existing->streaming &&
        !(existing->streaming->finished() && existing->streaming->error())) {
        return existing;
    }
    slot = entry;
    return entry;
}

std::shared_ptr<content_entry> piece_store::streaming_file(const std::string& path, unique_fd fd,
                                                           const struct stat& info) {
    manifest geometry;
    geometry.file_size = static_cast<uint64_t>(info.st_size);
    geometry.piece_size = choose_piece_size(geometry.file_size);
    geometry.piece_hashes.resize(piece_count_for(geometry.file_size, geometry.piece_size));
    auto encoded = encode_manifest(geometry);
    auto stream = std::make_shared<streamed_manifest>(encoded, geometry.piece_count());
    const auto reader = duplicate(fd.get());
    const auto identity = file_identity::of(info);
    stream->work = [cache = cache_, reader, geometry, info, identity](
                       const auto& on_hash, const std::atomic<bool>& stop) {
        if (!*reader) return std::error_code(errno, std::system_category());
        if (geometry.file_size > uint64_t{wire::max_pieces} * geometry.piece_size)
            return std::make_error_code(std::errc::file_too_large);
        ::posix_fadvise(reader->get(), 0, 0, POSIX_FADV_SEQUENTIAL);
        manifest hashed = geometry;
        for (uint32_t piece = 0; piece < geometry.piece_count(); ++piece) {
            if (stop.load(std::memory_order_relaxed)) return make_error_code(errc::cancelled);
            auto digest = hash_piece_on_disk(reader->get(), geometry, piece);
            if (!digest) return digest.error();
            hashed.piece_hashes[piece] = *digest;
            on_hash(*digest);
        }
        // The hashes name one version only if the file did not change while they were made.
        struct stat after {};
        if (::fstat(reader->get(), &after) != 0 || !(file_identity::of(after) == identity))
            return make_error_code(errc::content_changed);
        cache.store(info, encode_manifest(hashed));
        return std::error_code{};
    };
    // A placeholder id: never registered by id, never announced; the cached manifest names it.
    const auto id = content_id_of(encoded);
    auto entry = std::make_shared<content_entry>(id, std::move(geometry), std::move(encoded), path,
                                                 std::move(fd));
    entry->served_identity = identity;
    entry->check_identity = true;
    entry->streaming = std::move(stream);
    XLOG_INFO("store", "",
              "serving " << path << " while hashing it (" << info.st_size << " bytes)");
    return remember_streaming(std::move(entry));
}

std::expected<std::shared_ptr<content_entry>, std::error_code> piece_store::streaming_tree(
    const std::string& path, unique_fd directory, tree::tree_manifest scanned,
    const sha256_digest& cache_key) {
    scanned.piece_hashes.assign(scanned.piece_count(), sha256_digest{});
    auto encoded = tree::encode_tree_manifest(scanned);
    // It must fit one MANIFEST frame, as a hashed one would.
    if (encoded.size() > wire::max_manifest_bytes)
        return std::unexpected(make_error_code(errc::tree_too_large));
    // The stream holds the encoding; the entry's stays empty (content_entry::streaming).
    const auto id = content_id_of(encoded);
    auto stream = std::make_shared<streamed_manifest>(std::move(encoded), scanned.piece_count());
    const auto reader = duplicate(directory.get());
    // One table of entries for the tree reader and the hasher (it was copied into the hasher:
    // ~12 bytes an entry more, issue 11). The hashes are in the stream's encoding as they come,
    // so once the last one is in that encoding is what the cache keeps; the stream outlives its
    // work (only its run() calls it).
    auto shared = std::make_shared<const tree::tree_manifest>(std::move(scanned));
    stream->work = [cache = cache_, reader, shared, cache_key, self = stream.get()](
                       const auto& on_hash, const std::atomic<bool>& stop) {
        if (!*reader) return std::error_code(errno, std::system_category());
        // The hasher checks every file against its entry before and after reading it.
        auto ec =
            tree::hash_tree_pieces(reader->get(), *shared, stop,
                                   [&](uint32_t, const sha256_digest& digest) { on_hash(digest); });
        if (ec) return ec;
        self->view_encoding(
            [&](std::span<const uint8_t> encoded) { cache.store_key(cache_key, encoded); });
        return std::error_code{};
    };
    auto entry = std::make_shared<content_entry>(id, geometry_of(*shared), std::vector<uint8_t>{},
                                                 path, unique_fd());
    XLOG_INFO(
        "store", "",
        "serving tree " << path << " while hashing it (" << shared->entries.size() << " entries)");
    entry->files = std::make_shared<tree_reader>(std::move(directory), std::move(shared));
    entry->streaming = std::move(stream);
    return remember_streaming(std::move(entry));
}

}  // namespace xfer
