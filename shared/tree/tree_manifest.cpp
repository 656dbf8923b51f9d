#include "shared/tree/tree_manifest.hpp"

#include <algorithm>
#include <cstring>

#include "shared/manifest/manifest.hpp"

namespace xfer::tree {

uint64_t tree_manifest::total_file_bytes() const {
    uint64_t total = 0;
    for (const auto& e : entries) {
        if (e.kind == entry_kind::file) total += e.size;
    }
    return total;
}

uint32_t tree_manifest::piece_count() const {
    if (piece_size == 0) return 0;
    const uint64_t total = total_file_bytes();
    return static_cast<uint32_t>((total + piece_size - 1) / piece_size);
}

bool path_less(std::string_view a, std::string_view b) {
    const size_t common = std::min(a.size(), b.size());
    for (size_t i = 0; i < common; ++i) {
        const auto left = static_cast<unsigned char>(a[i]);
        const auto right = static_cast<unsigned char>(b[i]);
        if (left == right) continue;
        // '/' ends a component: a shorter component sorts first, so "a/x" < "a-b" and every
        // directory's subtree stays contiguous.
        if (left == '/') return true;
        if (right == '/') return false;
        return left < right;
    }
    return a.size() < b.size();
}

void sort_canonical(std::vector<entry>& entries) {
    std::sort(entries.begin(), entries.end(),
              [](const entry& a, const entry& b) { return path_less(a.path, b.path); });
}

bool looks_like_tree_manifest(std::span<const uint8_t> encoded) {
    return encoded.size() >= tree_manifest_magic.size() &&
           std::memcmp(encoded.data(), tree_manifest_magic.data(), tree_manifest_magic.size()) == 0;
}

}  // namespace xfer::tree
