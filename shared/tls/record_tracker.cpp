#include "shared/tls/record_tracker.hpp"

#include <algorithm>

namespace xfer::tls {

void record_tracker::consumed(std::span<const uint8_t> bytes) {
    while (!bytes.empty()) {
        if (header_have_ < header_bytes) {
            const size_t take = std::min(header_bytes - header_have_, bytes.size());
            std::copy_n(bytes.begin(), take, header_ + header_have_);
            header_have_ += take;
            bytes = bytes.subspan(take);
            if (header_have_ < header_bytes) return;
            body_left_ = size_t{header_[3]} << 8 | header_[4];
        }
        const size_t take = std::min(body_left_, bytes.size());
        body_left_ -= take;
        bytes = bytes.subspan(take);
        if (body_left_ == 0) header_have_ = 0;  // the next byte starts a record
    }
}

}  // namespace xfer::tls
