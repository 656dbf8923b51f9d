// Site preference (receiver/site_preference.hpp) with the piece picker, from scripted HELLOs and
// availability: what a fetch on one rack asks of sources on its rack and on the other.
#include "receiver/site_preference.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string_view>
#include <vector>

#include "receiver/piece_picker.hpp"

namespace xfer::receiver {
namespace {

peer_id instance(uint8_t n) {
    peer_id id{};
    id.fill(n);
    return id;
}

std::vector<bool> bits(std::string_view pattern) {
    std::vector<bool> out;
    for (const char c : pattern) out.push_back(c == '1');
    return out;
}

struct source {
    std::string_view site;
    std::string_view has;
};

// A fetch on `own_site` wanting every piece, with sources 1, 2, 3... as given (instance ids
// 1, 2, 3...; ours is 100).
struct fetch_on_site {
    fetch_on_site(std::string_view own_site, const std::vector<source>& sources,
                  uint8_t own_instance = 100)
        : sites(std::string(own_site), instance(own_instance)),
          picker(std::vector<bool>(sources.front().has.size(), true), {}, 7) {
        picker.consult(&sites);
        for (size_t i = 0; i < sources.size(); ++i) {
            const peer_key key = i + 1;
            sites.source_met(key, sources[i].site, instance(static_cast<uint8_t>(key)));
            picker.add_peer(key);
            picker.peer_has_all(key, bits(sources[i].has));
        }
    }
    site_preference sites;
    piece_picker picker;
};

TEST(SitePreference, PieceOurSiteHasIsNeverAskedOfAnotherSite) {
    // 1: a seeder on rack0; 2: a peer of our rack with pieces 0 and 1.
    fetch_on_site fetch("rack1", {{"rack0", "1111"}, {"rack1", "1100"}});
    for (int round = 0; round < 4; ++round) {
        for (const auto piece : fetch.picker.pick(1, 4)) {
            EXPECT_GE(piece, 2u) << "piece " << piece << " is on our rack";
            fetch.picker.piece_verified(piece);
        }
    }
    EXPECT_EQ(fetch.picker.pick(2, 4).size(), 2u) << "our rack's peer is asked for both";
}

TEST(SitePreference, OffSitePiecesInFlightAreBounded) {
    const std::string all(64, '1'), none(64, '0');
    fetch_on_site fetch("rack1", {{"rack0", all}, {"rack1", none}});
    // The first pick of a fetch has nothing else in flight: one piece, then up to the bound.
    std::vector<uint32_t> taken = fetch.picker.pick(1, 64);
    ASSERT_EQ(taken.size(), 1u);
    for (const auto piece : fetch.picker.pick(1, 64)) taken.push_back(piece);
    EXPECT_EQ(taken.size(), site_preference::max_off_site_in_flight);
    EXPECT_TRUE(fetch.picker.pick(1, 64).empty()) << "the bound is over all off-site sources";
    for (const auto piece : taken) EXPECT_TRUE(fetch.sites.first_in_line(piece)) << piece;
    fetch.picker.piece_verified(taken.front());
    EXPECT_EQ(fetch.picker.pick(1, 64).size(), 1u);
}

// Four hosts of one rack that know each other split the pieces they bring over the uplink:
// each piece has exactly one host first in line.
TEST(SitePreference, HostsOfOneSiteAreFirstInLineForDisjointPiecesCoveringAll) {
    constexpr uint32_t pieces = 64;
    std::vector<int> bringers(pieces, 0);
    for (uint8_t me = 1; me <= 4; ++me) {
        site_preference sites("rack1", instance(me));
        for (uint8_t other = 1; other <= 4; ++other) {
            if (other != me) sites.source_met(other, "rack1", instance(other));
        }
        sites.source_met(9, "rack0", instance(9));
        size_t mine = 0;
        for (uint32_t piece = 0; piece < pieces; ++piece) {
            if (sites.first_in_line(piece)) {
                ++bringers[piece];
                ++mine;
            }
        }
        EXPECT_GT(mine, pieces / 8) << "host " << int{me} << " brings a fair share";
    }
    for (uint32_t piece = 0; piece < pieces; ++piece) EXPECT_EQ(bringers[piece], 1) << piece;
}

TEST(SitePreference, AHostWithNothingInFlightTakesOneOfAnothersPieces) {
    // Source 2 (our rack) is first in line for some pieces; we have nothing else to do.
    fetch_on_site fetch("rack1", {{"rack0", "11111111"}, {"rack1", "00000000"}});
    std::vector<uint32_t> ours;
    for (uint32_t piece = 0; piece < 8; ++piece) {
        if (fetch.sites.first_in_line(piece)) {
            ours.push_back(piece);
        } else {
            EXPECT_FALSE(fetch.sites.may_ask(1, piece, /*idle=*/false));
        }
    }
    ASSERT_LT(ours.size(), 8u) << "the other host brings some";
    for (const auto piece : ours) fetch.picker.piece_verified(piece);
    const auto taken = fetch.picker.pick(1, 8);
    ASSERT_EQ(taken.size(), 1u) << "one at a time while idle";
    EXPECT_FALSE(fetch.sites.first_in_line(taken.front()));
    EXPECT_TRUE(fetch.picker.pick(1, 8).empty()) << "no longer idle";
}

TEST(SitePreference, RarestOnOurOwnSiteFirst) {
    // Piece 0: on both of our rack's peers; piece 1: on one of them and on three of rack0.
    fetch_on_site fetch(
        "rack1",
        {{"rack1", "110"}, {"rack1", "100"}, {"rack0", "010"}, {"rack0", "010"}, {"rack0", "010"}});
    EXPECT_EQ(fetch.picker.pick(1, 1), std::vector<uint32_t>{1});
}

TEST(SitePreference, SeederOfOurSiteIsNotSparedForAPeerOfAnotherSite) {
    // Without sites the seeder (1) is spared for piece 0, which partial peer 2 has; 2 is on the
    // other rack and may not be asked for what our seeder has, so 1 must give it.
    fetch_on_site fetch("rack0", {{"rack0", "11"}, {"rack1", "10"}});
    EXPECT_EQ(fetch.picker.pick(2, 2), std::vector<uint32_t>{});
    const auto from_seeder = fetch.picker.pick(1, 2);
    EXPECT_EQ(std::set<uint32_t>(from_seeder.begin(), from_seeder.end()),
              (std::set<uint32_t>{0, 1}));
}

TEST(SitePreference, WithoutLabelsOrOnceOurSiteIsGoneNothingIsHeldBack) {
    fetch_on_site unlabelled("", {{"rack0", "1111"}, {"rack1", "1100"}});
    EXPECT_FALSE(unlabelled.sites.active());
    EXPECT_EQ(unlabelled.picker.pick(1, 4).size(), 2u) << "the seeder is spared for 0 and 1 only";

    fetch_on_site fetch("rack1", {{"rack0", "1111"}, {"rack1", "0000"}, {"", "1111"}});
    EXPECT_TRUE(fetch.sites.active());
    EXPECT_FALSE(fetch.sites.off_site(3)) << "a source without a label is not off-site";
    fetch.picker.remove_peer(2);
    fetch.sites.source_gone(2);
    EXPECT_FALSE(fetch.sites.active());
    EXPECT_EQ(fetch.picker.pick(1, 4).size(), 4u);
}

}  // namespace
}  // namespace xfer::receiver
