// The piece geometry of any content, whichever manifest names it: a file's manifest as it is, a
// tree's as the bytes of its files end to end (BitTorrent v1). Everything that only counts,
// sizes and hashes pieces (the picker, the verifier, bitfields, resume state) works on this.
#pragma once

#include <expected>
#include <span>
#include <system_error>

#include "shared/manifest/manifest.hpp"
#include "shared/tree/tree_manifest.hpp"

namespace xfer {

manifest geometry_of(const tree::tree_manifest& tree_manifest);
// A file manifest (decode_manifest) or a tree manifest (decode_tree_manifest, all its checks).
std::expected<manifest, std::error_code> decode_content_geometry(std::span<const uint8_t> encoded);

}  // namespace xfer
