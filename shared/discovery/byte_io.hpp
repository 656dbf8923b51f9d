// Big-endian writing and bounds-checked reading of the discovery messages' fields.
//
// The reader never throws and never reads past its input: a read beyond the end marks it
// failed and yields zeros, so a decoder reads every field, then asks once `complete()`.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace xfer::discovery {

class byte_writer {
  public:
    explicit byte_writer(std::string& out) : out_(out) {}

    void u8(uint8_t value) { out_.push_back(static_cast<char>(value)); }
    void u16(uint16_t value) { put(value, 2); }
    void u32(uint32_t value) { put(value, 4); }
    void u64(uint64_t value) { put(value, 8); }
    void bytes(const void* data, size_t size) { out_.append(static_cast<const char*>(data), size); }
    void bytes(std::string_view data) { out_.append(data); }

  private:
    void put(uint64_t value, int width) {
        for (int shift = (width - 1) * 8; shift >= 0; shift -= 8) {
            out_.push_back(static_cast<char>(value >> shift));
        }
    }
    std::string& out_;
};

class byte_reader {
  public:
    explicit byte_reader(std::string_view in) : in_(in) {}

    uint8_t u8() { return static_cast<uint8_t>(get(1)); }
    uint16_t u16() { return static_cast<uint16_t>(get(2)); }
    uint32_t u32() { return static_cast<uint32_t>(get(4)); }
    uint64_t u64() { return get(8); }
    // A view of the next `size` bytes (empty, and the reader failed, if fewer remain).
    std::string_view bytes(size_t size) {
        if (failed_ || remaining() < size) {
            failed_ = true;
            return {};
        }
        const auto out = in_.substr(position_, size);
        position_ += size;
        return out;
    }
    template <typename Array>
    void copy_into(Array& target) {
        const auto view = bytes(target.size());
        if (!failed_) std::memcpy(target.data(), view.data(), target.size());
    }

    size_t remaining() const { return in_.size() - position_; }
    bool failed() const { return failed_; }
    // Every field read fine and nothing is left over: the only shape a decoder accepts.
    bool complete() const { return !failed_ && position_ == in_.size(); }

  private:
    uint64_t get(size_t width) {
        const auto view = bytes(width);
        uint64_t value = 0;
        for (const char c : view) value = value << 8 | static_cast<uint8_t>(c);
        return value;
    }
    std::string_view in_;
    size_t position_ = 0;
    bool failed_ = false;
};

}  // namespace xfer::discovery
