// The peer protocol codec against hostile input: truncated bodies, trailing bytes, fields out of
// range. Each must come back as a named error, never as a value and never as a crash.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "shared/core/error.hpp"
#include "shared/wire/byte_io.hpp"
#include "shared/wire/frame.hpp"
#include "shared/wire/messages.hpp"

namespace xfer::wire {
namespace {

template <typename T>
std::vector<uint8_t> body_of(const T& value) {
    std::vector<uint8_t> bytes;
    encode(value, bytes);
    return {bytes.begin() + frame_header_size, bytes.end()};
}

std::error_code decode_error(message_type type, const std::vector<uint8_t>& body) {
    const auto decoded = decode(type, body);
    if (decoded) return {};
    return decoded.error();
}

struct sample {
    message_type type;
    std::vector<uint8_t> body;
};

// One well-formed body of each type, with every variable-length field non-empty.
std::vector<sample> samples() {
    hello h;
    h.id.fill(3);
    h.listen_port = 7420;
    h.listen_host = "host";
    listing l;
    l.entries.push_back({listing_entry::kind_t::file, 100, 1, 2, "a"});
    l.entries.push_back({listing_entry::kind_t::directory, 0, 0, 0, "dir"});
    l.entries.push_back({listing_entry::kind_t::symlink, 0, 0, 0, "ln", "a"});
    open_request o;
    o.handle = 1;
    o.path = "a/b";
    request r;
    r.length = block_size;
    cancel c;
    c.length = 1;
    return {
        {message_type::hello, body_of(h)},
        {message_type::error, body_of(error_msg{1, 2, "text"})},
        {message_type::keepalive, body_of(keepalive{})},
        {message_type::bye, body_of(bye{})},
        {message_type::list, body_of(list_request{"dir"})},
        {message_type::listing, body_of(l)},
        {message_type::open, body_of(o)},
        {message_type::manifest, body_of(manifest_msg{1, std::vector<uint8_t>(21 + 32, 1)})},
        {message_type::bitfield, body_of(bitfield_msg{1, 12, {0xff, 0xf0}})},
        {message_type::have, body_of(have{1, 2})},
        {message_type::request, body_of(r)},
        {message_type::cancel, body_of(c)},
        {message_type::close, body_of(close_msg{1})},
    };
}

TEST(WireMalformed, SamplesAreWellFormed) {
    for (const auto& [type, body] : samples())
        EXPECT_FALSE(decode_error(type, body)) << "type " << int(type);
}

TEST(WireMalformed, EveryTruncatedBodyIsRejected) {
    for (const auto& [type, body] : samples()) {
        for (size_t length = 0; length < body.size(); ++length) {
            const std::vector<uint8_t> cut(body.begin(), body.begin() + static_cast<long>(length));
            const auto ec = decode_error(type, cut);
            if (type == message_type::manifest && length >= 4) {
                EXPECT_FALSE(ec)
                    << "the manifest encoding is opaque to the frame; decode_manifest judges it";
            } else if (type == message_type::bitfield && length >= 8) {
                EXPECT_EQ(ec, errc::malformed_message) << "bitfield cut to " << length;
            } else {
                EXPECT_EQ(ec, errc::frame_truncated)
                    << "type " << int(type) << " cut to " << length;
            }
        }
    }
}

TEST(WireMalformed, TrailingBytesAreRejected) {
    for (const auto& [type, body] : samples()) {
        if (type == message_type::manifest) continue;  // its body runs to the end by definition
        for (const uint8_t extra : {uint8_t{0}, uint8_t{0xff}}) {
            auto longer = body;
            longer.push_back(extra);
            EXPECT_EQ(decode_error(type, longer), errc::malformed_message) << "type " << int(type);
        }
    }
}

TEST(WireMalformed, PieceAndUnknownTypesAreNotDecodedAsMessages) {
    EXPECT_EQ(decode_error(message_type::piece, std::vector<uint8_t>(20, 0)),
              errc::unexpected_message);
    EXPECT_EQ(decode_error(static_cast<message_type>(0), {}), errc::unexpected_message);
    EXPECT_EQ(decode_error(static_cast<message_type>(99), std::vector<uint8_t>(20, 0)),
              errc::unexpected_message);
}

TEST(WireMalformed, PieceHeaderNeedsItsWholePrefix) {
    const std::vector<uint8_t> prefix(piece_prefix_size, 0);
    for (size_t length = 0; length < piece_prefix_size; ++length) {
        const auto decoded = decode_piece_header(std::span<const uint8_t>(prefix).first(length));
        ASSERT_FALSE(decoded) << length;
        EXPECT_EQ(decoded.error(), errc::frame_truncated);
    }
    EXPECT_TRUE(decode_piece_header(prefix));
}

TEST(WireMalformed, HelloWithoutTheMagicIsNotXfer) {
    const auto good = samples()[0].body;
    for (size_t position = 0; position < 4; ++position) {
        auto bad = good;
        bad[position] ^= 0x20;  // "xFER", "XfER", ...
        EXPECT_EQ(decode_error(message_type::hello, bad), errc::bad_protocol) << position;
    }
    const std::string http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    EXPECT_EQ(decode_error(message_type::hello, std::vector<uint8_t>(http.begin(), http.end())),
              errc::bad_protocol);
}

TEST(WireMalformed, HelloHostOverTheLimitIsRejected) {
    std::vector<uint8_t> body;
    byte_writer w(body);
    w.bytes(std::string_view("XFER"));
    w.u16(protocol_version);
    w.bytes(std::vector<uint8_t>(16, 0));
    w.u32(0);
    w.u16(7420);
    w.string16(std::string(max_text_length + 1, 'h'));
    EXPECT_TRUE(decode_error(message_type::hello, body));
}

TEST(WireMalformed, ErrorTextOverTheLimitIsRejected) {
    std::vector<uint8_t> body;
    byte_writer w(body);
    w.u32(0);
    w.u16(1);
    w.string16(std::string(max_text_length + 1, 'e'));
    EXPECT_TRUE(decode_error(message_type::error, body));
}

TEST(WireMalformed, PathsOverTheLimitAreRejected) {
    const std::string too_long(max_path_length + 1, 'p');
    std::vector<uint8_t> list_body;
    byte_writer(list_body).string16(too_long);
    EXPECT_TRUE(decode_error(message_type::list, list_body));

    std::vector<uint8_t> open_body;
    byte_writer w(open_body);
    w.u32(1);
    w.bytes(std::vector<uint8_t>(32, 0));
    w.string16(too_long);
    EXPECT_TRUE(decode_error(message_type::open, open_body));

    // ...and the frame holding either is refused from its header alone (an OPEN with its
    // optional flags byte: the header's bound allows for it).
    auto open_with_flags = open_body;
    open_with_flags.push_back(open_flag_owners);
    for (const auto& [type, body] : {std::pair{message_type::list, list_body},
                                     std::pair{message_type::open, open_with_flags}}) {
        const auto length = static_cast<uint32_t>(body.size());
        const uint8_t raw[frame_header_size] = {
            static_cast<uint8_t>(length >> 24), static_cast<uint8_t>(length >> 16),
            static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length),
            static_cast<uint8_t>(type)};
        frame_header header{};
        EXPECT_EQ(validate_header(raw, header), errc::frame_too_large);
    }
}

// LISTING built field by field, so each field can be made wrong on its own.
std::vector<uint8_t> listing_body(uint8_t flags, uint32_t count, uint8_t kind, uint32_t had,
                                  uint32_t pieces, const std::string& name) {
    std::vector<uint8_t> body;
    byte_writer w(body);
    w.u8(flags);
    w.u32(count);
    w.u8(kind);
    w.u64(1000);
    w.u32(had);
    w.u32(pieces);
    w.string16(name);
    return body;
}

TEST(WireMalformed, ListingFieldsOutOfRange) {
    EXPECT_FALSE(decode_error(message_type::listing, listing_body(1, 1, 0, 4, 4, "a")));
    EXPECT_EQ(decode_error(message_type::listing, listing_body(1, 1, 0, 5, 4, "a")),
              errc::malformed_message)
        << "pieces_had > piece_count";
    EXPECT_EQ(decode_error(message_type::listing, listing_body(1, 1, 0, 1, 0, "a")),
              errc::malformed_message)
        << "pieces_had > piece_count = 0";
    EXPECT_EQ(decode_error(message_type::listing, listing_body(1, 1, 3, 0, 0, "a")),
              errc::malformed_message)
        << "unknown kind";
    EXPECT_EQ(decode_error(message_type::listing, listing_body(2, 1, 0, 0, 0, "a")),
              errc::malformed_message)
        << "unknown flag";
    EXPECT_EQ(decode_error(message_type::listing, listing_body(0x81, 1, 0, 0, 0, "a")),
              errc::malformed_message);
    EXPECT_EQ(decode_error(message_type::listing, listing_body(0, 1, 0, 0, 0, "")),
              errc::malformed_message)
        << "empty name";
    EXPECT_TRUE(decode_error(message_type::listing,
                             listing_body(0, 1, 0, 0, 0, std::string(max_path_length + 1, 'n'))))
        << "name over the path limit";
    EXPECT_EQ(decode_error(message_type::listing, listing_body(0, 2, 0, 0, 0, "a")),
              errc::frame_truncated)
        << "count says two entries, one present";
    EXPECT_EQ(decode_error(message_type::listing, listing_body(0, 0, 0, 0, 0, "a")),
              errc::malformed_message)
        << "count says none, one present";

    std::vector<uint8_t> too_many;
    byte_writer w(too_many);
    w.u8(0);
    w.u32(max_listing_entries + 1);
    EXPECT_EQ(decode_error(message_type::listing, too_many), errc::malformed_message);
    too_many.assign({0, 0xff, 0xff, 0xff, 0xff});
    EXPECT_EQ(decode_error(message_type::listing, too_many), errc::malformed_message)
        << "a huge count is refused before anything is reserved for it";
}

// A LISTING of one symlink entry: its size and piece fields, then name and target.
std::vector<uint8_t> symlink_body(uint64_t size, uint32_t pieces, const std::string& target) {
    std::vector<uint8_t> body;
    byte_writer w(body);
    w.u8(0);
    w.u32(1);
    w.u8(2);
    w.u64(size);
    w.u32(0);
    w.u32(pieces);
    w.string16("link");
    w.string16(target);
    return body;
}

TEST(WireMalformed, ListingSymlinksCarryATargetAndNothingElse) {
    EXPECT_FALSE(decode_error(message_type::listing, symlink_body(0, 0, "a/b")));
    EXPECT_EQ(decode_error(message_type::listing, listing_body(0, 1, 2, 0, 0, "link")),
              errc::frame_truncated)
        << "no target";
    EXPECT_EQ(decode_error(message_type::listing, symlink_body(0, 0, "")), errc::malformed_message)
        << "empty target";
    EXPECT_EQ(decode_error(message_type::listing, symlink_body(1000, 0, "a")),
              errc::malformed_message)
        << "a link with a size";
    EXPECT_EQ(decode_error(message_type::listing, symlink_body(0, 4, "a")), errc::malformed_message)
        << "a link with pieces";
    EXPECT_TRUE(decode_error(message_type::listing,
                             symlink_body(0, 0, std::string(max_path_length + 1, 't'))))
        << "target over the path limit";
}

std::vector<uint8_t> bitfield_body(uint32_t piece_count, const std::vector<uint8_t>& bits) {
    std::vector<uint8_t> body;
    byte_writer w(body);
    w.u32(1);
    w.u32(piece_count);
    w.bytes(bits);
    return body;
}

TEST(WireMalformed, BitfieldSpareBitsMustBeZero) {
    for (uint32_t piece_count = 1; piece_count <= 16; ++piece_count) {
        const size_t bytes = (piece_count + 7) / 8;
        std::vector<uint8_t> bits(bytes, 0);
        for (uint32_t piece = 0; piece < piece_count; ++piece)
            bits[piece / 8] |= uint8_t(0x80 >> (piece % 8));
        EXPECT_FALSE(decode_error(message_type::bitfield, bitfield_body(piece_count, bits)))
            << piece_count;
        for (uint32_t spare = piece_count; spare < bytes * 8; ++spare) {
            auto bad = bits;
            bad[spare / 8] |= uint8_t(0x80 >> (spare % 8));
            EXPECT_EQ(decode_error(message_type::bitfield, bitfield_body(piece_count, bad)),
                      errc::malformed_message)
                << "piece_count " << piece_count << " spare bit " << spare;
        }
    }
}

TEST(WireMalformed, BitfieldLengthMustMatchItsCount) {
    EXPECT_EQ(decode_error(message_type::bitfield, bitfield_body(9, {0xff})),
              errc::malformed_message);
    EXPECT_EQ(decode_error(message_type::bitfield, bitfield_body(8, {0xff, 0x00})),
              errc::malformed_message);
    EXPECT_EQ(decode_error(message_type::bitfield, bitfield_body(0, {0x00})),
              errc::malformed_message);
    EXPECT_EQ(decode_error(message_type::bitfield,
                           bitfield_body(max_pieces + 8, std::vector<uint8_t>(max_pieces / 8 + 1))),
              errc::malformed_message);
    EXPECT_EQ(decode_error(message_type::bitfield, bitfield_body(0xffffffff, {})),
              errc::malformed_message);
}

std::vector<uint8_t> block_body(uint32_t length) {
    std::vector<uint8_t> body;
    byte_writer w(body);
    w.u32(1);
    w.u32(2);
    w.u32(0);
    w.u32(length);
    return body;
}

TEST(WireMalformed, RequestAndCancelLengthsAreBounded) {
    for (const auto type : {message_type::request, message_type::cancel}) {
        EXPECT_EQ(decode_error(type, block_body(0)), errc::malformed_message);
        EXPECT_FALSE(decode_error(type, block_body(1)));
        EXPECT_FALSE(decode_error(type, block_body(max_block_size)));
        EXPECT_EQ(decode_error(type, block_body(max_block_size + 1)), errc::malformed_message);
        EXPECT_EQ(decode_error(type, block_body(0xffffffff)), errc::malformed_message);
    }
}

TEST(WireMalformed, ByteReaderNeverReadsPastItsSpan) {
    const std::vector<uint8_t> three = {1, 2, 3};
    byte_reader r(three);
    uint32_t value = 0;
    EXPECT_FALSE(r.u32(value));
    EXPECT_FALSE(r.ok());
    uint16_t after_failure = 0;
    EXPECT_FALSE(r.u16(after_failure))
        << "a failure is sticky: no field is read from a wrong offset";
    byte_reader r2(three);
    uint16_t half = 0;
    EXPECT_TRUE(r2.u16(half));
    EXPECT_EQ(half, 0x0102);
    EXPECT_TRUE(r2.take(2).empty());
    EXPECT_FALSE(r2.ok());
    byte_reader r3(three);
    std::string text;
    EXPECT_FALSE(r3.string16(text, 100)) << "declares 0x0102 bytes, has 1";
}

}  // namespace
}  // namespace xfer::wire
