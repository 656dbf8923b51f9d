#include "shared/store/block_ranges.hpp"

#include <unistd.h>

#include <cerrno>

#include "shared/core/error.hpp"

namespace xfer {

std::error_code block_ranges::add(const std::shared_ptr<unique_fd>& file, uint64_t offset,
                                  uint32_t length) {
    if (length >= small_range_bytes) {
        out_.push_back({file, file->get(), offset, length});
        return {};
    }
    if (!buffer_) {
        buffer_ = std::make_shared<std::vector<uint8_t>>();
        buffer_->reserve(block_length_);
    }
    auto& bytes = *buffer_;
    if (bytes.size() + length > bytes.capacity()) return errc::malformed_message;  // not our block
    const size_t start = bytes.size();
    bytes.resize(start + length);
    for (uint32_t got = 0; got < length;) {
        const ssize_t n = ::pread(file->get(), bytes.data() + start + got, length - got,
                                  static_cast<off_t>(offset + got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return last_system_error();
        if (n == 0) return errc::content_changed;  // shorter than its entry says
        got += static_cast<uint32_t>(n);
    }
    // Small files next to each other in the block become one range.
    if (!out_.empty() && out_.back().holder == buffer_ &&
        out_.back().data + out_.back().length == bytes.data() + start) {
        out_.back().length += length;
        return {};
    }
    out_.push_back({buffer_, -1, 0, length, bytes.data() + start});
    return {};
}

}  // namespace xfer
