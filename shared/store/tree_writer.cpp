#include "shared/store/tree_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "shared/core/error.hpp"
#include "shared/store/atomic_file.hpp"
#include "shared/store/block_ranges.hpp"
#include "shared/store/direct_write.hpp"
#include "shared/store/open_file_budget.hpp"
#include "shared/store/path_guard.hpp"
#include "shared/store/tree_reader.hpp"

namespace xfer {

struct tree_file {
    unique_fd fd;
    direct_write direct;  // inactive: every write buffered
};

namespace {

// Beyond this many files open for writing, the least recently written one is closed. Each holds
// two descriptors when it is big (its direct one): a quarter of RLIMIT_NOFILE at most.
const size_t max_open_files = open_file_budget(256, 8);
// All-zero parts of each aligned block of this size are not written: the file is sized with
// ftruncate, so a block no piece writes stays a hole.
constexpr size_t hole_block = 4096;
// Written parts at least this long have their writeback started at once (sync_file_range), so
// the disk works during the transfer rather than all at once in the checkpoint's or the final
// syncfs. Smaller ones are left to those: starting writeback for each of 20,000 files of 4 KiB
// cost more CPU than it saved.
constexpr size_t write_behind_min = 64 * 1024;
// Files at least this big are written with direct I/O where the file system allows it (their
// aligned parts skip the page cache, as a single file's pieces do: the copy into it was a fifth
// of a tree fetch's CPU); smaller ones buffered, as one extra open per 4 KiB file costs more.
constexpr uint64_t direct_min_file = 64 * 1024;
// file_piece_counts::mark_truncate: the file may be shorter than its size (a skipped zero
// tail, or a file reopened on resume), so it is ftruncated to its size when complete.

timespec to_timespec(int64_t ns) {
    return {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

std::error_code set_times(int fd, const tree::entry& e) {
    const timespec times[2] = {to_timespec(e.mtime_ns), to_timespec(e.mtime_ns)};
    if (::futimens(fd, times) != 0) return last_system_error();
    return {};
}

void start_writeback(const tree_file& file, const tree::segment& part) {
    // Direct writes are on the disk already; direct_write starts writeback of what it buffered.
    if (part.length < write_behind_min || file.direct.active()) return;
    // Only a hint: durability never depends on it (syncfs before anything counts as done).
    ::sync_file_range(file.fd.get(), static_cast<off_t>(part.file_offset),
                      static_cast<off_t>(part.length), SYNC_FILE_RANGE_WRITE);
}

std::error_code set_metadata(int fd, const tree::entry& e) {
    if (::fchmod(fd, e.mode & tree::permission_mask) != 0) return last_system_error();
    return set_times(fd, e);
}

// The process's umask, from /proc/self/status (umask() would change it for every thread while
// it is read); nothing where the kernel does not say.
std::optional<mode_t> current_umask() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("Umask:", 0) == 0)
            return static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8));
    }
    return std::nullopt;
}

std::error_code write_all_at(int fd, const uint8_t* data, size_t size, uint64_t offset) {
    for (size_t done = 0; done < size;) {
        const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return last_system_error();
        done += static_cast<size_t>(n);
    }
    return {};
}

// One run of bytes of a file: through its direct descriptor when it has one (which writes what
// is not aligned buffered), else buffered.
std::error_code write_run(const tree_file& file, const uint8_t* data, size_t size,
                          uint64_t offset) {
    if (size == 0) return {};
    if (file.direct.active()) return file.direct.write(file.fd.get(), {data, size}, offset);
    return write_all_at(file.fd.get(), data, size, offset);
}

// A direct descriptor for a file big enough to be worth one (see direct_min_file).
direct_write direct_for(const unique_fd& fd, uint64_t file_size) {
    return file_size >= direct_min_file ? direct_write::for_file(fd.get()) : direct_write();
}

bool all_zero(const uint8_t* data, size_t size) {
    return size > 0 && data[0] == 0 && std::memcmp(data, data + 1, size - 1) == 0;
}

// The directory holding `path` (opened beneath root, no symlinks) and the last component.
struct parent_and_name {
    unique_fd parent;  // invalid: the root itself
    std::string name;
};

std::expected<parent_and_name, std::error_code> split_parent(int root_fd, const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return parent_and_name{unique_fd(), path};
    auto parent = open_in_tree(root_fd, path.substr(0, slash), O_PATH | O_DIRECTORY);
    if (!parent) return std::unexpected(parent.error());
    return parent_and_name{std::move(*parent), path.substr(slash + 1)};
}

int fd_or(const unique_fd& fd, int fallback) {
    return fd ? fd.get() : fallback;
}

}  // namespace

std::string tree_writer::staging_name(const std::string& name) {
    return "." + name + std::string(part_suffix);
}

tree_writer::tree_writer(int outdir_fd, std::filesystem::path outdir, std::string name,
                         tree::tree_manifest manifest, unique_fd staging, bool overwrite)
    : outdir_fd_(outdir_fd),
      outdir_(std::move(outdir)),
      name_(std::move(name)),
      manifest_(std::move(manifest)),
      layout_(manifest_),
      staging_fd_(std::move(staging)),
      overwrite_(overwrite),
      umask_(current_umask()),
      pieces_left_(manifest_.entries.size()) {
    for (uint32_t index = 0; const auto& e : manifest_.entries) {
        file_count_ += e.kind == tree::entry_kind::file;
        const auto [first, last] = layout_.pieces_of_entry(index);  // {0, 0}: not a file's
        pieces_left_.set(index++, last - first);
    }
}

std::expected<std::shared_ptr<tree_writer>, std::error_code> tree_writer::open(
    int outdir_fd, const std::filesystem::path& outdir, const std::string& name,
    tree::tree_manifest manifest, bool resuming, bool overwrite) {
    const auto staging = staging_name(name);
    if (!resuming) {
        std::error_code ignored;
        std::filesystem::remove_all(outdir / staging, ignored);
    }
    if (::mkdirat(outdir_fd, staging.c_str(), 0700) != 0 && errno != EEXIST)
        return std::unexpected(last_system_error());
    auto fd = open_in_tree(outdir_fd, staging, O_RDONLY | O_DIRECTORY);
    if (!fd) return std::unexpected(fd.error());
    std::shared_ptr<tree_writer> writer(
        new tree_writer(outdir_fd, outdir, name, std::move(manifest), std::move(*fd), overwrite));
    if (auto ec = writer->make_directories()) return std::unexpected(ec);
    return writer;
}

std::error_code tree_writer::make_directories() const {
    for (const auto& e : manifest_.entries) {
        if (e.kind != tree::entry_kind::directory) continue;
        auto where = split_parent(staging_fd_.get(), e.path);
        if (!where) return where.error();
        if (::mkdirat(fd_or(where->parent, staging_fd_.get()), where->name.c_str(), 0700) != 0 &&
            errno != EEXIST) {
            return last_system_error();
        }
    }
    return {};
}

// The descriptor of a file that spans pieces, with some still to write: the cached one, or
// opened now.
std::expected<std::shared_ptr<tree_file>, std::error_code> tree_writer::file_for_writing(
    uint32_t entry_index) {
    {
        std::lock_guard lock(mutex_);
        if (auto it = open_.find(entry_index); it != open_.end()) {
            recently_used_.splice(recently_used_.end(), recently_used_, it->second.second);
            return it->second.first;
        }
    }
    // Opened without the lock: creating files is what the writer threads do in parallel.
    const std::string path = manifest_.entries[entry_index].path;
    auto fd = open_in_tree(staging_fd_.get(), path, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY, 0600);
    bool existed = false;
    if (!fd && fd.error() == std::errc::file_exists) {
        // Written in part before (a resumed fetch, closed to stay under max_open_files, or
        // opened by another writer thread a moment ago).
        fd = open_in_tree(staging_fd_.get(), path, O_WRONLY | O_NOCTTY);
        existed = true;
    }
    if (!fd) return std::unexpected(fd.error());
    auto direct = direct_for(*fd, manifest_.entries[entry_index].size);
    auto file = std::make_shared<tree_file>(tree_file{std::move(*fd), std::move(direct)});
    std::lock_guard lock(mutex_);
    if (existed) pieces_left_.mark_truncate(entry_index);
    if (auto it = open_.find(entry_index); it != open_.end()) return it->second.first;
    if (open_.size() >= max_open_files) {
        // A writer still using the evicted descriptor keeps it open until it is done.
        open_.erase(recently_used_.front());
        recently_used_.pop_front();
    }
    recently_used_.push_back(entry_index);
    open_.emplace(entry_index, std::make_pair(file, std::prev(recently_used_.end())));
    return file;
}

// Writes one file's part of a piece, leaving aligned all-zero blocks as holes. Returns whether
// any part was skipped as zero.
std::expected<bool, std::error_code> tree_writer::write_segment(const tree_file& file,
                                                                const tree::segment& part,
                                                                const uint8_t* data) {
    bool skipped = false;
    size_t run_start = 0;  // start of the pending run of bytes to write
    size_t position = 0;
    while (position < part.length) {
        const uint64_t file_position = part.file_offset + position;
        const size_t block_end =
            std::min<size_t>(part.length, position + hole_block - file_position % hole_block);
        // Partial blocks at a segment's edges too: the neighbouring piece writes the rest of
        // the block, or it stays a hole when that part is zero as well.
        if (all_zero(data + position, block_end - position)) {
            if (auto ec = write_run(file, data + run_start, position - run_start,
                                    part.file_offset + run_start)) {
                return std::unexpected(ec);
            }
            run_start = block_end;
            skipped = true;
        }
        position = block_end;
    }
    if (auto ec = write_run(file, data + run_start, part.length - run_start,
                            part.file_offset + run_start))
        return std::unexpected(ec);
    return skipped;
}

// A file that lies in one piece: created, written and finished in one go, with its final
// permission bits given at creation when the umask keeps them and the owner may write (a fetch
// resumed after a crash reopens it for writing). About four system calls per small file.
std::error_code tree_writer::write_whole_file(const tree::segment& part, const uint8_t* data) {
    const auto& e = manifest_.entries[part.entry_index];
    const mode_t wanted = e.mode & tree::permission_mask;
    const bool born_final =
        umask_ && (wanted & ~0777u) == 0 && (wanted & S_IWUSR) && (wanted & ~*umask_) == wanted;
    auto fd = open_in_tree(staging_fd_.get(), e.path, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY,
                           born_final ? wanted : 0600);
    bool fresh = true;
    if (!fd && fd.error() == std::errc::file_exists) {
        fd = open_in_tree(staging_fd_.get(), e.path, O_WRONLY | O_NOCTTY);  // an earlier run's
        fresh = false;
    }
    if (!fd) return fd.error();
    auto direct = direct_for(*fd, e.size);
    const tree_file file{std::move(*fd), std::move(direct)};
    auto skipped = write_segment(file, part, data);
    if (!skipped) return skipped.error();
    start_writeback(file, part);
    const int out = file.fd.get();
    if ((*skipped || !fresh) && ::ftruncate(out, static_cast<off_t>(e.size)) != 0)
        return last_system_error();
    if (auto ec = fresh && born_final ? set_times(out, e) : set_metadata(out, e)) return ec;
    std::lock_guard lock(mutex_);
    pieces_left_.count_off(part.entry_index);
    ++files_done_;
    return {};
}

// Called by the writer of a file's last piece, after every other piece of it was written (each
// writer counts its piece off only once its bytes are in), so the metadata comes last.
std::error_code tree_writer::complete_file(uint32_t entry_index, int fd, bool truncate) {
    const auto& e = manifest_.entries[entry_index];
    if (truncate && ::ftruncate(fd, static_cast<off_t>(e.size)) != 0) return last_system_error();
    if (auto ec = set_metadata(fd, e)) return ec;
    std::lock_guard lock(mutex_);
    ++files_done_;
    return {};
}

std::error_code tree_writer::write_piece(uint32_t piece, std::span<const uint8_t> data) {
    if (piece >= layout_.piece_count() || data.size() != layout_.piece_length(piece))
        return errc::malformed_message;
    std::error_code failure;
    const uint8_t* next = data.data();
    layout_.for_each_segment(piece, 0, layout_.piece_length(piece), [&](const tree::segment& part) {
        failure = write_part(part, next);
        next += part.length;
        return !failure;
    });
    return failure;
}

std::error_code tree_writer::write_part(const tree::segment& part, const uint8_t* data) {
    if (const auto [first, last] = layout_.pieces_of_entry(part.entry_index); last - first == 1) {
        if (auto ec = write_whole_file(part, data)) return ec;
        std::lock_guard lock(mutex_);
        last_written_ = part.entry_index;
        return {};
    }
    auto file = file_for_writing(part.entry_index);
    if (!file) return file.error();
    auto skipped = write_segment(**file, part, data);
    if (!skipped) return skipped.error();
    start_writeback(**file, part);
    bool last = false;
    bool truncate = false;
    {
        std::lock_guard lock(mutex_);
        if (*skipped) pieces_left_.mark_truncate(part.entry_index);
        last_written_ = part.entry_index;
        last = pieces_left_.count_off(part.entry_index);
        truncate = pieces_left_.needs_truncate(part.entry_index);
        if (auto it = open_.find(part.entry_index); last && it != open_.end()) {
            recently_used_.erase(it->second.second);
            open_.erase(it);
        }
    }
    return last ? complete_file(part.entry_index, (*file)->fd.get(), truncate) : std::error_code{};
}

// Empty files, symlinks, then directory modes and times deepest first (reverse canonical order
// puts every directory after everything inside it), so no later change touches a set mtime.
std::error_code tree_writer::finish_entries() const {
    std::vector<uint32_t> directories;  // for the pass in reverse order below
    for (uint32_t index = 0; const auto& e : manifest_.entries) {
        if (e.kind == tree::entry_kind::directory) directories.push_back(index);
        ++index;
        if (e.kind == tree::entry_kind::file && e.size == 0) {
            auto fd = open_in_tree(staging_fd_.get(), e.path, O_WRONLY | O_CREAT | O_NOCTTY, 0600);
            if (!fd) return fd.error();
            if (auto ec = set_metadata(fd->get(), e)) return ec;
        } else if (e.kind == tree::entry_kind::symlink) {
            auto where = split_parent(staging_fd_.get(), e.path);
            if (!where) return where.error();
            const int parent = fd_or(where->parent, staging_fd_.get());
            const char* name = where->name.c_str();
            if (::symlinkat(e.link_target.c_str(), parent, name) != 0) {
                if (errno != EEXIST) return last_system_error();
                // Made by an earlier run that was stopped: replaced, whatever it is.
                if (::unlinkat(parent, name, 0) != 0 ||
                    ::symlinkat(e.link_target.c_str(), parent, name) != 0) {
                    return last_system_error();
                }
            }
            const timespec times[2] = {to_timespec(e.mtime_ns), to_timespec(e.mtime_ns)};
            if (::utimensat(parent, name, times, AT_SYMLINK_NOFOLLOW) != 0)
                return last_system_error();
        }
    }
    for (auto it = directories.rbegin(); it != directories.rend(); ++it) {
        const auto directory = manifest_.entries[*it];
        auto fd = open_in_tree(staging_fd_.get(), directory.path, O_RDONLY | O_DIRECTORY);
        if (!fd) return fd.error();
        if (auto ec = set_metadata(fd->get(), directory)) return ec;
    }
    if (::fchmod(staging_fd_.get(), 0755) != 0) return last_system_error();
    return {};
}

}  // namespace xfer
