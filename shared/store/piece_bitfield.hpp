// Which pieces of one content are verified. Set by the receiver thread, read by the sender
// thread at the same time, so every bit is an atomic word operation.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace xfer {

class piece_bitfield {
public:
    explicit piece_bitfield(uint32_t piece_count);

    uint32_t size() const { return piece_count_; }
    bool test(uint32_t piece) const;
    // Returns true if the bit was newly set.
    bool set(uint32_t piece);
    uint32_t count() const { return have_count_.load(std::memory_order_acquire); }
    bool all() const { return count() == piece_count_; }

    // Wire form: piece 0 = MSB of byte 0; spare bits zero (docs/PROTOCOL.md, BITFIELD).
    std::vector<uint8_t> to_bytes() const;
    void set_from_bytes(std::span<const uint8_t> bytes);

private:
    uint32_t piece_count_;
    std::unique_ptr<std::atomic<uint64_t>[]> words_;
    std::atomic<uint32_t> have_count_{0};
};

}  // namespace xfer
