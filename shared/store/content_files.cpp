#include "shared/store/content_files.hpp"

#include <unistd.h>

#include "shared/core/error.hpp"

namespace xfer {

std::error_code read_piece(content_files& files, uint32_t piece, std::span<uint8_t> out) {
    std::vector<file_range> ranges;
    if (auto ec = files.read_ranges(piece, 0, static_cast<uint32_t>(out.size()), ranges)) return ec;
    size_t done = 0;
    for (const auto& range : ranges) {
        for (uint32_t got = 0; got < range.length;) {
            const ssize_t n = ::pread(range.fd, out.data() + done + got, range.length - got,
                                      static_cast<off_t>(range.offset + got));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return last_system_error();
            if (n == 0) return errc::content_changed;  // the file is shorter than its entry says
            got += static_cast<uint32_t>(n);
        }
        done += range.length;
    }
    return done == out.size() ? std::error_code{} : std::error_code(errc::malformed_message);
}

}  // namespace xfer
