#include "shared/manifest/manifest_cache.hpp"

#include "shared/core/xfer_home.hpp"
#include "shared/hash/sha256.hpp"
#include "shared/manifest/manifest.hpp"
#include "shared/store/atomic_file.hpp"
#include "shared/wire/byte_io.hpp"

namespace xfer {

std::filesystem::path manifest_cache::entry_path(const struct stat& file) const {
    std::vector<uint8_t> key;
    wire::byte_writer w(key);
    w.u64(file.st_dev);
    w.u64(file.st_ino);
    w.u64(static_cast<uint64_t>(file.st_size));
    w.u64(static_cast<uint64_t>(file.st_mtim.tv_sec));
    w.u64(static_cast<uint64_t>(file.st_mtim.tv_nsec));
    w.u64(static_cast<uint64_t>(file.st_ctim.tv_sec));
    w.u64(static_cast<uint64_t>(file.st_ctim.tv_nsec));
    return directory_ / (to_hex(sha256(key)).substr(0, 40) + ".manifest");
}

std::optional<std::vector<uint8_t>> manifest_cache::lookup(const struct stat& file) const {
    if (directory_.empty()) return std::nullopt;
    auto bytes = read_small_file(entry_path(file), 64 * 1024 * 1024);
    if (!bytes) return std::nullopt;
    const auto decoded = decode_manifest(*bytes);
    if (!decoded || decoded->file_size != static_cast<uint64_t>(file.st_size)) return std::nullopt;
    return bytes;
}

void manifest_cache::store(const struct stat& file,
                           std::span<const uint8_t> encoded_manifest) const {
    if (directory_.empty() || ensure_private_directory(directory_)) return;
    // A cache is an optimisation: failing to write it is not an error worth reporting.
    (void)write_file_atomically(entry_path(file), encoded_manifest, /*durable=*/false);
}

std::optional<std::vector<uint8_t>> manifest_cache::lookup_key(const std::array<uint8_t, 32>& key,
                                                               size_t max_size) const {
    if (directory_.empty()) return std::nullopt;
    return read_small_file(directory_ / (to_hex(key).substr(0, 40) + ".tree"), max_size);
}

void manifest_cache::store_key(const std::array<uint8_t, 32>& key,
                               std::span<const uint8_t> encoded) const {
    if (directory_.empty() || ensure_private_directory(directory_)) return;
    (void)write_file_atomically(directory_ / (to_hex(key).substr(0, 40) + ".tree"), encoded,
                                /*durable=*/false);
}

}  // namespace xfer
