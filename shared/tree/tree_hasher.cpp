#include "shared/tree/tree_hasher.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "shared/core/error.hpp"
#include "shared/core/fd.hpp"
#include "shared/hash/sha256.hpp"

namespace xfer::tree {
namespace {

// Large enough that the kernel's read-ahead keeps the disk streaming, small enough to stay
// cache-friendly; the one buffer serves every file.
constexpr size_t read_buffer_size = 1024 * 1024;

// The manifest's parents are directories, so any symlink on the way means the tree changed.
std::expected<unique_fd, std::error_code> open_file_beneath(int root_dirfd,
                                                            const std::string& path) {
    open_how how{};
    how.flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    for (;;) {
        const long fd = ::syscall(SYS_openat2, root_dirfd, path.c_str(), &how, sizeof how);
        if (fd >= 0) return unique_fd(static_cast<int>(fd));
        if (errno == EINTR || errno == EAGAIN) continue;
        if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == EXDEV)
            return std::unexpected(make_error_code(errc::content_changed));
        return std::unexpected(last_system_error());
    }
}

bool still_as_listed(int fd, const entry& e) {
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return false;
    const int64_t mtime = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
    return static_cast<uint64_t>(st.st_size) == e.size && mtime == e.mtime_ns;
}

// Cuts the byte stream of all files into pieces and reports each one as it completes.
class piece_stream {
  public:
    piece_stream(const tree_manifest& manifest, const std::atomic<bool>& cancelled,
                 const std::function<void(uint32_t, const sha256_digest&)>& on_piece)
        : piece_size_(manifest.piece_size),
          remaining_bytes_(manifest.total_file_bytes()),
          cancelled_(cancelled),
          on_piece_(on_piece) {
        start_piece();
    }

    // False once cancelled: no piece is reported after the flag is seen.
    bool feed(const uint8_t* data, size_t size) {
        while (size > 0) {
            const auto take = static_cast<size_t>(std::min<uint64_t>(size, left_in_piece_));
            hasher_.update({data, take});
            data += take;
            size -= take;
            left_in_piece_ -= take;
            if (left_in_piece_ == 0) {
                if (cancelled_.load(std::memory_order_relaxed)) return false;
                on_piece_(piece_index_++, hasher_.finish());
                start_piece();
            }
        }
        return true;
    }

  private:
    void start_piece() {
        hasher_.reset();
        left_in_piece_ = std::min<uint64_t>(piece_size_, remaining_bytes_);
        remaining_bytes_ -= left_in_piece_;
    }

    uint32_t piece_size_;
    uint64_t remaining_bytes_;
    const std::atomic<bool>& cancelled_;
    const std::function<void(uint32_t, const sha256_digest&)>& on_piece_;
    sha256_hasher hasher_;
    uint32_t piece_index_ = 0;
    uint64_t left_in_piece_ = 0;
};

std::error_code hash_file(int root_dirfd, const entry& e, std::vector<uint8_t>& buffer,
                          piece_stream& stream, const std::atomic<bool>& cancelled) {
    auto fd = open_file_beneath(root_dirfd, e.path);
    if (!fd) return fd.error();
    if (!still_as_listed(fd->get(), e)) return errc::content_changed;
    ::posix_fadvise(fd->get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    uint64_t left = e.size;
    while (left > 0) {
        if (cancelled.load(std::memory_order_relaxed)) return errc::cancelled;
        const auto want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), left));
        const ssize_t got = ::read(fd->get(), buffer.data(), want);
        if (got < 0) {
            if (errno == EINTR) continue;
            return last_system_error();
        }
        if (got == 0) return errc::content_changed;  // shrank under us
        if (!stream.feed(buffer.data(), static_cast<size_t>(got))) return errc::cancelled;
        left -= static_cast<uint64_t>(got);
    }
    // Grown, rewritten or touched while we read: the hashes would describe no single version.
    return still_as_listed(fd->get(), e) ? std::error_code{} : errc::content_changed;
}

}  // namespace

std::error_code hash_tree_pieces(
    int root_dirfd, const tree_manifest& manifest, const std::atomic<bool>& cancelled,
    const std::function<void(uint32_t, const sha256_digest&)>& on_piece) {
    if (manifest.piece_count() == 0) return {};
    std::vector<uint8_t> buffer(read_buffer_size);
    piece_stream stream(manifest, cancelled, on_piece);
    for (const auto& e : manifest.entries) {
        if (e.kind != entry_kind::file || e.size == 0) continue;
        if (cancelled.load(std::memory_order_relaxed)) return errc::cancelled;
        if (const auto ec = hash_file(root_dirfd, e, buffer, stream, cancelled)) return ec;
    }
    return {};
}

}  // namespace xfer::tree
