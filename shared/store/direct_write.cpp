#include "shared/store/direct_write.hpp"

#include <fcntl.h>

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

std::error_code direct_write::write(int buffered_fd, std::span<const uint8_t> data,
                                    uint64_t offset) const {
    size_t direct_part = 0;
    if (active() && aligned(offset) && aligned(reinterpret_cast<uintptr_t>(data.data()))) {
        direct_part = data.size() / direct_io_alignment * direct_io_alignment;
    }
    if (direct_part > 0) {
        const ssize_t n =
            ::pwrite(direct_fd_.get(), data.data(), direct_part, static_cast<off_t>(offset));
        // A short or refused direct write (EINVAL on a file system that accepted the open but
        // not this write) leaves the rest to the buffered path: correctness never depends on it.
        direct_part =
            n > 0 ? static_cast<size_t>(n) / direct_io_alignment * direct_io_alignment : 0;
    }
    const auto rest = data.subspan(direct_part);
    if (rest.empty()) return {};
    const uint64_t rest_offset = offset + direct_part;
    if (auto ec = pwrite_all(buffered_fd, rest, rest_offset)) return ec;
    // Start writing it back now (asynchronously): the disk works during the transfer instead of
    // all at once in the final fsync.
    ::sync_file_range(buffered_fd, static_cast<off_t>(rest_offset), static_cast<off_t>(rest.size()),
                      SYNC_FILE_RANGE_WRITE);
    return {};
}

}  // namespace xfer
