// Hashes a tree's pieces from disk, streaming across file boundaries.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <system_error>

#include "shared/tree/tree_manifest.hpp"

namespace xfer::tree {

// Reads the files of `manifest` under `root_dirfd` in entry order through one reusable buffer
// and calls on_piece(piece_index, digest) for every piece in order as soon as it is complete
// (so a sender can announce pieces while later ones are still being hashed). Each file is opened
// beneath the root without following any symlink (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS).
// errc::content_changed when a file is missing, is no longer a regular file, or its size or
// mtime differs from the manifest before or after it is read; errc::cancelled as soon as
// `cancelled` is seen true; a system error for anything else. `manifest` passed validate() and
// its piece_hashes are not read (hash a scan_result's manifest, then fill them).
std::error_code hash_tree_pieces(
    int root_dirfd, const tree_manifest& manifest, const std::atomic<bool>& cancelled,
    const std::function<void(uint32_t, const sha256_digest&)>& on_piece);

}  // namespace xfer::tree
