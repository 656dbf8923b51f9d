// Knows without a scan that a served tree is as it was scanned: an inotify watch on each of its
// directories (a directory's watch also reports what happens to the files in it), each added by
// the scan before it reads that directory (scan_limits::on_directory), so nothing that changes
// after the scan saw it goes unseen. A warm OPEN of an unchanged tree then costs one read() on
// the watch instead of a stat of every entry (docs/BENCHMARKS.md, "The warm OPEN").
//
// Any event (a file written, truncated, touched, chmod'ed, created, removed or renamed, a
// directory removed or moved, the queue overflowing) makes it changed for good: the next OPEN
// scans as before. A tree it could not watch whole (inotify limits) is never unchanged. Reads
// are not events, so serving the tree does not disturb it. Thread-safe.
#pragma once

#include <sys/stat.h>

#include <memory>
#include <mutex>

#include "shared/core/fd.hpp"

namespace xfer {

class tree_watch {
  public:
    // Null when inotify is not available (no instance left): the caller scans every time.
    static std::unique_ptr<tree_watch> create();

    // Watches directory `dir_fd` (through /proc/self/fd: inotify takes a path). A failure leaves
    // the watch changed(): a tree not watched whole is never trusted.
    void add(int dir_fd);
    // True once anything under a watched directory changed, or a directory could not be watched.
    bool changed();

  private:
    explicit tree_watch(unique_fd inotify) : inotify_(std::move(inotify)) {}

    const unique_fd inotify_;
    std::mutex mutex_;
    bool changed_ = false;
};

}  // namespace xfer
