#include "shared/tree/tree_scanner.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "shared/core/error.hpp"
#include "shared/core/fd.hpp"
#include "shared/manifest/manifest.hpp"
#include "shared/wire/frame.hpp"

namespace xfer::tree {
namespace {

struct dir_closer {
    void operator()(DIR* dir) const { ::closedir(dir); }
};

// The names in one directory, sorted by bytes; fdopendir takes its own dup of `dir_fd`.
std::expected<std::vector<std::string>, std::error_code> sorted_names(int dir_fd) {
    const int dup_fd = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
    if (dup_fd < 0) return std::unexpected(last_system_error());
    std::unique_ptr<DIR, dir_closer> dir(::fdopendir(dup_fd));
    if (!dir) {
        const auto ec = last_system_error();
        ::close(dup_fd);
        return std::unexpected(ec);
    }
    // The dup shares the directory offset with `dir_fd`: start from the top even when the
    // caller's descriptor was listed before (a second scan of the same root).
    ::rewinddir(dir.get());
    std::vector<std::string> names;
    for (;;) {
        errno = 0;
        const dirent* item = ::readdir(dir.get());
        if (item == nullptr) break;
        if (std::strcmp(item->d_name, ".") == 0 || std::strcmp(item->d_name, "..") == 0) continue;
        names.emplace_back(item->d_name);
    }
    if (errno != 0) return std::unexpected(last_system_error());
    std::sort(names.begin(), names.end());
    return names;
}

int64_t mtime_of(const struct stat& st) {
    return int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
}

const char* special_kind(mode_t mode) {
    if (S_ISFIFO(mode)) return "FIFO";
    if (S_ISSOCK(mode)) return "socket";
    if (S_ISCHR(mode)) return "character device";
    if (S_ISBLK(mode)) return "block device";
    return "special file";
}

class walker {
  public:
    explicit walker(const scan_limits& limits) : limits_(limits) {}

    std::error_code walk(int dir_fd, const std::string& prefix, size_t depth);
    scan_result take() { return std::move(result_); }

  private:
    std::error_code visit(int dir_fd, const std::string& name, const std::string& path,
                          size_t depth);
    std::error_code add(entry e);
    void skip(const std::string& path, std::string_view reason) {
        result_.skipped.push_back(path + ": " + std::string(reason));
    }

    const scan_limits& limits_;
    scan_result result_;
};

std::error_code walker::walk(int dir_fd, const std::string& prefix, size_t depth) {
    if (limits_.on_directory) limits_.on_directory(dir_fd);
    const auto names = sorted_names(dir_fd);
    if (!names) {
        if (depth == 0) return names.error();  // the root itself: nothing to scan
        skip(prefix.empty() ? "." : prefix, "cannot list: " + names.error().message());
        return {};
    }
    for (const auto& name : *names) {
        const auto path = prefix.empty() ? name : prefix + "/" + name;
        if (const auto ec = visit(dir_fd, name, path, depth)) return ec;
    }
    return {};
}

std::error_code walker::add(entry e) {
    if (result_.manifest.entries.size() >= limits_.max_entries) return errc::tree_too_large;
    result_.manifest.entries.push_back(std::move(e));
    return {};
}

std::error_code walker::visit(int dir_fd, const std::string& name, const std::string& path,
                              size_t depth) {
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return {};  // removed while we walked: not part of the tree
        skip(path, "cannot stat: " + last_system_error().message());
        return {};
    }
    entry e{path, entry_kind::file, sanitize_mode(st.st_mode), mtime_of(st), 0, {}};
    if (S_ISREG(st.st_mode)) {
        e.size = static_cast<uint64_t>(st.st_size);
    } else if (S_ISDIR(st.st_mode)) {
        e.kind = entry_kind::directory;
    } else if (S_ISLNK(st.st_mode)) {
        e.kind = entry_kind::symlink;
        e.mode = 0;
        std::string target(max_link_target_length + 1, '\0');
        const ssize_t length = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
        if (length < 0) {
            skip(path, "cannot read link: " + last_system_error().message());
            return {};
        }
        target.resize(static_cast<size_t>(length));
        e.link_target = std::move(target);
    } else {
        skip(path, std::string(special_kind(st.st_mode)) + " skipped");
        return {};
    }
    // The format's own rules decide what a name or target may be: a scan never emits an entry
    // that decode refuses (an escaping symlink is left out here, refused there).
    if (const auto ec = check_entry(e)) {
        skip(path, ec.message() + ", skipped");
        return {};
    }
    if (e.kind != entry_kind::directory) return add(std::move(e));
    if (depth + 1 > limits_.max_depth) {
        skip(path, "directory deeper than the depth limit skipped");
        return {};
    }
    unique_fd child(
        ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!child) {
        skip(path, "cannot open directory: " + last_system_error().message());
        return {};
    }
    if (const auto ec = add(std::move(e))) return ec;
    return walk(child.get(), path, depth + 1);
}

}  // namespace

std::expected<scan_result, std::error_code> scan_tree(int root_dirfd, const scan_limits& limits) {
    walker w(limits);
    if (const auto ec = w.walk(root_dirfd, "", 0)) return std::unexpected(ec);
    auto result = w.take();
    result.manifest.entries.shrink_to_fit();  // grown by doubling: up to twice what it holds
    result.manifest.piece_size = choose_piece_size(result.manifest.total_file_bytes());
    if (result.manifest.total_file_bytes() > uint64_t{wire::max_pieces} * max_piece_size)
        return std::unexpected(make_error_code(errc::tree_too_large));
    return result;
}

}  // namespace xfer::tree
