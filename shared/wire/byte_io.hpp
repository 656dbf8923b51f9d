// Big-endian integers read from and written to byte buffers, advancing as they go.
// The reader never reads past its span: every read reports failure instead (libtorrent aux_/io.hpp).
// A failure is sticky: once a read fails every later one does too, so a decoder that checks
// ok() only at the end never sees fields read from the wrong offset after a short field.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xfer::wire {

class byte_writer {
public:
    explicit byte_writer(std::vector<uint8_t>& out) : out_(out) {}

    void u8(uint8_t value) { out_.push_back(value); }
    void u16(uint16_t value) { put(value, 2); }
    void u32(uint32_t value) { put(value, 4); }
    void u64(uint64_t value) { put(value, 8); }
    void bytes(std::span<const uint8_t> data) { out_.insert(out_.end(), data.begin(), data.end()); }
    void bytes(std::string_view data) {
        out_.insert(out_.end(), reinterpret_cast<const uint8_t*>(data.data()),
                    reinterpret_cast<const uint8_t*>(data.data()) + data.size());
    }
    // A string preceded by its u16 length; callers bound the length before encoding.
    void string16(std::string_view text) {
        u16(static_cast<uint16_t>(text.size()));
        bytes(text);
    }
    size_t size() const { return out_.size(); }
    // Overwrites a u32 at `position` (for a length known only after the body is written).
    void patch_u32(size_t position, uint32_t value) {
        for (int i = 0; i < 4; ++i) out_[position + i] = static_cast<uint8_t>(value >> (24 - 8 * i));
    }

private:
    void put(uint64_t value, int width) {
        for (int shift = (width - 1) * 8; shift >= 0; shift -= 8) {
            out_.push_back(static_cast<uint8_t>(value >> shift));
        }
    }
    std::vector<uint8_t>& out_;
};

class byte_reader {
public:
    explicit byte_reader(std::span<const uint8_t> in) : in_(in) {}

    bool u8(uint8_t& value) { return get(value, 1); }
    bool u16(uint16_t& value) { return get(value, 2); }
    bool u32(uint32_t& value) { return get(value, 4); }
    bool u64(uint64_t& value) { return get(value, 8); }
    bool bytes(std::span<uint8_t> out) {
        if (!ok_ || remaining() < out.size()) return fail();
        std::memcpy(out.data(), in_.data() + position_, out.size());
        position_ += out.size();
        return true;
    }
    // A u16-length string of at most `max_length` bytes.
    bool string16(std::string& text, size_t max_length) {
        uint16_t length = 0;
        if (!u16(length)) return false;
        if (length > max_length || remaining() < length) return fail();
        text.assign(reinterpret_cast<const char*>(in_.data() + position_), length);
        position_ += length;
        return true;
    }
    std::span<const uint8_t> take(size_t count) {
        if (!ok_ || remaining() < count) {
            fail();
            return {};
        }
        auto part = in_.subspan(position_, count);
        position_ += count;
        return part;
    }
    size_t remaining() const { return in_.size() - position_; }
    bool at_end() const { return position_ == in_.size(); }
    bool ok() const { return ok_; }

private:
    template <typename T>
    bool get(T& value, int width) {
        if (!ok_ || remaining() < static_cast<size_t>(width)) return fail();
        uint64_t result = 0;
        for (int i = 0; i < width; ++i) result = result << 8 | in_[position_ + i];
        position_ += width;
        value = static_cast<T>(result);
        return true;
    }
    bool fail() {
        ok_ = false;
        return false;
    }
    std::span<const uint8_t> in_;
    size_t position_ = 0;
    bool ok_ = true;
};

}  // namespace xfer::wire
