// Every path that comes from a peer or a user is confined to its root directory here.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <system_error>

#include "shared/core/fd.hpp"

namespace xfer {

// xfer's own metadata folder inside a store root; never listed, never served.
inline constexpr std::string_view metadata_dir_name = ".xfer";
inline constexpr std::string_view part_suffix = ".xfer-part";

// Normalises a relative path ("a//b/./c" -> "a/b/c") and rejects what could leave the root or
// touch xfer's metadata: absolute paths, "..", NUL or control bytes, the metadata folder, part
// files. An empty path (or ".") is the root itself and is allowed only when allow_root is set.
std::expected<std::string, std::error_code> normalize_relative_path(std::string_view path,
                                                                    bool allow_root);

// openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS): the kernel refuses any resolution that leaves
// root_fd, including through symlinks and "..", before anything outside is opened.
std::expected<unique_fd, std::error_code> open_beneath(int root_fd,
                                                       const std::string& relative_path, int flags,
                                                       mode_t mode = 0);

// As open_beneath, and no symlink anywhere on the path (RESOLVE_NO_SYMLINKS, O_NOFOLLOW): a tree's
// files are opened by their manifest path, which never goes through a symlink.
std::expected<unique_fd, std::error_code> open_in_tree(int root_fd,
                                                       const std::string& relative_path, int flags,
                                                       mode_t mode = 0);

}  // namespace xfer
