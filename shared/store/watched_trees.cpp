#include "shared/store/watched_trees.hpp"

#include <algorithm>

namespace xfer {

std::shared_ptr<content_entry> watched_trees::unchanged(const std::string& path,
                                                        const struct stat& root) {
    std::lock_guard lock(mutex_);
    // Every changed tree goes, not only this one: a tree removed from disk is not kept open.
    std::erase_if(kept_, [](kept& k) { return k.watch->changed(); });
    for (auto it = kept_.begin(); it != kept_.end(); ++it) {
        if (it->path != path) continue;
        if (it->device == root.st_dev && it->inode == root.st_ino) return it->entry;
        kept_.erase(it);  // another directory at that path now: scanned again
        return nullptr;
    }
    return nullptr;
}

void watched_trees::keep(const std::string& path, const struct stat& root,
                         std::unique_ptr<tree_watch> watch, std::shared_ptr<content_entry> entry) {
    std::lock_guard lock(mutex_);
    std::erase_if(kept_, [&](const kept& k) { return k.path == path; });
    if (kept_.size() >= max_kept) kept_.pop_front();
    kept_.push_back({path, root.st_dev, root.st_ino, std::move(watch), std::move(entry)});
}

}  // namespace xfer
