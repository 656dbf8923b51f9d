// `xfer fetch --update`: which pieces of a wanted tree the tree already at its place holds.
// The old tree is read as it is, beneath its own descriptor with no symlink followed; a file
// counts only if it is a regular file of its entry's size (its mode and mtime may differ, they
// are set from the manifest anyway). Each piece is assembled from those files and checked
// against the manifest's SHA-256: a piece that matches is the peer's bytes, fetched or not.
// Pieces span files, so a file of the same content shares the fate of a changed neighbour only
// in the one piece they have in common.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <system_error>

#include "shared/store/piece_bitfield.hpp"
#include "shared/tree/tree_manifest.hpp"

namespace xfer {

// Calls `keep(piece, bytes)` for each piece not yet in `had` whose bytes under `existing_dir`
// match; stops at the first error `keep` returns (or errc::cancelled). Unreadable pieces are
// not kept, never an error: they are fetched.
std::error_code reuse_matching_pieces(
    int existing_dir, const tree::tree_manifest& wanted, const piece_bitfield& had,
    const std::atomic<bool>& cancelled,
    const std::function<std::error_code(uint32_t, std::span<const uint8_t>)>& keep);

}  // namespace xfer
