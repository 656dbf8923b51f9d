// One entry of a tree manifest, as callers build and read it (entry_table.hpp keeps many of
// them compactly).
#pragma once

#include <cstdint>
#include <string>

namespace xfer::tree {

enum class entry_kind : uint8_t { directory = 1, file = 2, symlink = 3 };

struct entry {
    std::string path;  // relative, '/'-separated, no leading '/', components not "", ".", ".."
    entry_kind kind = entry_kind::file;
    uint32_t mode = 0;        // permission bits only (& 01777); 0 for a symlink
    int64_t mtime_ns = 0;     // nanoseconds since the epoch
    uint64_t size = 0;        // files only (0 otherwise)
    std::string link_target;  // symlinks only, stored as read; confined (see validate)

    friend bool operator==(const entry&, const entry&) = default;
};

}  // namespace xfer::tree
