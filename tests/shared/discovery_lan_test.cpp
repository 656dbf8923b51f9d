// LAN announcements without sockets: datagram layout, paging, careful parsing, and the
// directory's assembly, goodbye and expiry.
#include <gtest/gtest.h>

#include "shared/core/error.hpp"
#include "shared/discovery/lan_directory.hpp"
#include "shared/discovery/limits.hpp"
#include "shared/discovery/signed_datagram.hpp"
#include "tests/support/discovery_fixtures.hpp"

namespace xfer::discovery::lan {
namespace {

using namespace std::chrono_literals;
using test::test_content;
using test::test_record;

const steady_time t0{};

// Every datagram a directory accepts is signed; these tests sign with one key.
std::string sign(std::string datagram) {
    static const auto signer = test::fresh_signer();
    return signer->sign(std::move(datagram));
}

std::string hex(const std::string& bytes) {
    return to_hex(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

peer_record unspecified(peer_record record) {
    record.sender.host = "0.0.0.0";
    return record;
}

TEST(DiscoveryLanProtocol, GoodbyeLayout) {
    EXPECT_EQ(hex(encode_goodbye(test::test_peer_id(1))),
              hex("XFLA") + "0202" + "a0010101010101010101010101010101");
}

TEST(DiscoveryLanProtocol, AnnounceLayoutAndRoundTrip) {
    const auto record = unspecified(test_record(1, "ab", 0x1f90, {test_content("p", 2, 5, 1, 2)}));
    const auto encoded = encode_announcement(record, 7);
    ASSERT_EQ(encoded.datagrams.size(), 1u);
    EXPECT_EQ(encoded.contents_left_out, 0u);
    const auto& bytes = encoded.datagrams[0];
    EXPECT_EQ(hex(bytes.substr(0, 6)), hex("XFLA") + "0201");
    EXPECT_EQ(hex(bytes.substr(22)),
              "00000007"
              "00"
              "01"
              "1f90"
              "00"
              "02" +
                  hex("ab") + "01" + hex(bytes.substr(35)));
    const auto decoded = decode_datagram(bytes);
    ASSERT_TRUE(decoded) << decoded.error().message();
    const auto& page = std::get<announce_page>(*decoded);
    EXPECT_EQ(page.generation, 7u);
    EXPECT_EQ(page.sender_host, "") << "0.0.0.0 is announced as 'use the source address'";
    EXPECT_EQ(page.contents, record.contents);
}

TEST(DiscoveryLanProtocol, ManyContentsArePagedWithinTheDatagramLimit) {
    auto record = unspecified(test_record(1, "alpha", 1));
    for (int i = 0; i < 200; ++i)
        record.contents.push_back(test_content("dir/file-" + std::to_string(i), 1));
    const auto encoded = encode_announcement(record, 1);
    EXPECT_GT(encoded.datagrams.size(), 1u);
    EXPECT_EQ(encoded.contents_left_out, 0u);
    std::vector<held_content> all;
    for (const auto& datagram : encoded.datagrams) {
        EXPECT_LE(datagram.size() + signature_trailer_bytes, limits::max_datagram_bytes);
        const auto decoded = decode_datagram(datagram);
        ASSERT_TRUE(decoded);
        const auto& page = std::get<announce_page>(*decoded);
        EXPECT_EQ(page.page_count, encoded.datagrams.size());
        all.insert(all.end(), page.contents.begin(), page.contents.end());
    }
    EXPECT_EQ(all, record.contents);
}

TEST(DiscoveryLanProtocol, WhatDoesNotFitInMaxPagesIsLeftOutAndCounted) {
    auto record = unspecified(test_record(1, "alpha", 1));
    for (int i = 0; i < 256; ++i)
        record.contents.push_back(test_content(std::to_string(i) + std::string(900, 'x'), 1));
    const auto encoded = encode_announcement(record, 1);
    EXPECT_EQ(encoded.datagrams.size(), limits::max_pages);
    EXPECT_EQ(encoded.contents_left_out, 256 - limits::max_pages);
}

TEST(DiscoveryLanProtocol, MalformedDatagramsAreRejected) {
    const auto good =
        encode_announcement(unspecified(test_record(1, "alpha", 1, {test_content("a", 1)})), 1)
            .datagrams[0];
    for (size_t length = 0; length < good.size(); ++length) {
        EXPECT_FALSE(decode_datagram(good.substr(0, length))) << "truncated at " << length;
    }
    EXPECT_FALSE(decode_datagram(good + "x"));
    auto wrong = good;
    wrong[0] = 'Y';
    EXPECT_EQ(decode_datagram(wrong).error(), make_error_code(errc::bad_protocol));
    wrong = good;
    wrong[4] = 9;
    EXPECT_EQ(decode_datagram(wrong).error(), make_error_code(errc::version_mismatch));
    wrong = good;
    wrong[5] = 3;
    EXPECT_EQ(decode_datagram(wrong).error(), make_error_code(errc::unknown_message));
    wrong = good;
    wrong[26] = 1;  // page 1 of 1
    EXPECT_FALSE(decode_datagram(wrong));
    wrong = good;
    wrong[27] = 33;  // page_count over the limit
    EXPECT_FALSE(decode_datagram(wrong));
    wrong = good;
    wrong[28] = wrong[29] = 0;  // port 0
    EXPECT_FALSE(decode_datagram(wrong));
    EXPECT_EQ(decode_datagram(std::string(limits::max_datagram_bytes + 1, 'x')).error(),
              make_error_code(errc::frame_too_large));
    EXPECT_FALSE(decode_datagram(encode_goodbye(test::test_peer_id(1)) + "x"));
}

TEST(DiscoveryLanDirectory, PeerJoinsOnceAllPagesOfAGenerationArrive) {
    lan_directory directory;
    auto record = unspecified(test_record(1, "alpha", 9000));
    for (int i = 0; i < 100; ++i)
        record.contents.push_back(test_content("file-" + std::to_string(i), 1));
    const auto pages = encode_announcement(record, 1).datagrams;
    ASSERT_GE(pages.size(), 2u);
    for (size_t i = 0; i + 1 < pages.size(); ++i) {
        EXPECT_TRUE(directory.on_datagram(sign(pages[i]), "10.77.0.1", t0).empty());
    }
    const auto changes = directory.on_datagram(sign(pages.back()), "10.77.0.1", t0);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].what, membership_change::kind::joined);
    EXPECT_EQ(changes[0].record.sender.to_string(), "10.77.0.1:9000");
    EXPECT_EQ(changes[0].record.contents.size(), 100u);
    // The same pages again: nothing new.
    for (const auto& page : pages)
        EXPECT_TRUE(directory.on_datagram(sign(page), "10.77.0.1", t0 + 1s).empty());
}

TEST(DiscoveryLanDirectory, NewGenerationUpdatesTheRecord) {
    lan_directory directory;
    auto record = unspecified(test_record(1, "alpha", 9000, {test_content("a", 1)}));
    directory.on_datagram(sign(encode_announcement(record, 1).datagrams[0]), "10.77.0.1", t0);
    record.contents.push_back(test_content("b", 2));
    const auto changes =
        directory.on_datagram(sign(encode_announcement(record, 2).datagrams[0]), "10.77.0.1", t0);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].what, membership_change::kind::updated);
    EXPECT_EQ(changes[0].record.contents.size(), 2u);
}

TEST(DiscoveryLanDirectory, GoodbyeAndSilenceMakePeersLeave) {
    lan_directory directory(5s);
    const auto alpha = unspecified(test_record(1, "alpha", 9000));
    const auto bravo = unspecified(test_record(2, "bravo", 9000));
    directory.on_datagram(sign(encode_announcement(alpha, 1).datagrams[0]), "10.77.0.1", t0);
    directory.on_datagram(sign(encode_announcement(bravo, 1).datagrams[0]), "10.77.0.2", t0);
    auto changes = directory.on_datagram(sign(encode_goodbye(alpha.id)), "10.77.0.1", t0 + 1s);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].what, membership_change::kind::left);
    EXPECT_EQ(changes[0].record.name, "alpha");
    EXPECT_TRUE(directory.expire(t0 + 5s).empty());
    changes = directory.expire(t0 + 5s + 1ms);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].record.name, "bravo");
    EXPECT_EQ(changes[0].reason, tracker::leave_reason::expired);
}

TEST(DiscoveryLanDirectory, LoopbackCopyDoesNotFlipTheAddress) {
    lan_directory directory;
    const auto pages = encode_announcement(unspecified(test_record(1, "alpha", 9000)), 1).datagrams;
    directory.on_datagram(sign(pages[0]), "10.77.0.1", t0);
    EXPECT_TRUE(directory.on_datagram(sign(pages[0]), "127.0.0.1", t0).empty());
    EXPECT_EQ(directory.peers().find(test::test_peer_id(1))->sender.host, "10.77.0.1");
}

TEST(DiscoveryLanDirectory, BoundsAndGarbage) {
    lan_directory directory(5s, /*max_peers=*/3);
    for (uint8_t seed = 1; seed <= 10; ++seed) {
        directory.on_datagram(
            sign(encode_announcement(unspecified(test_record(seed, "p", 1)), 1).datagrams[0]),
            "10.77.0." + std::to_string(seed), t0);
    }
    EXPECT_EQ(directory.peers().size(), 3u);
    const auto before = directory.dropped_datagrams();
    EXPECT_TRUE(directory.on_datagram("garbage", "10.77.0.9", t0).empty());
    EXPECT_TRUE(directory.on_datagram("", "10.77.0.9", t0).empty());
    EXPECT_EQ(directory.dropped_datagrams(), before + 2);
}

}  // namespace
}  // namespace xfer::discovery::lan
