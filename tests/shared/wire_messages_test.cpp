// The peer protocol codec, byte by byte: for every message an encoding written out by hand from
// the layout comments in messages.hpp (round trips: wire_round_trip_test.cpp).
#include "tests/shared/wire_test_support.hpp"  // gtest, the wire codec and the helpers

namespace xfer::wire {
namespace {

using namespace test_support;

// --- byte-exact encodings -------------------------------------------------------------------

TEST(WireMessages, HelloBytes) {
    hello h;
    h.id = counting_peer_id();
    h.features = 0x0a0b0c0d;
    h.listen_port = 7420;
    h.listen_host = "h1";
    EXPECT_EQ(encoded_hex(h),
              "00000020"
              "01"
              "58464552"                          // "XFER"
              "0002"                              // version
              "000102030405060708090a0b0c0d0e0f"  // instance id
              "0a0b0c0d"                          // features
              "1cfc"                              // listen port 7420
              "0002"
              "6831");  // "h1"
}

TEST(WireMessages, ErrorBytes) {
    EXPECT_EQ(encoded_hex(error_msg{0x01020304, 21, "no"}),
              "0000000a"
              "02"
              "01020304"
              "0015"
              "0002"
              "6e6f");
}

TEST(WireMessages, EmptyMessagesBytes) {
    EXPECT_EQ(encoded_hex(keepalive{}), "0000000003");
    EXPECT_EQ(encoded_hex(bye{}), "0000000004");
}

TEST(WireMessages, ListBytes) {
    EXPECT_EQ(encoded_hex(list_request{"a/b"}),
              "00000005"
              "0a"
              "0003"
              "612f62");
    EXPECT_EQ(encoded_hex(list_request{""}),
              "00000002"
              "0a"
              "0000");
}

TEST(WireMessages, ListingBytes) {
    listing l;
    l.more = true;
    l.entries.push_back({listing_entry::kind_t::file, 0x0102030405060708, 3, 4, "f"});
    l.entries.push_back({listing_entry::kind_t::directory, 0, 0, 0, "d"});
    EXPECT_EQ(encoded_hex(l),
              "0000002d"
              "0b"
              "01"        // more frames follow
              "00000002"  // count
              "00"
              "0102030405060708"
              "00000003"
              "00000004"
              "0001"
              "66"
              "01"
              "0000000000000000"
              "00000000"
              "00000000"
              "0001"
              "64");
    EXPECT_EQ(encoded_hex(listing{}),
              "00000005"
              "0b"
              "00"
              "00000000");
    EXPECT_EQ(listing_entry_size(l.entries[0]), 20u);
    EXPECT_EQ(listing_entry_size({listing_entry::kind_t::file, 0, 0, 0, "name"}), 23u);
}

TEST(WireMessages, ListingSymlinkBytes) {
    listing l;
    l.entries.push_back({listing_entry::kind_t::symlink, 0, 0, 0, "l", "t/u"});
    EXPECT_EQ(encoded_hex(l),
              "0000001e"
              "0b"
              "00"
              "00000001"
              "02"  // symlink
              "0000000000000000"
              "00000000"
              "00000000"
              "0001"
              "6c"
              "0003"  // its target
              "742f75");
    EXPECT_EQ(listing_entry_size(l.entries[0]), 25u);
    expect_round_trip(l);
}

TEST(WireMessages, OpenBytes) {
    open_request o;
    o.handle = 7;
    o.content.fill(0xab);
    o.path = "x";
    std::string content_hex;
    for (int i = 0; i < 32; ++i) content_hex += "ab";
    EXPECT_EQ(encoded_hex(o),
              "00000027"
              "0c"
              "00000007" +
                  content_hex +
                  "0001"
                  "78");
}

TEST(WireMessages, ManifestBytes) {
    // The manifest encoding is opaque to the frame: a minimal one (empty file, no hashes).
    const std::vector<uint8_t> encoded = {'X', 'F', 'M', 'F', 1, 0, 0, 0, 0, 0, 0,
                                          0,   0,   0,   4,   0, 0, 0, 0, 0, 0};
    EXPECT_EQ(encoded_hex(manifest_msg{1, encoded}),
              "00000019"
              "0d"
              "00000001"
              "58464d46"
              "01"
              "0000000000000000"
              "00040000"
              "00000000");
}

TEST(WireMessages, BitfieldBytes) {
    EXPECT_EQ(encoded_hex(bitfield_msg{2, 10, {0xa5, 0xc0}}),
              "0000000a"
              "0e"
              "00000002"
              "0000000a"
              "a5c0");
}

TEST(WireMessages, HaveBytes) {
    EXPECT_EQ(encoded_hex(have{3, 9}),
              "00000008"
              "0f"
              "00000003"
              "00000009");
}

TEST(WireMessages, RequestAndCancelBytes) {
    request r;
    r.handle = 1;
    r.piece = 2;
    r.offset = 0x40000;
    r.length = 0x40000;
    EXPECT_EQ(encoded_hex(r),
              "00000010"
              "10"
              "00000001"
              "00000002"
              "00040000"
              "00040000");
    cancel c;
    static_cast<block_ref&>(c) = r;
    EXPECT_EQ(encoded_hex(c),
              "00000010"
              "12"
              "00000001"
              "00000002"
              "00040000"
              "00040000");
}

TEST(WireMessages, CloseBytes) {
    EXPECT_EQ(encoded_hex(close_msg{5}),
              "00000004"
              "13"
              "00000005");
}

TEST(WireMessages, PieceHeaderBytes) {
    std::vector<uint8_t> out;
    encode_piece_header({1, 2, 0x40000}, 3, out);
    EXPECT_EQ(hex(out),
              "0000000f"
              "11"
              "00000001"
              "00000002"
              "00040000");
    out.clear();
    encode_piece_header({0xffffffff, 0, 0}, max_block_size, out);
    EXPECT_EQ(hex(out),
              "0010000c"
              "11"
              "ffffffff"
              "00000000"
              "00000000");
}

TEST(WireMessages, EncodeAppendsToWhatIsThere) {
    std::vector<uint8_t> out = {0xee};
    encode(keepalive{}, out);
    encode(have{1, 2}, out);
    EXPECT_EQ(hex(out),
              "ee"
              "0000000003"
              "000000080f"
              "00000001"
              "00000002");
}

}  // namespace
}  // namespace xfer::wire
