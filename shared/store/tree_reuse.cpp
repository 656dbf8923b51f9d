#include "shared/store/tree_reuse.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <vector>

#include "shared/core/error.hpp"
#include "shared/core/fd.hpp"
#include "shared/hash/sha256.hpp"
#include "shared/store/path_guard.hpp"
#include "shared/tree/piece_layout.hpp"

namespace xfer {
namespace {

// The old tree's files, one open at a time (pieces come in file order, so consecutive reads
// mostly stay in one file); a file that cannot serve as its entry is remembered as such.
class old_files {
  public:
    old_files(int root, const tree::tree_manifest& wanted) : root_(root), wanted_(wanted) {}

    // The descriptor of entry `index` if the old tree has it as a regular file of its size.
    std::optional<int> file(uint32_t index) {
        if (index == current_) return fd_ ? std::optional<int>(fd_.get()) : std::nullopt;
        current_ = index;
        fd_ = unique_fd();
        const auto& e = wanted_.entries[index];
        auto opened = open_in_tree(root_, e.path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
        if (!opened) return std::nullopt;
        struct stat info {};
        if (::fstat(opened->get(), &info) != 0 || !S_ISREG(info.st_mode) ||
            static_cast<uint64_t>(info.st_size) != e.size) {
            return std::nullopt;
        }
        fd_ = std::move(*opened);
        return fd_.get();
    }

  private:
    const int root_;
    const tree::tree_manifest& wanted_;
    uint32_t current_ = UINT32_MAX;
    unique_fd fd_;
};

bool read_exactly(int fd, uint8_t* out, uint32_t length, uint64_t offset) {
    for (uint32_t got = 0; got < length;) {
        const ssize_t n = ::pread(fd, out + got, length - got, static_cast<off_t>(offset + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        got += static_cast<uint32_t>(n);
    }
    return true;
}

}  // namespace

std::error_code reuse_matching_pieces(
    int existing_dir, const tree::tree_manifest& wanted, const piece_bitfield& had,
    const std::atomic<bool>& cancelled,
    const std::function<std::error_code(uint32_t, std::span<const uint8_t>)>& keep) {
    const tree::piece_layout layout(wanted);
    old_files files(existing_dir, wanted);
    std::vector<uint8_t> buffer;
    for (uint32_t piece = 0; piece < layout.piece_count(); ++piece) {
        if (cancelled.load()) return errc::cancelled;
        if (had.test(piece)) continue;
        buffer.resize(layout.piece_length(piece));
        size_t filled = 0;
        bool readable = true;
        layout.for_each_segment(piece, 0, layout.piece_length(piece), [&](const auto& part) {
            const auto fd = files.file(part.entry_index);
            readable =
                fd && read_exactly(*fd, buffer.data() + filled, part.length, part.file_offset);
            if (readable) filled += part.length;
            return readable;
        });
        if (!readable || filled != buffer.size()) continue;
        if (sha256(buffer) != wanted.piece_hashes[piece]) continue;
        if (auto ec = keep(piece, buffer)) return ec;
    }
    return {};
}

}  // namespace xfer
