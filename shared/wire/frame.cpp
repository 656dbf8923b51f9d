#include "shared/wire/frame.hpp"

#include "shared/core/error.hpp"
#include "shared/wire/byte_io.hpp"
#include "shared/wire/pairing_messages.hpp"

namespace xfer::wire {

namespace {
constexpr uint32_t hello_fixed = 4 + 2 + 16 + 4 + 2 + 2;
// handle + the smaller manifest header: a tree's ("XFTR" | version | 3 x u32), not a file's.
constexpr uint32_t manifest_fixed = 4 + 4 + 1 + 4 + 4 + 4;
constexpr uint32_t max_listing_body = 1024 * 1024;
}  // namespace

std::optional<length_bounds> bounds_for(message_type type) {
    switch (type) {
        case message_type::hello:
            return length_bounds{hello_fixed, hello_fixed + max_text_length + 2 + max_site_length};
        case message_type::error:
            return length_bounds{8, 8 + max_text_length};
        case message_type::keepalive:
            return length_bounds{0, 0};
        case message_type::bye:
            return length_bounds{0, 0};
        case message_type::list:
            return length_bounds{2, 2 + max_path_length};
        case message_type::listing:
            return length_bounds{5, max_listing_body};
        case message_type::open:
            return length_bounds{38, 38 + max_path_length + 1};  // + the optional flags
        case message_type::manifest:
            return length_bounds{manifest_fixed, 4 + max_manifest_bytes};
        case message_type::manifest_head:
            return length_bounds{manifest_fixed + 4, 8 + max_manifest_bytes};
        case message_type::manifest_hashes:
            return length_bounds{8 + 32, 8 + max_hashes_per_frame * 32};
        case message_type::bitfield:
            return length_bounds{8, 8 + max_pieces / 8};
        case message_type::have:
            return length_bounds{8, 8};
        case message_type::request:
            return length_bounds{16, 16};
        case message_type::piece:
            return length_bounds{13, 12 + max_block_size};
        case message_type::cancel:
            return length_bounds{16, 16};
        case message_type::close:
            return length_bounds{4, 4};
        case message_type::decline:
            return length_bounds{8, 8};
        case message_type::peers:
            return length_bounds{6, 6 + max_peers_per_message * (2 + 2 + max_host_length)};
        case message_type::pair_init:
            return length_bounds{pair_init_min_body, pair_init_max_body};
        case message_type::pair_reply:
            return length_bounds{pair_reply_min_body, pair_reply_max_body};
        case message_type::pair_confirm:
            return length_bounds{pair_confirm_body, pair_confirm_body};
    }
    return std::nullopt;
}

std::error_code validate_header(const uint8_t (&raw)[frame_header_size], frame_header& out) {
    byte_reader r{std::span<const uint8_t>(raw)};
    out.length = r.u32();
    out.type = static_cast<message_type>(r.u8());
    const auto bounds = bounds_for(out.type);
    if (!bounds) return errc::unknown_message;
    if (out.length > bounds->max) return errc::frame_too_large;
    if (out.length < bounds->min) return errc::frame_truncated;
    return {};
}

}  // namespace xfer::wire
