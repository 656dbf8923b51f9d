// A tree's owners (uid and gid of its root directory and of each entry), for `xfer fetch
// --owners`. They are not part of the tree manifest, so not of its content id: the same tree
// owned by other users (another machine's uids, a copy fetched without --owners) is the same
// content, and swarms as one. A sender sends them beside the manifest only when asked
// (docs/PROTOCOL.md, "Owners record").
//
// Owners run-length encoded: a tree usually belongs to one or a few users, so a record is a few
// runs long whatever the number of entries, and at most one run per entry.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <system_error>
#include <vector>

#include "shared/tree/tree_manifest.hpp"

namespace xfer::tree {

inline constexpr std::string_view owners_record_magic = "XFOW";

struct owner_run {
    uint32_t count = 0;  // consecutive items (the root, then the entries in order) with this owner
    uint32_t uid = 0;
    uint32_t gid = 0;
    friend bool operator==(const owner_run&, const owner_run&) = default;
};
using owner_runs = std::vector<owner_run>;

// "XFOW" | length u32 (of what follows) | run_count u32 | run_count x (count u32, uid u32, gid u32)
std::vector<uint8_t> encode_owners(const owner_runs& runs);
// Accepts only a record whose runs cover exactly `entry_count` + 1 items (the root, then each
// entry), each run at least one item, adjacent runs of different owners, and no trailing bytes;
// run_count is bounded by the bytes present before anything is allocated.
std::expected<owner_runs, std::error_code> decode_owners(std::span<const uint8_t> record,
                                                         size_t entry_count);
// The length of the record that `bytes` starts with (magic, length and what it says follows), or
// 0 when `bytes` does not start with a whole one.
size_t owners_record_size(std::span<const uint8_t> bytes);

// Reads the owners of the tree whose root is `root_fd`: the root's, then each entry's (lstat:
// a symlink's own). Every directory is opened from its parent without following a symlink, so a
// tree that changes under the walk cannot send it outside.
std::expected<owner_runs, std::error_code> collect_owners(int root_fd, const entry_table& entries);
// Gives the root and every entry its owner (fchown, and fchownat(AT_SYMLINK_NOFOLLOW) for a
// symlink, which changes the link, never its target), walking as collect_owners does. Needs
// root (CAP_CHOWN). Changing the owner leaves modes and times as they are. No runs: nothing to do.
std::error_code apply_owners(int root_fd, const entry_table& entries, const owner_runs& runs);

}  // namespace xfer::tree
