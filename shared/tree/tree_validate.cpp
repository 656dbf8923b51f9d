// The rules that make a tree manifest safe to recreate on disk. The classes of attack they close,
// from the rsync and Syncthing advisories (details in docs/PROTOCOL.md, "Tree manifest"):
//   - rsync CVE-2024-12087 (a file list that places a file under a path that an earlier entry
//     made a symlink, so the write lands outside the destination) and Syncthing
//     CVE-2017-1000420 / PR #3783 (an update for "foo/bar" after "foo" became a symlink): every
//     entry's parent must be listed, before it, as a directory; an entry under a symlink or a
//     file is rejected by name (tree_path_through_symlink, tree_parent_not_directory).
//   - rsync CVE-2024-12088 (--safe-links bypass: a target whose ".." steps are hidden behind
//     names, "a/../../x", or behind another link): a target is relative, its ".." steps all come
//     first and climb no higher than the link's own directory, and after the first name no ".."
//     follows, so no ".." is ever applied to a place reached through another symlink.
//   - rsync CVE-2024-12086 and the classic "../" and absolute-path entries: every component is
//     checked ("", ".", "..", NUL, control bytes, a leading '/', xfer's reserved names).
//   - Duplicates ("a" as a file and as a directory, or twice): strict canonical order.
// Not covered here, by design: the TOCTOU races (rsync CVE-2026-29518, CVE-2026-43619,
// Syncthing #3801) are about the disk changing under the writer; the receiver must create and
// open every entry relative to directory fds without following symlinks (openat2
// RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), which no manifest rule can replace.
#include <algorithm>
#include <bit>

#include "shared/core/error.hpp"
#include "shared/manifest/manifest.hpp"
#include "shared/store/path_guard.hpp"
#include "shared/tree/tree_manifest.hpp"
#include "shared/wire/frame.hpp"

namespace xfer::tree {
namespace {

bool has_forbidden_byte(std::string_view text) {
    for (const unsigned char c : text) {
        if (c < 0x20 || c == 0x7f) return true;  // NUL and terminal control bytes
    }
    return false;
}

std::error_code check_component(std::string_view component) {
    if (component.empty() || component == "." || component == "..") return errc::tree_path_invalid;
    if (component.size() > max_component_length || has_forbidden_byte(component))
        return errc::tree_path_invalid;
    // xfer's own names: a receiver must never be told to write its metadata or a part file.
    if (component == metadata_dir_name) return errc::tree_path_invalid;
    if (component.size() > part_suffix.size() && component.ends_with(part_suffix))
        return errc::tree_path_invalid;
    return {};
}

std::error_code check_path(std::string_view path) {
    if (path.empty() || path.size() > max_path_length) return errc::tree_path_invalid;
    size_t start = 0;
    for (;;) {
        const size_t slash = path.find('/', start);
        const auto end = slash == std::string_view::npos ? path.size() : slash;
        if (const auto ec = check_component(path.substr(start, end - start))) return ec;
        if (slash == std::string_view::npos) return {};
        start = slash + 1;
    }
}

size_t depth_of(std::string_view path) {
    return static_cast<size_t>(std::count(path.begin(), path.end(), '/')) + 1;
}

// Lexical confinement that stays sound when other symlinks lie on the way: only leading "..",
// no more of them than directories above the link.
std::error_code check_link_target(std::string_view link_path, std::string_view target) {
    if (target.empty() || target.size() > max_link_target_length || has_forbidden_byte(target))
        return errc::tree_entry_invalid;
    if (target.front() == '/') return errc::tree_symlink_escapes;
    const size_t directories_above = depth_of(link_path) - 1;
    size_t climbs = 0;
    bool named = false;
    size_t start = 0;
    while (start <= target.size()) {
        size_t end = target.find('/', start);
        if (end == std::string_view::npos) end = target.size();
        const auto component = target.substr(start, end - start);
        start = end + 1;
        if (component.empty() || component == ".") continue;
        if (component == "..") {
            if (named || ++climbs > directories_above) return errc::tree_symlink_escapes;
        } else {
            named = true;
        }
    }
    return {};
}

std::error_code check_fields(const entry& e) {
    if ((e.mode & ~permission_mask) != 0) return errc::tree_entry_invalid;
    switch (e.kind) {
        case entry_kind::directory:
            return e.size == 0 && e.link_target.empty() ? std::error_code{}
                                                        : errc::tree_entry_invalid;
        case entry_kind::file:
            return e.link_target.empty() ? std::error_code{} : errc::tree_entry_invalid;
        case entry_kind::symlink:
            if (e.size != 0 || e.mode != 0) return errc::tree_entry_invalid;
            return check_link_target(e.path, e.link_target);
    }
    return errc::tree_entry_invalid;
}

bool is_under(std::string_view ancestor, std::string_view path) {
    return path.size() > ancestor.size() && path[ancestor.size()] == '/' &&
           path.starts_with(ancestor);
}

// Entries in canonical order form a depth-first walk, so the directories that contain the
// current entry are a stack, and an entry under a file or symlink comes right after it. Fed the
// entries in order; keeps the previous one and the open directories' paths (at most a path's
// depth of them), never the whole list.
class parent_checker {
  public:
    std::error_code check(const entry& current) {
        const auto& path = current.path;
        if (has_previous_) {
            if (!path_less(previous_path_, path)) return errc::tree_entry_order;
            if (previous_kind_ != entry_kind::directory && is_under(previous_path_, path)) {
                return previous_kind_ == entry_kind::symlink ? errc::tree_path_through_symlink
                                                             : errc::tree_parent_not_directory;
            }
        }
        while (!open_directories_.empty() && !is_under(open_directories_.back(), path))
            open_directories_.pop_back();
        const size_t slash = path.rfind('/');
        if (slash != std::string::npos) {
            const std::string_view parent(path.data(), slash);
            if (open_directories_.empty() || open_directories_.back() != parent)
                return errc::tree_parent_missing;
        }
        if (current.kind == entry_kind::directory) open_directories_.push_back(path);
        previous_path_ = path;
        previous_kind_ = current.kind;
        has_previous_ = true;
        return {};
    }

  private:
    bool has_previous_ = false;
    std::string previous_path_;
    entry_kind previous_kind_ = entry_kind::file;
    std::vector<std::string> open_directories_;
};

std::error_code check_whole(const tree_manifest& manifest) {
    if (!std::has_single_bit(manifest.piece_size) || manifest.piece_size < min_piece_size ||
        manifest.piece_size > max_piece_size) {
        return errc::manifest_invalid;
    }
    if (manifest.entries.size() > max_tree_entries) return errc::tree_too_large;
    return {};
}

}  // namespace

std::error_code check_entry(const entry& e) {
    if (const auto ec = check_path(e.path)) return ec;
    return check_fields(e);
}

std::error_code validate(const tree_manifest& manifest, size_t* failing_entry) {
    const auto fail = [&](size_t index, std::error_code ec) {
        if (failing_entry != nullptr) *failing_entry = index;
        return ec;
    };
    const size_t whole = manifest.entries.size();
    if (const auto ec = check_whole(manifest)) return fail(whole, ec);
    // Bounded by what max_pieces pieces can carry, so the sum cannot overflow.
    const uint64_t byte_limit = uint64_t{wire::max_pieces} * manifest.piece_size;
    uint64_t total = 0;
    parent_checker parents;
    size_t index = 0;
    for (const auto& e : manifest.entries) {
        if (const auto ec = check_entry(e)) return fail(index, ec);
        if (const auto ec = parents.check(e)) return fail(index, ec);
        if (e.size > byte_limit - total) return fail(index, errc::tree_too_large);
        total += e.size;
        ++index;
    }
    const size_t hashes = manifest.piece_hashes.size();
    if (hashes != 0 && hashes != manifest.piece_count()) return fail(whole, errc::manifest_invalid);
    return {};
}

}  // namespace xfer::tree
