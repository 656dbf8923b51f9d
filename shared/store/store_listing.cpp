// Directory listings: what a peer shares, with how much of each partial file it has.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "shared/core/error.hpp"
#include "shared/store/atomic_file.hpp"
#include "shared/store/path_guard.hpp"
#include "shared/store/piece_store.hpp"
#include "shared/wire/frame.hpp"

namespace xfer {
namespace {

struct dir_closer {
    void operator()(DIR* dir) const { ::closedir(dir); }
};

bool is_directory(int dir_fd, std::string_view name) {
    struct stat info {};
    return ::fstatat(dir_fd, std::string(name).c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0 &&
           S_ISDIR(info.st_mode);
}

bool is_symlink(int dir_fd, const dirent& item) {
    if (item.d_type != DT_UNKNOWN) return item.d_type == DT_LNK;
    struct stat info {};
    return ::fstatat(dir_fd, item.d_name, &info, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(info.st_mode);
}

// A listed link's target as readlink gives it (at most a path long); empty if unreadable.
std::string link_target(int dir_fd, const char* name) {
    std::string target(wire::max_path_length + 1, '\0');
    const ssize_t length = ::readlinkat(dir_fd, name, target.data(), target.size());
    if (length <= 0 || static_cast<size_t>(length) > wire::max_path_length) return {};
    target.resize(static_cast<size_t>(length));
    return target;
}

// One directory entry as listed: what it is, its size, and pieces known if its manifest is
// cached. Nothing for what is never shared (devices, sockets, fifos, links out of the root).
std::optional<listing_entry> listed_entry(int root_fd, int dir_fd, const std::string& prefix,
                                          const dirent& item, const manifest_cache& cache,
                                          bool links_as_links) {
    const std::string_view name = item.d_name;
    struct stat info {};
    // Follows symlinks for the type, but a link out of the root is not listed at all.
    if (::fstatat(dir_fd, item.d_name, &info, 0) != 0) return std::nullopt;
    const bool link = is_symlink(dir_fd, item);
    if (link && !open_beneath(root_fd, prefix + std::string(name), O_PATH)) return std::nullopt;
    listing_entry entry;
    entry.name = std::string(name);
    if (link && links_as_links) {
        entry.kind = listing_entry::kind_t::symlink;
        entry.link_target = link_target(dir_fd, item.d_name);
        if (entry.link_target.empty()) return std::nullopt;
    } else if (S_ISDIR(info.st_mode)) {
        entry.kind = listing_entry::kind_t::directory;
    } else if (S_ISREG(info.st_mode)) {
        entry.size = static_cast<uint64_t>(info.st_size);
        if (auto cached = cache.lookup(info)) {
            if (auto m = decode_manifest(*cached))
                entry.piece_count = entry.pieces_had = m->piece_count();
        }
    } else {
        return std::nullopt;
    }
    return entry;
}

}  // namespace

std::expected<std::vector<listing_entry>, std::error_code> piece_store::list(
    std::string_view relative_dir, bool links_as_links) {
    auto path = normalize_relative_path(relative_dir, /*allow_root=*/true);
    if (!path) return std::unexpected(path.error());
    auto fd = open_beneath(root_fd_.get(), *path, O_RDONLY | O_DIRECTORY);
    if (!fd) return std::unexpected(fd.error());
    std::unique_ptr<DIR, dir_closer> dir(::fdopendir(fd->get()));
    if (!dir) return std::unexpected(last_system_error());
    const int dir_fd = fd->release();  // now owned by DIR

    const std::string prefix = path->empty() ? "" : *path + "/";
    std::vector<listing_entry> entries;
    std::vector<std::string> partial_names;
    while (const dirent* item = ::readdir(dir.get())) {
        const std::string_view name = item->d_name;
        if (name == "." || name == ".." || name == metadata_dir_name) continue;
        if (name.size() > part_suffix.size() && name.ends_with(part_suffix)) {
            // A tree in progress (.NAME.xfer-part/) is nothing to show or offer yet; a part
            // file is shown under its final name.
            if (item->d_type != DT_DIR &&
                !(item->d_type == DT_UNKNOWN && is_directory(dir_fd, name)))
                partial_names.emplace_back(name.substr(0, name.size() - part_suffix.size()));
            continue;
        }
        if (auto entry =
                listed_entry(root_fd_.get(), dir_fd, prefix, *item, cache_, links_as_links))
            entries.push_back(std::move(*entry));
    }
    for (const auto& name : partial_names) {
        const bool has_final = std::any_of(entries.begin(), entries.end(),
                                           [&](const auto& e) { return e.name == name; });
        if (has_final) continue;
        auto opened = open_for_serving(prefix + name, std::nullopt);
        if (!opened) continue;  // a part file without resume state is not shareable
        listing_entry entry;
        entry.name = name;
        entry.size = (*opened)->manifest.file_size;
        entry.piece_count = (*opened)->manifest.piece_count();
        entry.pieces_had = (*opened)->have.count();
        entries.push_back(std::move(entry));
    }
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    return entries;
}

}  // namespace xfer

namespace xfer {

std::vector<std::string> piece_store::walk_files(size_t limit) const {
    std::vector<std::string> files;
    std::error_code ec;
    // Symlinks are not followed: a link out of the root must never be read.
    std::filesystem::recursive_directory_iterator it(
        root_, std::filesystem::directory_options::skip_permission_denied, ec);
    for (; !ec && it != std::filesystem::recursive_directory_iterator() && files.size() < limit;
         it.increment(ec)) {
        const auto name = it->path().filename().string();
        // Metadata, and trees in progress (.NAME.xfer-part/): nothing in them is shared.
        if (it->is_directory(ec) && (name == metadata_dir_name || name.ends_with(part_suffix))) {
            it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
        auto relative = it->path().lexically_relative(root_).string();
        // A partial file is shared under its final name (if it has resume state).
        if (name.ends_with(part_suffix)) relative.resize(relative.size() - part_suffix.size());
        files.push_back(std::move(relative));
    }
    return files;
}

}  // namespace xfer
