#include "shared/store/tree_watch.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace xfer {
namespace {

// Everything that changes what a scan would see: contents, sizes, times, modes, names. Not
// IN_ACCESS, IN_OPEN or IN_CLOSE_NOWRITE, which serving the tree causes.
constexpr uint32_t change_events = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE |
                                   IN_DELETE_SELF | IN_MOVE_SELF | IN_MOVED_FROM | IN_MOVED_TO |
                                   IN_ONLYDIR;

}  // namespace

std::unique_ptr<tree_watch> tree_watch::create() {
    unique_fd inotify(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!inotify) return nullptr;
    return std::unique_ptr<tree_watch>(new tree_watch(std::move(inotify)));
}

void tree_watch::add(int dir_fd) {
    const auto path = "/proc/self/fd/" + std::to_string(dir_fd);
    std::lock_guard lock(mutex_);
    // The magic link is followed to the directory the descriptor stands for, which is watched.
    if (::inotify_add_watch(inotify_.get(), path.c_str(), change_events) < 0) changed_ = true;
}

bool tree_watch::changed() {
    std::lock_guard lock(mutex_);
    if (changed_) return true;
    // Any event at all (IN_Q_OVERFLOW and IN_IGNORED included) means a change: one read says it.
    alignas(inotify_event) char events[4096];
    const ssize_t got = ::read(inotify_.get(), events, sizeof events);
    if (got != 0 && !(got < 0 && errno == EAGAIN)) changed_ = true;
    return changed_;
}

}  // namespace xfer
