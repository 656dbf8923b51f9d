// The tree model in one include: manifest and codec (tree_manifest.hpp), piece layout
// (piece_layout.hpp), scanner (tree_scanner.hpp), piece hasher (tree_hasher.hpp).
//
// Against the interface agreed for issue 11, as built:
//   - Canonical order is component-wise byte order ('/' below every other byte): see
//     tree_manifest.hpp. Use path_less / sort_canonical rather than std::sort on strings.
//   - entry::mode keeps bits 01777 (permissions and sticky); a symlink's mode is 0.
//   - Added: path_less, sort_canonical, sanitize_mode, the format bounds (max_tree_entries ...),
//     validate()'s optional failing_entry, piece_layout::total_bytes(), scan_limits::max_depth.
//   - New error codes errc::tree_* (shared/core/error.hpp), all protocol violations.
//   - tree_manifest::piece_count() is computed from the entries (so it is right before hashing);
//     decode requires piece_hashes.size() == piece_count().
//   - The encoding puts the hashes last, after a header that already holds their count: the bytes
//     before them do not depend on the hashes (a sender may send them while still hashing).
#pragma once

#include "shared/tree/piece_layout.hpp"
#include "shared/tree/tree_hasher.hpp"
#include "shared/tree/tree_manifest.hpp"
#include "shared/tree/tree_scanner.hpp"
