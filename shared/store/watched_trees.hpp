// The complete trees a store served lately, each with its tree_watch: what a warm OPEN of an
// unchanged tree returns without a scan (piece_store::open_tree_complete).
#pragma once

#include <sys/stat.h>

#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "shared/store/content_entry.hpp"
#include "shared/store/tree_watch.hpp"

namespace xfer {

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
