#include "shared/store/content_files.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "shared/core/error.hpp"

namespace xfer {

std::error_code read_piece(content_files& files, uint32_t piece, std::span<uint8_t> out) {
    // Block by block: a piece of a tree of tiny files may span a million of them, and each
    // block's ranges hold what they read (block_ranges.hpp).
    constexpr size_t step = 256 * 1024;
    std::vector<file_range> ranges;
    for (size_t block = 0; block < out.size(); block += step) {
        const auto length = static_cast<uint32_t>(std::min(step, out.size() - block));
        ranges.clear();
        if (auto ec = files.read_ranges(piece, static_cast<uint32_t>(block), length, ranges))
            return ec;
        size_t done = block;
        for (const auto& range : ranges) {
            if (done + range.length > block + length) return errc::malformed_message;
            if (range.data != nullptr) {
                std::memcpy(out.data() + done, range.data, range.length);
                done += range.length;
                continue;
            }
            for (uint32_t got = 0; got < range.length;) {
                const ssize_t n = ::pread(range.fd, out.data() + done + got, range.length - got,
                                          static_cast<off_t>(range.offset + got));
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) return last_system_error();
                if (n == 0) return errc::content_changed;  // shorter than its entry says
                got += static_cast<uint32_t>(n);
            }
            done += range.length;
        }
        if (done != block + length) return errc::malformed_message;
    }
    return {};
}

}  // namespace xfer
