// The three messages of pairing (shared/pairing/pairing_exchange.hpp), framed like every peer
// message (frame.hpp: u32 length | u8 type | body) and sent right after the HELLOs of a
// connection whose receiver set hello_feature_pairing. Layouts (big-endian, byte by byte in
// docs/PROTOCOL.md, "Pairing"):
//
//   PAIR_INIT    (40)  Ya[32] | u8 name_len (1..64) | name
//   PAIR_REPLY   (41)  u8 status = 0 | Yb[32] | u8 name_len (1..64) | name | tag_b[64]
//                      or u8 status != 0 alone: the sender refuses (pairing_errc 1..4)
//   PAIR_CONFIRM (42)  tag_a[64]
//
// Names are the peers' display names: UTF-8 without control characters. Every length is
// checked against its bound before it is used; anything else (trailing bytes, an unknown
// status) is malformed.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "shared/wire/frame.hpp"

namespace xfer::wire {

inline constexpr size_t pairing_point_size = 32;  // an encoded ristretto255 element
inline constexpr size_t pairing_tag_size = 64;    // HMAC-SHA512
inline constexpr size_t max_pairing_name = 64;    // as discovery's limits::max_name_bytes
inline constexpr uint32_t pair_init_min_body = pairing_point_size + 1 + 1;
inline constexpr uint32_t pair_init_max_body = pairing_point_size + 1 + max_pairing_name;
inline constexpr uint32_t pair_reply_min_body = 1;
inline constexpr uint32_t pair_reply_max_body =
    1 + pairing_point_size + 1 + max_pairing_name + pairing_tag_size;
inline constexpr uint32_t pair_confirm_body = pairing_tag_size;
// PAIR_REPLY statuses above this are malformed (the refusals are pairing_errc 1..4).
inline constexpr uint8_t max_pair_refusal = 4;

using pairing_point = std::array<uint8_t, pairing_point_size>;
using pairing_tag = std::array<uint8_t, pairing_tag_size>;

struct pair_init {
    pairing_point Ya{};
    std::string name;
    friend bool operator==(const pair_init&, const pair_init&) = default;
};

struct pair_reply {
    uint8_t status = 0;  // 0 = go on; else a pairing_errc refusal and no other field
    pairing_point Yb{};
    std::string name;
    pairing_tag tag{};
    friend bool operator==(const pair_reply&, const pair_reply&) = default;
};

struct pair_confirm {
    pairing_tag tag{};
    friend bool operator==(const pair_confirm&, const pair_confirm&) = default;
};

using pairing_message = std::variant<pair_init, pair_reply, pair_confirm>;

// A name a pairing message may carry: 1..max_pairing_name bytes, no C0 control or DEL.
bool is_valid_pairing_name(std::string_view name);

// Append a whole frame. The caller passes valid names (asserted).
void encode(const pair_init&, std::vector<uint8_t>& out);
void encode(const pair_reply&, std::vector<uint8_t>& out);
void encode(const pair_confirm&, std::vector<uint8_t>& out);

// Decodes the body of a frame whose header passed validate_header(); a non-pairing type is
// errc::unexpected_message, a bad body errc::malformed_message or errc::frame_truncated.
std::expected<pairing_message, std::error_code> decode_pairing(message_type type,
                                                               std::span<const uint8_t> body);

}  // namespace xfer::wire
