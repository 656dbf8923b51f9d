#include "shared/store/content_geometry.hpp"

namespace xfer {

manifest geometry_of(const tree::tree_manifest& tree_manifest) {
    return manifest{tree_manifest.total_file_bytes(), tree_manifest.piece_size,
                    tree_manifest.piece_hashes};
}

std::expected<manifest, std::error_code> decode_content_geometry(std::span<const uint8_t> encoded) {
    if (!tree::looks_like_tree_manifest(encoded)) return decode_manifest(encoded);
    auto decoded = tree::decode_tree_manifest(encoded);
    if (!decoded) return std::unexpected(decoded.error());
    return geometry_of(*decoded);
}

}  // namespace xfer
