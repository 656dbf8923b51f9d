// Helpers for end-to-end tests of trees: write small files, set times, compare a fetched tree
// with its source entry by entry (type, permission bits, mtime, bytes, link target).
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace xfer::test {

// Creates the parent directories and writes `text`.
void write_text(const std::filesystem::path& path, const std::string& text);

// Sets a file's (or a symlink's own) mtime and atime.
void set_mtime(const std::filesystem::path& path, int64_t seconds, long nanoseconds);

// "" when `actual` holds every entry of `expected` (but the `skipped` relative paths) with the
// same type, permission bits, mtime, bytes and link target, and nothing more; else what differs.
std::string tree_difference(const std::filesystem::path& expected,
                            const std::filesystem::path& actual,
                            const std::set<std::string>& skipped = {});

// The names in one directory, sorted.
std::vector<std::string> names_in(const std::filesystem::path& directory);

}  // namespace xfer::test
