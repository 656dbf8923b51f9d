// Helpers shared by the wire codec tests (wire_messages_test, wire_round_trip_test).
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "shared/core/error.hpp"
#include "shared/core/ids.hpp"
#include "shared/wire/frame.hpp"
#include "shared/wire/messages.hpp"

namespace xfer::wire::test_support {

inline std::string hex(const std::vector<uint8_t>& bytes) {
    return to_hex(bytes.data(), bytes.size());
}

template <typename T>
std::string encoded_hex(const T& value) {
    std::vector<uint8_t> out;
    encode(value, out);
    return hex(out);
}

// Encodes, checks the header against the table, decodes the body: the value must come back.
template <typename T>
void expect_round_trip(const T& value) {
    std::vector<uint8_t> bytes;
    encode(value, bytes);
    ASSERT_GE(bytes.size(), frame_header_size);
    uint8_t raw[frame_header_size];
    std::memcpy(raw, bytes.data(), frame_header_size);
    frame_header header{};
    ASSERT_FALSE(validate_header(raw, header));
    ASSERT_EQ(header.length, bytes.size() - frame_header_size);
    const auto decoded =
        decode(header.type, std::span<const uint8_t>(bytes).subspan(frame_header_size));
    ASSERT_TRUE(decoded) << decoded.error().message();
    ASSERT_TRUE(std::holds_alternative<T>(*decoded))
        << "decoded as variant index " << decoded->index();
    EXPECT_TRUE(std::get<T>(*decoded) == value);
    // The variant overload writes the same bytes.
    std::vector<uint8_t> through_variant;
    encode(message{value}, through_variant);
    EXPECT_EQ(through_variant, bytes);
}

inline peer_id counting_peer_id() {
    peer_id id{};
    for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<uint8_t>(i);
    return id;
}

}  // namespace xfer::wire::test_support
