#include "shared/store/streamed_manifest.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "shared/manifest/manifest_stream.hpp"

namespace xfer {

streamed_manifest::streamed_manifest(std::vector<uint8_t> encoding, uint32_t piece_count)
    : encoding_(std::move(encoding)),
      piece_count_(piece_count),
      hashes_at_(hashes_offset(encoding_, piece_count)) {}

std::error_code streamed_manifest::error() const {
    std::lock_guard lock(mutex_);
    return error_;
}

void streamed_manifest::add(const sha256_digest& hash) {
    std::lock_guard lock(mutex_);
    const uint32_t piece = known_.load(std::memory_order_relaxed);
    assert(piece < piece_count_);
    std::memcpy(encoding_.data() + hashes_at_ + size_t{piece} * hash.size(), hash.data(),
                hash.size());
    known_.store(piece + 1, std::memory_order_release);
}

void streamed_manifest::finish(std::error_code ec) {
    std::lock_guard lock(mutex_);
    if (!ec && known_.load(std::memory_order_relaxed) != piece_count_)
        ec = std::make_error_code(std::errc::io_error);  // a hasher that stopped short
    error_ = ec;
    finished_.store(true, std::memory_order_release);
}

void streamed_manifest::run(const std::atomic<bool>& stop, const std::function<void()>& progress) {
    const auto ec = work ? work(
                               [&](const sha256_digest& hash) {
                                   add(hash);
                                   progress();
                               },
                               stop)
                         : std::make_error_code(std::errc::operation_not_supported);
    finish(ec);
    work = nullptr;  // its descriptors close now, not when the last reader lets go
    progress();
}

void streamed_manifest::view_head(uint32_t known, const bytes_fn& use) const {
    std::lock_guard lock(mutex_);
    use(std::span<const uint8_t>(encoding_).first(hashes_at_ + size_t{known} * 32));
}

std::vector<sha256_digest> streamed_manifest::hashes(uint32_t first, uint32_t at_most) const {
    const uint32_t known_now = known();
    const uint32_t last = first >= known_now ? first : first + std::min(at_most, known_now - first);
    std::vector<sha256_digest> out(last - first);
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < out.size(); ++i)
        std::memcpy(out[i].data(), encoding_.data() + hashes_at_ + (first + i) * 32, 32);
    return out;
}

void streamed_manifest::view_encoding(const bytes_fn& use) const {
    std::lock_guard lock(mutex_);
    use(encoding_);
}

}  // namespace xfer
