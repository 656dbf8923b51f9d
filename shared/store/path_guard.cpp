#include "shared/store/path_guard.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "shared/core/error.hpp"

namespace xfer {

std::expected<std::string, std::error_code> normalize_relative_path(std::string_view path,
                                                                    bool allow_root) {
    const auto escapes = std::unexpected(make_error_code(errc::path_escapes_root));
    if (!path.empty() && path.front() == '/') return escapes;
    std::string normalized;
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        const auto component = path.substr(start, end - start);
        start = end + 1;
        if (component.empty() || component == ".") continue;
        if (component == "..") return escapes;
        for (const unsigned char c : component) {
            if (c < 0x20 || c == 0x7f)
                return std::unexpected(make_error_code(errc::malformed_message));
        }
        if (component == metadata_dir_name)
            return std::unexpected(make_error_code(errc::not_found));
        if (component.size() > part_suffix.size() && component.ends_with(part_suffix)) {
            return std::unexpected(make_error_code(errc::not_found));
        }
        if (!normalized.empty()) normalized += '/';
        normalized += component;
    }
    if (normalized.empty() && !allow_root) return std::unexpected(make_error_code(errc::not_found));
    return normalized;
}

namespace {

std::expected<unique_fd, std::error_code> open_resolved(int root_fd,
                                                        const std::string& relative_path, int flags,
                                                        mode_t mode, uint64_t resolve) {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.mode = (flags & O_CREAT) ? mode : 0;
    how.resolve = resolve;
    const char* path = relative_path.empty() ? "." : relative_path.c_str();
    for (;;) {
        const long fd = ::syscall(SYS_openat2, root_fd, path, &how, sizeof how);
        if (fd >= 0) return unique_fd(static_cast<int>(fd));
        if (errno == EINTR || errno == EAGAIN) continue;
        if (errno == EXDEV || errno == ELOOP)
            return std::unexpected(make_error_code(errc::path_escapes_root));
        if (errno == ENOENT || errno == ENOTDIR)
            return std::unexpected(make_error_code(errc::not_found));
        return std::unexpected(last_system_error());
    }
}

}  // namespace

std::expected<unique_fd, std::error_code> open_beneath(int root_fd,
                                                       const std::string& relative_path, int flags,
                                                       mode_t mode) {
    return open_resolved(root_fd, relative_path, flags, mode,
                         RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
}

std::expected<unique_fd, std::error_code> open_in_tree(int root_fd,
                                                       const std::string& relative_path, int flags,
                                                       mode_t mode) {
    return open_resolved(root_fd, relative_path, flags | O_NOFOLLOW, mode,
                         RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
}

}  // namespace xfer
