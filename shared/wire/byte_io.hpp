// xfer's one checked byte codec: big-endian integers read from and written to byte buffers,
// advancing as they go (libtorrent's aux_/io.hpp). Every encoding xfer owns uses it: peer wire
// messages, manifests, resume state and journal, discovery datagrams and tracker frames, bus
// events.
//
// The reader never reads past its span: every read reports failure instead. A failure is sticky:
// once a read fails every later one does too and value reads yield zero, so a decoder may read
// every field and check ok() (or complete()) once at the end without ever seeing a field read
// from the wrong offset after a short one.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xfer::wire {

// Appends to a byte vector (wire frames, files) or a string (ZeroMQ frames, datagrams).
class byte_writer {
  public:
    explicit byte_writer(std::vector<uint8_t>& out) : vector_(&out) {}
    explicit byte_writer(std::string& out) : string_(&out) {}

    void u8(uint8_t value) { append(&value, 1); }
    void u16(uint16_t value) { put(value, 2); }
    void u32(uint32_t value) { put(value, 4); }
    void u64(uint64_t value) { put(value, 8); }
    void bytes(std::span<const uint8_t> data) { append(data.data(), data.size()); }
    void bytes(std::string_view data) {
        append(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    }
    // A string preceded by its u16 length; callers bound the length before encoding.
    void string16(std::string_view text) {
        u16(static_cast<uint16_t>(text.size()));
        bytes(text);
    }
    size_t size() const { return vector_ ? vector_->size() : string_->size(); }
    // Overwrites a u32 at `position` (for a length known only after the body is written).
    void patch_u32(size_t position, uint32_t value) {
        for (size_t i = 0; i < 4; ++i) {
            const auto byte = static_cast<uint8_t>(value >> (24 - 8 * i));
            if (vector_) {
                (*vector_)[position + i] = byte;
            } else {
                (*string_)[position + i] = static_cast<char>(byte);
            }
        }
    }

  private:
    void put(uint64_t value, int width) {
        uint8_t big_endian[8];
        for (int i = 0; i < width; ++i) {
            big_endian[i] = static_cast<uint8_t>(value >> (8 * (width - 1 - i)));
        }
        append(big_endian, static_cast<size_t>(width));
    }
    void append(const uint8_t* data, size_t size) {
        if (vector_) {
            vector_->insert(vector_->end(), data, data + size);
        } else {
            string_->append(reinterpret_cast<const char*>(data), size);
        }
    }
    std::vector<uint8_t>* vector_ = nullptr;
    std::string* string_ = nullptr;
};

class byte_reader {
  public:
    explicit byte_reader(std::span<const uint8_t> in) : in_(in) {}
    explicit byte_reader(std::string_view in)
        : in_(reinterpret_cast<const uint8_t*>(in.data()), in.size()) {}

    // Checked reads into a field: false (and the reader failed) if the input is short.
    bool u8(uint8_t& value) { return get(value, 1); }
    bool u16(uint16_t& value) { return get(value, 2); }
    bool u32(uint32_t& value) { return get(value, 4); }
    bool u64(uint64_t& value) { return get(value, 8); }
    // The same reads returning the value: zero once the reader has failed.
    uint8_t u8() { return value_of<uint8_t>(); }
    uint16_t u16() { return value_of<uint16_t>(); }
    uint32_t u32() { return value_of<uint32_t>(); }
    uint64_t u64() { return value_of<uint64_t>(); }

    // Copies exactly out.size() bytes.
    bool bytes(std::span<uint8_t> out) {
        const auto part = take(out.size());
        if (!ok_) return false;
        if (!part.empty()) std::memcpy(out.data(), part.data(), part.size());
        return true;
    }
    // A u16-length string of at most `max_length` bytes.
    bool string16(std::string& text, size_t max_length) {
        uint16_t length = 0;
        if (!u16(length)) return false;
        if (length > max_length) return fail();
        const auto part = text_view(length);
        if (!ok_) return false;
        text.assign(part);
        return true;
    }
    // A view of the next `count` bytes (empty, and the reader failed, if fewer remain).
    std::span<const uint8_t> take(size_t count) {
        if (!ok_ || remaining() < count) {
            fail();
            return {};
        }
        auto part = in_.subspan(position_, count);
        position_ += count;
        return part;
    }
    // take() as characters, for text fields.
    std::string_view text_view(size_t count) {
        const auto part = take(count);
        return {reinterpret_cast<const char*>(part.data()), part.size()};
    }

    size_t remaining() const { return in_.size() - position_; }
    bool at_end() const { return position_ == in_.size(); }
    bool ok() const { return ok_; }
    // Every field read fine and nothing is left over: the shape a whole-message decoder accepts.
    bool complete() const { return ok_ && at_end(); }
    // Marks the reader failed, for a decoder that rejects a field's value (a length over its
    // bound): every later read fails too. Returns false, for `return r.fail();`.
    bool fail() {
        ok_ = false;
        return false;
    }

  private:
    template <typename T>
    bool get(T& value, int width) {
        const auto part = take(static_cast<size_t>(width));
        if (!ok_) return false;
        uint64_t result = 0;
        for (const uint8_t byte : part) result = result << 8 | byte;
        value = static_cast<T>(result);
        return true;
    }
    template <typename T>
    T value_of() {
        T value = 0;
        get(value, sizeof(T));
        return value;
    }
    std::span<const uint8_t> in_;
    size_t position_ = 0;
    bool ok_ = true;
};

}  // namespace xfer::wire
