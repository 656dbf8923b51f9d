#include "shared/transfer_log/transfer_log_follow.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "shared/core/xfer_home.hpp"
#include "shared/transfer_log/transfer_log_file.hpp"

namespace xfer::transfer_log {
namespace {

constexpr uint32_t watched_events = IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM;

ino_t inode_of(int fd) {
    struct stat info {};
    return ::fstat(fd, &info) == 0 ? info.st_ino : 0;
}

std::optional<ino_t> inode_at(const std::filesystem::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return std::nullopt;
    return info.st_ino;
}

void drain_events(int watch_fd) {
    alignas(inotify_event) std::array<char, 4096> buffer{};
    while (::read(watch_fd, buffer.data(), buffer.size()) > 0) {
    }
}

}  // namespace

std::expected<transfer_log_follower, std::error_code> transfer_log_follower::start(
    const std::filesystem::path& state_directory) {
    if (auto ec = ensure_private_directory(state_directory)) return std::unexpected(ec);
    unique_fd watch(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!watch || ::inotify_add_watch(watch.get(), state_directory.c_str(), watched_events) < 0)
        return std::unexpected(std::error_code(errno, std::system_category()));
    transfer_log_follower follower(state_directory, std::move(watch));
    follower.file_ = unique_fd(::open(current_file(state_directory).c_str(), O_RDONLY | O_CLOEXEC));
    if (follower.file_) ::lseek(follower.file_.get(), 0, SEEK_END);
    return follower;
}

transfer_log_follower::transfer_log_follower(std::filesystem::path directory, unique_fd watch)
    : directory_(std::move(directory)), watch_(std::move(watch)) {}

std::vector<transfer_record> transfer_log_follower::wait(std::chrono::milliseconds timeout) {
    pollfd item{watch_.get(), POLLIN, 0};
    std::vector<transfer_record> records;
    if (::poll(&item, 1, static_cast<int>(timeout.count())) <= 0) return records;
    drain_events(watch_.get());
    read_appended(records);
    reopen_if_replaced();
    read_appended(records);
    return records;
}

// After a rotation (or when the log is first created) the name points at another file: what
// the old one still held was read just before; the new one is read from its start.
void transfer_log_follower::reopen_if_replaced() {
    const auto named = inode_at(current_file(directory_));
    if (!named || (file_ && inode_of(file_.get()) == *named)) return;
    file_ = unique_fd(::open(current_file(directory_).c_str(), O_RDONLY | O_CLOEXEC));
    partial_.clear();
}

void transfer_log_follower::read_appended(std::vector<transfer_record>& out) {
    if (!file_) return;
    std::array<char, 16384> buffer{};
    for (;;) {
        const ssize_t n = ::read(file_.get(), buffer.data(), buffer.size());
        if (n <= 0) break;
        partial_.append(buffer.data(), static_cast<size_t>(n));
        size_t start = 0;
        for (size_t end; (end = partial_.find('\n', start)) != std::string::npos; start = end + 1) {
            if (const auto record =
                    decode_line(std::string_view(partial_).substr(start, end - start)))
                out.push_back(*record);
        }
        partial_.erase(0, start);
        if (partial_.size() > max_line_bytes) partial_.clear();  // not ours; skip it
    }
}

}  // namespace xfer::transfer_log
