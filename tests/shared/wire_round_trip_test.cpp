// The peer protocol codec: every message through encode, validate_header and decode comes back
// equal (byte-exact encodings: wire_messages_test.cpp).
#include "tests/shared/wire_test_support.hpp"  // gtest, the wire codec and the helpers

namespace xfer::wire {
namespace {

using namespace test_support;

// --- round trips ----------------------------------------------------------------------------

TEST(WireMessages, HelloRoundTrips) {
    hello h;
    h.id = counting_peer_id();
    h.features = 0xffffffff;
    h.listen_port = 65535;
    h.listen_host = "fe80::1%eth0";
    expect_round_trip(h);
    expect_round_trip(hello{});
    h.listen_host = std::string(max_text_length, 'h');
    expect_round_trip(h);
    h.version = 2;  // the codec carries any version; the connection decides what it accepts
    expect_round_trip(h);
}

TEST(WireMessages, HelloHostLongerThanTheLimitIsCutOnEncode) {
    hello h;
    h.listen_host = std::string(max_text_length + 10, 'h');
    std::vector<uint8_t> bytes;
    encode(h, bytes);
    const auto decoded =
        decode(message_type::hello, std::span<const uint8_t>(bytes).subspan(frame_header_size));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(std::get<hello>(*decoded).listen_host, std::string(max_text_length, 'h'));
}

// --site: an optional field after the host; a HELLO without it (an older peer, or no --site)
// is byte for byte the one above, and one with it decodes to the same label.
TEST(WireMessages, HelloSiteIsAnOptionalTrailingString) {
    hello h;
    h.id = counting_peer_id();
    h.listen_port = 7420;
    h.listen_host = "h1";
    const std::string without = encoded_hex(h);
    h.site = "rack1";
    EXPECT_EQ(encoded_hex(h), "00000027" + without.substr(8) + "0005" + "7261636b31");
    expect_round_trip(h);
    h.site = std::string(max_site_length, 's');
    expect_round_trip(h);
}

TEST(WireMessages, HelloSiteOutsideItsCharactersOrTooLongIsMalformed) {
    hello h;
    std::vector<uint8_t> bytes;
    encode(h, bytes);
    const auto with_site = [&](const std::string& site) {
        std::vector<uint8_t> body(bytes.begin() + frame_header_size, bytes.end());
        body.push_back(static_cast<uint8_t>(site.size() >> 8));
        body.push_back(static_cast<uint8_t>(site.size()));
        body.insert(body.end(), site.begin(), site.end());
        return decode(message_type::hello, body);
    };
    ASSERT_TRUE(with_site("rack-0/row.2:a_b"));
    EXPECT_EQ(std::get<hello>(*with_site("rack-0/row.2:a_b")).site, "rack-0/row.2:a_b");
    EXPECT_EQ(with_site("\x1b]0;owned\x07").error(), make_error_code(errc::malformed_message));
    EXPECT_EQ(with_site("r a").error(), make_error_code(errc::malformed_message));
    EXPECT_EQ(with_site("").error(), make_error_code(errc::malformed_message));
    EXPECT_FALSE(with_site(std::string(max_site_length + 1, 's')));
    EXPECT_TRUE(is_valid_site(""));
    EXPECT_FALSE(is_valid_site("\xc3\xa9"));
    // Not sent rather than sent bad: the encoder leaves an invalid label out.
    h.site = "bad site";
    EXPECT_EQ(encoded_hex(h), encoded_hex(hello{}));
}

TEST(WireMessages, ErrorRoundTrips) {
    expect_round_trip(error_msg{0, 0, ""});
    expect_round_trip(error_msg{0xffffffff, 0xffff, std::string(max_text_length, 'e')});
    // Text longer than the limit is cut, not a frame the peer would refuse.
    error_msg long_text{1, 2, std::string(max_text_length + 1, 'e')};
    std::vector<uint8_t> bytes;
    encode(long_text, bytes);
    const auto decoded =
        decode(message_type::error, std::span<const uint8_t>(bytes).subspan(frame_header_size));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(std::get<error_msg>(*decoded).text.size(), max_text_length);
}

TEST(WireMessages, EmptyMessagesRoundTrip) {
    expect_round_trip(keepalive{});
    expect_round_trip(bye{});
}

TEST(WireMessages, ListRoundTrips) {
    expect_round_trip(list_request{""});
    expect_round_trip(list_request{"dir/sub dir/ünïcode"});
    expect_round_trip(list_request{std::string(max_path_length, 'p')});
}

TEST(WireMessages, ListingRoundTrips) {
    expect_round_trip(listing{});
    listing l;
    l.entries.push_back({listing_entry::kind_t::file, ~uint64_t{0}, max_pieces, max_pieces, "big"});
    l.entries.push_back({listing_entry::kind_t::file, 10, 0, 0, "unhashed"});
    l.entries.push_back(
        {listing_entry::kind_t::directory, 0, 0, 0, std::string(max_path_length, 'd')});
    expect_round_trip(l);
    listing full;
    full.more = true;
    for (uint32_t i = 0; i < max_listing_entries; ++i) {
        full.entries.push_back({listing_entry::kind_t::file, i, i / 2, i, "f" + std::to_string(i)});
    }
    expect_round_trip(full);
}

TEST(WireMessages, ListingEntryCompleteness) {
    EXPECT_TRUE((listing_entry{listing_entry::kind_t::file, 10, 0, 0, "a"}.complete()));
    EXPECT_TRUE((listing_entry{listing_entry::kind_t::file, 10, 4, 4, "a"}.complete()));
    EXPECT_FALSE((listing_entry{listing_entry::kind_t::file, 10, 3, 4, "a"}.complete()));
    EXPECT_FALSE((listing_entry{listing_entry::kind_t::directory, 0, 0, 0, "a"}.complete()));
}

TEST(WireMessages, OpenRoundTrips) {
    open_request o;
    expect_round_trip(o);  // any version of an empty path: the decoder does not judge the meaning
    o.handle = 0xfffffffe;
    for (size_t i = 0; i < o.content.size(); ++i) o.content[i] = static_cast<uint8_t>(255 - i);
    o.path = std::string(max_path_length, 'o');
    expect_round_trip(o);
}

TEST(WireMessages, ManifestRoundTrips) {
    std::vector<uint8_t> encoded(21 + 3 * 32);
    for (size_t i = 0; i < encoded.size(); ++i) encoded[i] = static_cast<uint8_t>(i * 7);
    expect_round_trip(manifest_msg{42, encoded});
    // Larger than any staging buffer: a manifest of 100000 pieces.
    encoded.assign(21 + 100000 * 32, 0x5a);
    expect_round_trip(manifest_msg{1, encoded});
}

TEST(WireMessages, BitfieldRoundTrips) {
    expect_round_trip(bitfield_msg{1, 0, {}});
    expect_round_trip(bitfield_msg{1, 1, {0x80}});
    expect_round_trip(bitfield_msg{1, 8, {0xff}});
    expect_round_trip(bitfield_msg{1, 9, {0xff, 0x80}});
    std::vector<uint8_t> full(max_pieces / 8, 0xff);
    expect_round_trip(bitfield_msg{0xffffffff, max_pieces, full});
}

TEST(WireMessages, HaveRoundTrips) {
    expect_round_trip(have{0, 0});
    expect_round_trip(have{0xffffffff, 0xffffffff});
}

TEST(WireMessages, RequestAndCancelRoundTripAsTheirOwnTypes) {
    request r;
    r.handle = 9;
    r.piece = 131071;
    r.offset = 0xffffffff;
    r.length = 1;
    expect_round_trip(r);
    r.length = max_block_size;
    expect_round_trip(r);
    cancel c;
    static_cast<block_ref&>(c) = r;
    expect_round_trip(c);
}

TEST(WireMessages, CloseRoundTrips) {
    expect_round_trip(close_msg{0xabcdef01});
}

TEST(WireMessages, PieceHeaderRoundTrips) {
    std::vector<uint8_t> out;
    const piece_header header{0x01020304, 0x05060708, 0x090a0b0c};
    encode_piece_header(header, 100, out);
    uint8_t raw[frame_header_size];
    std::memcpy(raw, out.data(), frame_header_size);
    frame_header frame{};
    ASSERT_FALSE(validate_header(raw, frame));
    EXPECT_EQ(frame.type, message_type::piece);
    EXPECT_EQ(frame.length, piece_prefix_size + 100);
    const auto decoded =
        decode_piece_header(std::span<const uint8_t>(out).subspan(frame_header_size));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, header);
}

}  // namespace
}  // namespace xfer::wire
