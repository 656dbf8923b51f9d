#include "shared/store/direct_write.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "shared/core/aligned_bytes.hpp"
#include "shared/core/error.hpp"

namespace xfer {
namespace {

// On unless XFER_DIRECT_IO=off (or 0, no, false): with the writes on the piece writer's thread
// the loop no longer waits for the device, and direct I/O was as fast in wall time and cheaper
// in CPU (docs/BENCHMARKS.md, "Writes off the fetch loop").
bool enabled_by_environment() {
    const char* value = std::getenv("XFER_DIRECT_IO");
    if (value == nullptr) return true;
    const std::string_view text(value);
    return !(text == "off" || text == "0" || text == "no" || text == "false");
}

std::error_code pwrite_all(int fd, std::span<const uint8_t> data, uint64_t offset) {
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n =
            ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return last_system_error();
        }
        done += static_cast<size_t>(n);
    }
    return {};
}

bool aligned(uint64_t value) {
    return value % direct_io_alignment == 0;
}

}  // namespace

direct_write direct_write::for_file(int path_fd) {
    direct_write result;
    if (!enabled_by_environment()) {
        result.description_ = "buffered writes (direct I/O turned off: XFER_DIRECT_IO=off)";
        return result;
    }
    const auto self = "/proc/self/fd/" + std::to_string(path_fd);
    unique_fd fd(::open(self.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC | O_NOCTTY));
    if (!fd) {
        result.description_ = std::string("buffered writes (direct I/O not supported here: ") +
                              std::strerror(errno) + ")";
        return result;
    }
    result.direct_fd_ = std::move(fd);
    result.description_ = "direct I/O";
    return result;
}

// The bytes go from the buffer to the disk: a file's block-aligned whole blocks through the
// direct descriptor, from `data` itself when it is aligned in memory too, else through a bounce
// buffer of this thread (a tree's files start anywhere in a piece; a copy into one reused buffer
// costs far less than one into fresh page-cache pages and their write-back). Returns the bytes
// written, whole blocks; fewer than asked (a short or refused write: EINVAL on a file system that
// accepted the open but not this write) leave the rest to the buffered path.
size_t direct_write::write_blocks(const uint8_t* data, size_t size, uint64_t offset) const {
    const auto write_once = [this](const uint8_t* from, size_t length, uint64_t at) -> size_t {
        const ssize_t n = ::pwrite(direct_fd_.get(), from, length, static_cast<off_t>(at));
        return n > 0 ? static_cast<size_t>(n) / direct_io_alignment * direct_io_alignment : 0;
    };
    if (aligned(reinterpret_cast<uintptr_t>(data))) return write_once(data, size, offset);
    thread_local const aligned_bytes bounce = allocate_aligned(bounce_size);
    size_t done = 0;
    while (done < size) {
        const size_t chunk = std::min(bounce_size, size - done);
        std::memcpy(bounce.get(), data + done, chunk);
        const size_t written = write_once(bounce.get(), chunk, offset + done);
        done += written;
        if (written < chunk) break;
    }
    return done;
}

std::error_code direct_write::write(int buffered_fd, std::span<const uint8_t> data,
                                    uint64_t offset) const {
    if (!active()) return write_buffered(buffered_fd, data, offset);
    // Up to the file's first block boundary buffered, whole blocks direct, the tail buffered:
    // no block is ever written both ways at once.
    const size_t head = std::min(
        data.size(), (direct_io_alignment - offset % direct_io_alignment) % direct_io_alignment);
    if (auto ec = write_buffered(buffered_fd, data.first(head), offset)) return ec;
    const size_t blocks = (data.size() - head) / direct_io_alignment * direct_io_alignment;
    const size_t direct = blocks > 0 ? write_blocks(data.data() + head, blocks, offset + head) : 0;
    return write_buffered(buffered_fd, data.subspan(head + direct), offset + head + direct);
}

// Buffered, with its write-back started now (asynchronously): the disk works during the transfer
// instead of all at once in the final fsync.
std::error_code direct_write::write_buffered(int fd, std::span<const uint8_t> data,
                                             uint64_t offset) {
    if (data.empty()) return {};
    if (auto ec = pwrite_all(fd, data, offset)) return ec;
    ::sync_file_range(fd, static_cast<off_t>(offset), static_cast<off_t>(data.size()),
                      SYNC_FILE_RANGE_WRITE);
    return {};
}

}  // namespace xfer
