#include "tests/support/tree_fixtures.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/e2e_fixtures.hpp"

namespace xfer::test {
namespace {

namespace fs = std::filesystem;

int64_t mtime_ns(const struct stat& info) {
    return int64_t{info.st_mtim.tv_sec} * 1'000'000'000 + info.st_mtim.tv_nsec;
}

}  // namespace

void write_text(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

void set_mtime(const fs::path& path, int64_t seconds, long nanoseconds) {
    const timespec times[2] = {{seconds, nanoseconds}, {seconds, nanoseconds}};
    EXPECT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW), 0) << path;
}

// "" when `actual` holds every entry of `expected` (but the `skipped` relative paths) with the
// same type, permission bits, mtime, bytes and link target, and nothing more; else what differs.
std::string tree_difference(const fs::path& expected, const fs::path& actual,
                            const std::set<std::string>& skipped) {
    std::set<std::string> seen;
    std::string out;
    for (auto it = fs::recursive_directory_iterator(expected); it != fs::end(it); ++it) {
        const auto relative = it->path().lexically_relative(expected).string();
        if (skipped.contains(relative)) continue;
        seen.insert(relative);
        struct stat want {
        }, have{};
        ::lstat(it->path().c_str(), &want);
        if (::lstat((actual / relative).c_str(), &have) != 0) {
            out += relative + ": missing\n";
            continue;
        }
        if ((want.st_mode & S_IFMT) != (have.st_mode & S_IFMT)) out += relative + ": type\n";
        if (S_ISLNK(want.st_mode)) {
            if (fs::read_symlink(it->path()) != fs::read_symlink(actual / relative))
                out += relative + ": link target\n";
            continue;
        }
        if ((want.st_mode & 07777) != (have.st_mode & 07777)) out += relative + ": mode\n";
        if (mtime_ns(want) != mtime_ns(have)) out += relative + ": mtime\n";
        if (S_ISREG(want.st_mode)) {
            const auto bytes = file_difference(it->path(), actual / relative);
            if (!bytes.empty()) out += relative + ": " + bytes + "\n";
        }
    }
    for (auto it = fs::recursive_directory_iterator(actual); it != fs::end(it); ++it) {
        const auto relative = it->path().lexically_relative(actual).string();
        if (!seen.contains(relative)) out += relative + ": not in the source\n";
    }
    return out;
}

std::vector<std::string> names_in(const fs::path& directory) {
    std::vector<std::string> names;
    for (const auto& item : fs::directory_iterator(directory))
        names.push_back(item.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace xfer::test
