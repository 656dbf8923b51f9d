// Which pieces of one content are verified. Set by the receiver thread, read by the sender
// thread at the same time, so every bit is an atomic word operation.
//
// Two entries for one content (a sender that opened a partial read-only, then the local fetch
// that writes it) must see one set of bits: adopt() makes a bitfield share another's storage.
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

    uint32_t size() const { return storage_->piece_count; }
    bool test(uint32_t piece) const;
    // Returns true if the bit was newly set.
    bool set(uint32_t piece);
    uint32_t count() const { return storage_->have_count.load(std::memory_order_acquire); }
    bool all() const { return count() == size(); }

    // From now on this bitfield and `other` are the same bits (sizes must match).
    void adopt(const piece_bitfield& other);

    // Wire form: piece 0 = MSB of byte 0; spare bits zero (docs/PROTOCOL.md, BITFIELD).
    std::vector<uint8_t> to_bytes() const;
    void set_from_bytes(std::span<const uint8_t> bytes);

  private:
    struct storage {
        explicit storage(uint32_t count);
        uint32_t piece_count;
        std::unique_ptr<std::atomic<uint64_t>[]> words;
        std::atomic<uint32_t> have_count{0};
    };
    std::shared_ptr<storage> storage_;
};

}  // namespace xfer
