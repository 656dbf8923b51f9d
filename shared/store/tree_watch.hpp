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

#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "shared/core/fd.hpp"
#include "shared/store/content_entry.hpp"

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

// The complete trees served lately, each with its watch: what a warm OPEN returns unscanned.
// Holds the last max_kept (their manifests stay in memory, one inotify instance each).
class watched_trees {
  public:
    static constexpr size_t max_kept = 4;

    // The entry of the tree at `path` when it is the directory `root` (same device and inode)
    // and its watch saw no change; else null. Every changed tree is forgotten here.
    std::shared_ptr<content_entry> unchanged(const std::string& path, const struct stat& root);
    // Remembers a tree just scanned (replacing an older one at `path`).
    void keep(const std::string& path, const struct stat& root, std::unique_ptr<tree_watch> watch,
              std::shared_ptr<content_entry> entry);

  private:
    struct kept {
        std::string path;
        dev_t device = 0;
        ino_t inode = 0;
        std::unique_ptr<tree_watch> watch;
        std::shared_ptr<content_entry> entry;
    };
    std::mutex mutex_;
    std::deque<kept> kept_;  // oldest first
};

}  // namespace xfer
