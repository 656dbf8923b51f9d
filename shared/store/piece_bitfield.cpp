#include "shared/store/piece_bitfield.hpp"

namespace xfer {

piece_bitfield::piece_bitfield(uint32_t piece_count)
    : piece_count_(piece_count), words_(new std::atomic<uint64_t>[(piece_count + 63) / 64]) {
    for (uint32_t i = 0; i < (piece_count + 63) / 64; ++i) words_[i].store(0);
}

bool piece_bitfield::test(uint32_t piece) const {
    if (piece >= piece_count_) return false;
    return (words_[piece / 64].load(std::memory_order_acquire) >> (piece % 64)) & 1;
}

bool piece_bitfield::set(uint32_t piece) {
    if (piece >= piece_count_) return false;
    const uint64_t mask = uint64_t{1} << (piece % 64);
    const uint64_t before = words_[piece / 64].fetch_or(mask, std::memory_order_acq_rel);
    if (before & mask) return false;
    have_count_.fetch_add(1, std::memory_order_acq_rel);
    return true;
}

std::vector<uint8_t> piece_bitfield::to_bytes() const {
    std::vector<uint8_t> bytes((piece_count_ + 7) / 8, 0);
    for (uint32_t piece = 0; piece < piece_count_; ++piece) {
        if (test(piece)) bytes[piece / 8] |= static_cast<uint8_t>(0x80 >> (piece % 8));
    }
    return bytes;
}

void piece_bitfield::set_from_bytes(std::span<const uint8_t> bytes) {
    for (uint32_t piece = 0; piece < piece_count_ && piece / 8 < bytes.size(); ++piece) {
        if (bytes[piece / 8] & (0x80 >> (piece % 8))) set(piece);
    }
}

}  // namespace xfer
