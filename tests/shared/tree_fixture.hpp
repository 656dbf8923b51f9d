// Small builders for tree manifests in tests: entries by path, hashes filled with markers.
#pragma once

#include <string>
#include <vector>

#include "shared/tree/tree_manifest.hpp"

namespace xfer::tree::test {

inline entry dir(std::string path, uint32_t mode = 0755) {
    return {std::move(path), entry_kind::directory, mode, 1'700'000'000'000'000'000, 0, {}};
}
inline entry file(std::string path, uint64_t size, uint32_t mode = 0644) {
    return {std::move(path), entry_kind::file, mode, 1'700'000'000'123'456'789, size, {}};
}
inline entry link(std::string path, std::string target) {
    return {std::move(path),  entry_kind::symlink, 0, 1'600'000'000'000'000'000, 0,
            std::move(target)};
}

// A manifest of these entries (as given: tests of bad order need them unsorted) with the right
// number of marker hashes.
inline tree_manifest make_tree(std::vector<entry> entries, uint32_t piece_size = 256 * 1024) {
    tree_manifest m;
    m.piece_size = piece_size;
    m.entries = std::move(entries);
    m.piece_hashes.resize(m.piece_count());
    for (size_t piece = 0; piece < m.piece_hashes.size(); ++piece) {
        m.piece_hashes[piece][0] = static_cast<uint8_t>(piece);
        m.piece_hashes[piece][31] = static_cast<uint8_t>(piece >> 8);
    }
    return m;
}

}  // namespace xfer::tree::test
