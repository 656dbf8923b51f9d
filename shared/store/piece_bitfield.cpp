#include "shared/store/piece_bitfield.hpp"

namespace xfer {

piece_bitfield::storage::storage(uint32_t count)
    : piece_count(count), words(new std::atomic<uint64_t>[(count + 63) / 64]) {
    for (uint32_t i = 0; i < (count + 63) / 64; ++i) words[i].store(0);
}

piece_bitfield::piece_bitfield(uint32_t piece_count)
    : storage_(std::make_shared<storage>(piece_count)) {}

void piece_bitfield::adopt(const piece_bitfield& other) {
    if (other.size() == size()) storage_ = other.storage_;
}

bool piece_bitfield::test(uint32_t piece) const {
    if (piece >= size()) return false;
    return (storage_->words[piece / 64].load(std::memory_order_acquire) >> (piece % 64)) & 1;
}

bool piece_bitfield::set(uint32_t piece) {
    if (piece >= size()) return false;
    const uint64_t mask = uint64_t{1} << (piece % 64);
    const uint64_t before = storage_->words[piece / 64].fetch_or(mask, std::memory_order_acq_rel);
    if (before & mask) return false;
    storage_->have_count.fetch_add(1, std::memory_order_acq_rel);
    return true;
}

std::vector<uint8_t> piece_bitfield::to_bytes() const {
    std::vector<uint8_t> bytes((size() + 7) / 8, 0);
    for (uint32_t piece = 0; piece < size(); ++piece) {
        if (test(piece)) bytes[piece / 8] |= static_cast<uint8_t>(0x80 >> (piece % 8));
    }
    return bytes;
}

void piece_bitfield::set_from_bytes(std::span<const uint8_t> bytes) {
    for (uint32_t piece = 0; piece < size() && piece / 8 < bytes.size(); ++piece) {
        if (bytes[piece / 8] & (0x80 >> (piece % 8))) set(piece);
    }
}

}  // namespace xfer
