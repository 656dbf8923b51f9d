// A small deterministic fuzz loop over the real decoders (in the spirit of libtorrent's fuzzers/):
// random and mutated bodies must decode to a value or an error, never crash, and whatever does
// decode must re-encode to exactly the bytes it came from (the encodings are canonical).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "shared/core/error.hpp"
#include "shared/manifest/manifest.hpp"
#include "shared/store/resume_state.hpp"
#include "shared/wire/frame.hpp"
#include "shared/wire/messages.hpp"

namespace xfer::wire {
namespace {

constexpr message_type decodable_types[] = {
    message_type::hello,
    message_type::error,
    message_type::keepalive,
    message_type::bye,
    message_type::list,
    message_type::listing,
    message_type::open,
    message_type::manifest,
    message_type::bitfield,
    message_type::have,
    message_type::request,
    message_type::cancel,
    message_type::close,
    message_type::peers,
    message_type::decline,
    message_type::manifest_head,
    message_type::manifest_hashes,
};

// A valid body of each type to mutate: structured inputs reach deeper than pure noise.
// A message's body, without its frame header.
template <class Message>
std::vector<uint8_t> body_of(const Message& message) {
    std::vector<uint8_t> bytes;
    encode(message, bytes);
    return {bytes.begin() + frame_header_size, bytes.end()};
}

listing seed_listing() {
    listing l;
    l.entries.push_back({listing_entry::kind_t::file, 5, 1, 2, "n"});
    l.entries.push_back({listing_entry::kind_t::directory, 0, 0, 0, "d"});
    return l;
}

std::vector<uint8_t> seed_body(message_type type) {
    switch (type) {
        case message_type::hello:
            return body_of(hello{1, {}, 7, 7420, "h", "rack1"});
        case message_type::error:
            return body_of(error_msg{1, 2, "x"});
        case message_type::keepalive:
            return body_of(keepalive{});
        case message_type::bye:
            return body_of(bye{});
        case message_type::list:
            return body_of(list_request{"a/b"});
        case message_type::listing:
            return body_of(seed_listing());
        case message_type::open:
            return body_of(open_request{1, {}, "p"});
        case message_type::manifest:
            return body_of(manifest_msg{1, std::vector<uint8_t>(21, 0)});
        case message_type::bitfield:
            return body_of(bitfield_msg{1, 10, {0xff, 0xc0}});
        case message_type::have:
            return body_of(have{1, 2});
        case message_type::request:
            return body_of(request{{0, 0, 0, 1}});
        case message_type::cancel:
            return body_of(cancel{{0, 0, 0, 1}});
        case message_type::close:
            return body_of(close_msg{1});
        case message_type::peers:
            return body_of(peers_msg{1, {{7420, "h"}}});
        case message_type::decline:
            return body_of(decline_msg{1, 3});
        case message_type::manifest_head:
            return body_of(manifest_head_msg{1, 1, std::vector<uint8_t>(21 + 32, 0)});
        case message_type::manifest_hashes:
            return body_of(manifest_hashes_msg{1, 2, {sha256_digest{}, sha256_digest{}}});
        case message_type::piece:
        case message_type::pair_init:  // decode_pairing's: see pairing_messages_test.cpp
        case message_type::pair_reply:
        case message_type::pair_confirm:
            return {};
    }
    return {};
}

std::vector<uint8_t> mutate(std::vector<uint8_t> body, std::mt19937_64& random) {
    const int edits = std::uniform_int_distribution<int>(1, 4)(random);
    for (int edit = 0; edit < edits; ++edit) {
        switch (random() % 4) {
            case 0:  // flip a byte
                if (!body.empty()) body[random() % body.size()] = static_cast<uint8_t>(random());
                break;
            case 1:  // cut the tail
                if (!body.empty()) body.resize(random() % body.size());
                break;
            case 2:  // append junk
                for (int i = int(random() % 4); i >= 0; --i)
                    body.push_back(static_cast<uint8_t>(random()));
                break;
            case 3:  // set a byte to an edge value
                if (!body.empty()) body[random() % body.size()] = (random() % 2) ? 0xff : 0x00;
                break;
        }
    }
    return body;
}

TEST(WireFuzz, RandomBodiesDecodeOrFailCleanly) {
    std::mt19937_64 random(20240601);
    for (const auto type : decodable_types) {
        SCOPED_TRACE("type " + std::to_string(int(type)));
        const auto bounds = bounds_for(type);
        const auto seed = seed_body(type);
        size_t decoded_count = 0;
        for (int iteration = 0; iteration < 10000; ++iteration) {
            std::vector<uint8_t> body;
            if (random() % 2) {
                body = mutate(seed, random);
            } else {
                body.resize(random() % 64);
                for (auto& byte : body) byte = static_cast<uint8_t>(random());
            }
            const auto decoded = decode(type, body);
            if (!decoded) {
                EXPECT_TRUE(decoded.error()) << "an error without a code";
                continue;
            }
            // decode()'s contract is a body that passed validate_header(); outside the table's
            // bounds it only has to fail or succeed without harm, and there is nothing to
            // re-encode.
            if (body.size() < bounds->min || body.size() > bounds->max) continue;
            ++decoded_count;
            std::vector<uint8_t> again;
            encode(*decoded, again);
            ASSERT_GE(again.size(), frame_header_size);
            ASSERT_EQ(std::vector<uint8_t>(again.begin() + frame_header_size, again.end()), body)
                << "iteration " << iteration;
            EXPECT_EQ(again[4], static_cast<uint8_t>(type));
        }
        EXPECT_GT(decoded_count, 10u) << "the mutations should keep some inputs valid";
    }
}

TEST(WireFuzz, RandomHeadersAreClassified) {
    std::mt19937_64 random(7);
    for (int iteration = 0; iteration < 10000; ++iteration) {
        uint8_t raw[frame_header_size];
        for (auto& byte : raw) byte = static_cast<uint8_t>(random());
        if (random() % 2) raw[0] = raw[1] = 0;  // plausible lengths too
        frame_header header{};
        const auto ec = validate_header(raw, header);
        const auto bounds = bounds_for(static_cast<message_type>(raw[4]));
        if (!bounds) {
            EXPECT_EQ(ec, errc::unknown_message);
        } else if (header.length > bounds->max) {
            EXPECT_EQ(ec, errc::frame_too_large);
        } else if (header.length < bounds->min) {
            EXPECT_EQ(ec, errc::frame_truncated);
        } else {
            EXPECT_FALSE(ec);
        }
    }
}

TEST(WireFuzz, RandomManifestsAndResumeStatesNeverCrash) {
    std::mt19937_64 random(99);
    manifest m;
    m.file_size = 3 * min_piece_size + 1;
    m.piece_hashes.resize(4);
    const auto good_manifest = encode_manifest(m);
    const auto good_state = encode_resume_state({"a/b", good_manifest, {0xa0}});
    for (int iteration = 0; iteration < 3000; ++iteration) {
        const auto manifest_bytes = mutate(good_manifest, random);
        if (const auto decoded = decode_manifest(manifest_bytes)) {
            EXPECT_EQ(encode_manifest(*decoded), manifest_bytes) << "iteration " << iteration;
        }
        const auto state_bytes = mutate(good_state, random);
        if (const auto decoded = decode_resume_state(state_bytes)) {
            EXPECT_EQ(encode_resume_state(*decoded), state_bytes) << "iteration " << iteration;
        }
    }
}

}  // namespace
}  // namespace xfer::wire
