// Manifests of served files, kept on disk so the second fetch of a large file starts at once.
// Keyed by what changes when the file does: device, inode, size, mtime and ctime (ns). The
// directory is xfer's own (CACHE/manifests, see shared/core/xfer_home.hpp), never inside a served
// directory; one cache serves every store on the machine, and (device, inode) cannot name two
// files at once, so two served directories never collide in it.
#pragma once

#include <sys/stat.h>

#include <array>
#include <filesystem>
#include <optional>
#include <span>
#include <vector>

namespace xfer {

class manifest_cache {
  public:
    // `directory` is created (mode 700) on first store; an empty path, or one that cannot be
    // created, simply caches nothing.
    explicit manifest_cache(std::filesystem::path directory) : directory_(std::move(directory)) {}

    std::optional<std::vector<uint8_t>> lookup(const struct stat& file) const;
    void store(const struct stat& file, std::span<const uint8_t> encoded_manifest) const;

    // A tree's manifest, keyed by a digest of what its scan saw (see piece_store_tree.cpp).
    std::optional<std::vector<uint8_t>> lookup_key(const std::array<uint8_t, 32>& key,
                                                   size_t max_size) const;
    void store_key(const std::array<uint8_t, 32>& key, std::span<const uint8_t> encoded) const;

  private:
    std::filesystem::path entry_path(const struct stat& file) const;
    std::filesystem::path directory_;
};

}  // namespace xfer
