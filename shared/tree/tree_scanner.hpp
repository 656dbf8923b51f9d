// Walks a directory into a tree manifest (entries only; hashing is tree_hasher's job).
#pragma once

#include <cstddef>
#include <expected>
#include <functional>
#include <string>
#include <system_error>
#include <vector>

#include "shared/tree/tree_manifest.hpp"

namespace xfer::tree {

struct scan_limits {
    size_t max_entries = 1'000'000;  // more is errc::tree_too_large (never a silent cut)
    size_t max_depth = 256;          // a directory deeper than this is skipped with a note
    // Called with the root's and each directory's descriptor before its names are read (a
    // tree_watch starts watching it there, so no change after the scan saw it goes unseen).
    std::function<void(int dir_fd)> on_directory;
};

struct scan_result {
    tree_manifest manifest;  // canonical order, passes validate(); piece_hashes empty
    // One line per thing left out, "path: reason", in walk order, e.g. "a/fifo: FIFO skipped".
    std::vector<std::string> skipped;
};

// Walks the tree under `root_dirfd` with openat/fstatat(AT_SYMLINK_NOFOLLOW), never following a
// symlink: symlinks are entries (kept when their target stays inside the tree by validate()'s
// rule, skipped with a note otherwise). Skipped with a note too: FIFOs, sockets, devices, names
// the format cannot carry (control bytes, xfer's reserved names, over-long paths), directories
// that cannot be opened or lie deeper than max_depth. Empty directories are entries; a sparse
// file is a file of its apparent size. The root itself is not an entry. One directory fd per
// level is open at a time; each directory's names are sorted by bytes, so the result is
// deterministic and already in canonical order.
std::expected<scan_result, std::error_code> scan_tree(int root_dirfd, const scan_limits& limits);

}  // namespace xfer::tree
