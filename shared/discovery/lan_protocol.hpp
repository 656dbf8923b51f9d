// LAN announcements: what `xfer serve` multicasts so `xfer peers` and `xfer fetch --lan` find it
// without a tracker. One announcement is 1..32 datagrams ("pages") of at most 1472 bytes each,
// so no datagram is ever fragmented; a listener assembles the pages of one generation.
//
// ANNOUNCE datagram (big-endian):
//   magic "XFLA" | version u8 = 1 | type u8 = 1 | peer_id 16
//   generation u32 (changes whenever the content list does) | page u8 | page_count u8 (1..32)
//   sender_port u16 | host_len u8 + host (empty: use the datagram's source address)
//   name_len u8 + name (1..64) | content_count u8, then per content (as in peer_record.hpp):
//   content_id 32 | size u64 | pieces_had u32 | piece_count u32 | path_len u16 + path
// GOODBYE datagram: magic "XFLA" | version u8 = 1 | type u8 = 2 | peer_id 16   (22 bytes)
// Anything else (wrong magic or version, trailing bytes, a length past the end, a limit broken)
// is dropped whole.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include "shared/discovery/peer_record.hpp"

namespace xfer::discovery::lan {

inline constexpr uint8_t protocol_version = 2;  // 2: signed (signed_datagram.hpp)

struct announce_page {
    peer_id id{};
    uint32_t generation = 0;
    uint8_t page = 0;
    uint8_t page_count = 1;
    uint16_t sender_port = 0;
    std::string sender_host;
    std::string name;
    std::vector<held_content> contents;

    friend bool operator==(const announce_page&, const announce_page&) = default;
};
struct goodbye {
    peer_id id{};
    friend bool operator==(const goodbye&, const goodbye&) = default;
};
using datagram = std::variant<announce_page, goodbye>;

struct encoded_announcement {
    std::vector<std::string> datagrams;
    size_t contents_left_out = 0;  // did not fit in max_pages datagrams
};
// Packs a record's contents into as few pages as fit the datagram size; a record with no
// contents is one page.
encoded_announcement encode_announcement(const peer_record& record, uint32_t generation);
std::string encode_page(const announce_page& page);
std::string encode_goodbye(const peer_id& id);

std::expected<datagram, std::error_code> decode_datagram(std::string_view bytes);

}  // namespace xfer::discovery::lan
