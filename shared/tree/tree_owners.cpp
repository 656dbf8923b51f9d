#include "shared/tree/tree_owners.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "shared/core/error.hpp"
#include "shared/core/fd.hpp"
#include "shared/wire/byte_io.hpp"

namespace xfer::tree {
namespace {

constexpr size_t run_size = 12;

// Walks `entries` (canonical order: every directory's subtree follows it) holding one open
// descriptor per directory on the way down. `on_directory(fd, index)` gets each directory opened
// from its parent with O_NOFOLLOW; `on_leaf(parent_fd, name, index)` each file and symlink.
template <typename OnDirectory, typename OnLeaf>
std::error_code walk(int root_fd, const entry_table& entries, OnDirectory&& on_directory,
                     OnLeaf&& on_leaf) {
    struct open_directory {
        std::string path;
        unique_fd fd;
    };
    std::vector<open_directory> stack;
    for (size_t index = 0; index < entries.size(); ++index) {
        const auto& e = entries[index];
        const auto slash = e.path.rfind('/');
        const std::string_view parent = slash == std::string::npos
                                            ? std::string_view()
                                            : std::string_view(e.path).substr(0, slash);
        const std::string name = slash == std::string::npos ? e.path : e.path.substr(slash + 1);
        while (!stack.empty() && stack.back().path != parent) stack.pop_back();
        if (stack.empty() && !parent.empty()) return errc::tree_parent_missing;
        const int parent_fd = stack.empty() ? root_fd : stack.back().fd.get();
        if (e.kind != entry_kind::directory) {
            if (auto ec = on_leaf(parent_fd, name.c_str(), index)) return ec;
            continue;
        }
        unique_fd directory(
            ::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!directory) return last_system_error();
        if (auto ec = on_directory(directory.get(), index)) return ec;
        stack.push_back({e.path, std::move(directory)});
    }
    return {};
}

void append(owner_runs& runs, const struct stat& st) {
    if (!runs.empty() && runs.back().uid == st.st_uid && runs.back().gid == st.st_gid) {
        ++runs.back().count;
        return;
    }
    runs.push_back({1, static_cast<uint32_t>(st.st_uid), static_cast<uint32_t>(st.st_gid)});
}

// The owner of each item in turn, from the runs (already checked to cover every item).
class owner_cursor {
  public:
    explicit owner_cursor(const owner_runs& runs) : runs_(runs) {}
    const owner_run* next() {
        while (run_ < runs_.size() && used_ == runs_[run_].count) {
            ++run_;
            used_ = 0;
        }
        if (run_ == runs_.size()) return nullptr;
        ++used_;
        return &runs_[run_];
    }

  private:
    const owner_runs& runs_;
    size_t run_ = 0;
    uint32_t used_ = 0;
};

}  // namespace

std::vector<uint8_t> encode_owners(const owner_runs& runs) {
    std::vector<uint8_t> out;
    out.reserve(12 + runs.size() * run_size);
    wire::byte_writer w(out);
    w.bytes(owners_record_magic);
    w.u32(static_cast<uint32_t>(4 + runs.size() * run_size));
    w.u32(static_cast<uint32_t>(runs.size()));
    for (const auto& run : runs) {
        w.u32(run.count);
        w.u32(run.uid);
        w.u32(run.gid);
    }
    return out;
}

size_t owners_record_size(std::span<const uint8_t> bytes) {
    if (bytes.size() < 8 || std::memcmp(bytes.data(), owners_record_magic.data(), 4) != 0) return 0;
    wire::byte_reader r(bytes.subspan(4, 4));
    const uint64_t size = 8 + uint64_t{r.u32()};
    return size <= bytes.size() ? static_cast<size_t>(size) : 0;
}

std::expected<owner_runs, std::error_code> decode_owners(std::span<const uint8_t> record,
                                                         size_t entry_count) {
    const auto invalid = std::unexpected(make_error_code(errc::manifest_invalid));
    wire::byte_reader r(record);
    uint8_t magic[4];
    r.bytes(magic);
    const uint32_t length = r.u32();
    const uint32_t run_count = r.u32();
    if (!r.ok() || std::memcmp(magic, owners_record_magic.data(), 4) != 0) return invalid;
    // Bounded by the items (a run covers at least one) and by the bytes present.
    if (run_count > entry_count + 1 || r.remaining() != size_t{run_count} * run_size ||
        length != 4 + size_t{run_count} * run_size) {
        return invalid;
    }
    owner_runs runs(run_count);
    uint64_t covered = 0;
    for (auto& run : runs) {
        run.count = r.u32();
        run.uid = r.u32();
        run.gid = r.u32();
        if (run.count == 0) return invalid;
        // One owner, one run: a record has one encoding.
        if (&run != runs.data() && run.uid == (&run - 1)->uid && run.gid == (&run - 1)->gid)
            return invalid;
        covered += run.count;
    }
    if (!r.ok() || covered != uint64_t{entry_count} + 1) return invalid;
    return runs;
}

std::expected<owner_runs, std::error_code> collect_owners(int root_fd, const entry_table& entries) {
    owner_runs runs;
    struct stat st {};
    if (::fstat(root_fd, &st) != 0) return std::unexpected(last_system_error());
    append(runs, st);
    const auto ec = walk(
        root_fd, entries,
        [&](int fd, size_t) -> std::error_code {
            if (::fstat(fd, &st) != 0) return last_system_error();
            append(runs, st);
            return {};
        },
        [&](int parent, const char* name, size_t) -> std::error_code {
            if (::fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return last_system_error();
            append(runs, st);
            return {};
        });
    if (ec) return std::unexpected(ec);
    return runs;
}

std::error_code apply_owners(int root_fd, const entry_table& entries, const owner_runs& runs) {
    if (runs.empty()) return {};  // no --owners
    owner_cursor owners(runs);
    const auto* root = owners.next();
    if (root == nullptr) return errc::manifest_invalid;
    if (::fchown(root_fd, root->uid, root->gid) != 0) return last_system_error();
    return walk(
        root_fd, entries,
        [&](int fd, size_t) -> std::error_code {
            const auto* owner = owners.next();
            if (owner == nullptr) return errc::manifest_invalid;
            if (::fchown(fd, owner->uid, owner->gid) != 0) return last_system_error();
            return {};
        },
        [&](int parent, const char* name, size_t) -> std::error_code {
            const auto* owner = owners.next();
            if (owner == nullptr) return errc::manifest_invalid;
            if (::fchownat(parent, name, owner->uid, owner->gid, AT_SYMLINK_NOFOLLOW) != 0)
                return last_system_error();
            return {};
        });
}

}  // namespace xfer::tree
