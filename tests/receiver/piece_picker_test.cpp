// The piece picker driven from availability patterns, libtorrent test_piece_picker.cpp style:
// each peer is a string of '1' (has the piece) and '0', one character per piece.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string_view>
#include <vector>

#include "receiver/piece_picker.hpp"

namespace xfer::receiver {
namespace {

std::vector<bool> bits(std::string_view pattern) {
    std::vector<bool> out;
    for (const char c : pattern) out.push_back(c == '1');
    return out;
}

// A picker for `wanted`/`had` patterns with peers 1, 2, 3... holding `peers[0]`, `peers[1]`...
piece_picker make_picker(std::string_view wanted, std::string_view had,
                         const std::vector<std::string_view>& peers, uint64_t seed = 1) {
    piece_picker picker(bits(wanted), bits(had), seed);
    for (size_t i = 0; i < peers.size(); ++i) {
        picker.add_peer(i + 1);
        picker.peer_has_all(i + 1, bits(peers[i]));
    }
    return picker;
}

std::vector<uint32_t> sorted(std::vector<uint32_t> pieces) {
    std::sort(pieces.begin(), pieces.end());
    return pieces;
}

TEST(PiecePicker, AvailabilityCountsPeers) {
    const auto picker = make_picker("11111", "00000", {"11111", "01111", "00111", "00011"});
    const std::vector<uint32_t> expected = {1, 2, 3, 4, 4};
    for (uint32_t piece = 0; piece < 5; ++piece)
        EXPECT_EQ(picker.availability(piece), expected[piece]) << piece;
}

// Peer 1 lacks an unwanted last piece, so it is a partial peer and rarity alone decides (a
// complete source is held back: see ACompleteSourceIsNotAskedForWhatAPartialPeerHas).
TEST(PiecePicker, RarestFirst) {
    auto picker = make_picker("111110", "000000", {"111110", "011110", "001110", "000110"});
    EXPECT_EQ(picker.pick(1, 1), (std::vector<uint32_t>{0}));
    EXPECT_EQ(picker.pick(1, 1), (std::vector<uint32_t>{1}));
    EXPECT_EQ(picker.pick(1, 1), (std::vector<uint32_t>{2}));
    EXPECT_EQ(sorted(picker.pick(1, 5)), (std::vector<uint32_t>{3, 4}))
        << "the two equally common ones last";
}

TEST(PiecePicker, ABatchComesRarestFirstToo) {
    auto picker = make_picker("111110", "000000", {"111110", "011110", "001110", "000110"});
    const auto batch = picker.pick(1, 3);
    EXPECT_EQ(batch, (std::vector<uint32_t>{0, 1, 2}));
}

TEST(PiecePicker, RarityFollowsHaveMessages) {
    auto picker = make_picker("111", "000", {"111", "111"});
    picker.add_peer(3);
    picker.peer_has(3, 0);
    picker.peer_has(3, 1);
    picker.peer_has(3, 1);  // a repeated HAVE counts once
    EXPECT_EQ(picker.availability(1), 3u);
    EXPECT_EQ(picker.pick(1, 1), (std::vector<uint32_t>{2})) << "piece 2 is now the rarest";
    picker.peer_has(99, 2);  // unknown peer: ignored
    picker.peer_has(3, 7);   // no such piece: ignored
    EXPECT_EQ(picker.availability(2), 2u);
}

std::vector<uint32_t> order_for_seed(uint64_t seed) {
    // 32 pieces, all equally rare: the order is the tie-break alone.
    auto picker =
        make_picker(std::string(32, '1'), std::string(32, '0'), {std::string(32, '1')}, seed);
    return picker.pick(1, 32);
}

TEST(PiecePicker, TiesAreBrokenRandomlyButDeterministicallyPerSeed) {
    const auto first = order_for_seed(1);
    ASSERT_EQ(sorted(first).size(), 32u);
    EXPECT_EQ(order_for_seed(1), first) << "same seed, same order";
    EXPECT_NE(order_for_seed(2), first) << "another fetch spreads differently";
    std::vector<uint32_t> in_index_order(32);
    for (uint32_t i = 0; i < 32; ++i) in_index_order[i] = i;
    EXPECT_NE(first, in_index_order) << "ties are not broken by index";
    std::set<std::vector<uint32_t>> distinct;
    for (uint64_t seed = 1; seed <= 8; ++seed) distinct.insert(order_for_seed(seed));
    EXPECT_EQ(distinct.size(), 8u);
}

TEST(PiecePicker, ACompleteSourceIsNotAskedForWhatAPartialPeerHas) {
    // Peer 1 is a seeder, peer 2 a leecher holding pieces 2 and 3.
    auto picker = make_picker("1111", "0000", {"1111", "0011"});
    EXPECT_EQ(sorted(picker.pick(1, 4)), (std::vector<uint32_t>{0, 1}))
        << "only what no partial peer has";
    EXPECT_EQ(sorted(picker.pick(2, 4)), (std::vector<uint32_t>{2, 3}));
    // Two seeders and no partial peer: nothing is held back.
    auto seeders = make_picker("111", "000", {"111", "111"});
    EXPECT_EQ(seeders.pick(1, 3).size(), 3u);
    // A leecher that completes stops counting as partial: the seeder may serve everything again.
    auto growing = make_picker("11", "00", {"11", "01"});
    EXPECT_EQ(growing.pick(1, 2), (std::vector<uint32_t>{0}));
    growing.release(1, 0);
    growing.peer_has(2, 0);
    EXPECT_EQ(sorted(growing.pick(1, 2)), (std::vector<uint32_t>{0, 1}));
}

// Issue 13: a busy partial holder DECLINEs; once every partial holder of a piece has, the
// seeder serves it rather than idle while the piece waits for them.
TEST(PiecePicker, ASeederIsAskedForAPieceEveryPartialHolderDeclined) {
    // Peer 1 is a seeder; peers 2 and 3 are partial, both holding piece 1.
    auto picker = make_picker("11", "00", {"11", "01", "01"});
    EXPECT_EQ(picker.pick(1, 2), (std::vector<uint32_t>{0}));
    EXPECT_EQ(picker.pick(2, 1), (std::vector<uint32_t>{1}));
    picker.decline(2, 1);
    EXPECT_TRUE(picker.pick(1, 1).empty()) << "peer 3 has it and did not decline";
    EXPECT_EQ(picker.pick(3, 1), (std::vector<uint32_t>{1}));
    picker.decline(3, 1);
    EXPECT_EQ(picker.pick(1, 1), (std::vector<uint32_t>{1})) << "both partial holders declined";
    picker.release(1, 1);
    picker.allow_again(2, 1);
    EXPECT_TRUE(picker.pick(1, 1).empty()) << "peer 2's hold ended: it is asked again first";
}

TEST(PiecePicker, NeverPicksWhatThePeerLacksWeHaveOrDoNotWant) {
    auto picker = make_picker("11110000", "10000000", {"01011011"});
    EXPECT_EQ(picker.remaining(), 3u);
    EXPECT_EQ(sorted(picker.pick(1, 10)), (std::vector<uint32_t>{1, 3}));
    EXPECT_TRUE(picker.pick(1, 10).empty())
        << "nothing more, not even an endgame duplicate of its own pieces";
    EXPECT_TRUE(picker.pick(2, 10).empty()) << "an unknown peer gets nothing";
    EXPECT_TRUE(picker.pick(1, 0).empty());
}

TEST(PiecePicker, NoPieceIsGivenTwiceBeforeEndgame) {
    const std::string all(30, '1');
    auto picker = make_picker(all, std::string(30, '0'), {all, all, all});
    std::vector<uint32_t> assigned;
    for (int round = 0; round < 2; ++round) {
        for (peer_key peer = 1; peer <= 3; ++peer) {
            EXPECT_FALSE(picker.in_endgame());
            const auto pieces = picker.pick(peer, 5);
            EXPECT_EQ(pieces.size(), 5u);
            assigned.insert(assigned.end(), pieces.begin(), pieces.end());
        }
    }
    EXPECT_EQ(std::set<uint32_t>(assigned.begin(), assigned.end()).size(), 30u)
        << "30 distinct pieces";
    EXPECT_TRUE(picker.in_endgame());
}

TEST(PiecePicker, EndgameDuplicatesTheLeastDuplicatedPiece) {
    auto picker = make_picker("111", "000", {"111", "111", "111"});
    EXPECT_EQ(sorted(picker.pick(1, 3)), (std::vector<uint32_t>{0, 1, 2}));
    EXPECT_TRUE(picker.in_endgame());
    const auto second = picker.pick(2, 2);
    ASSERT_EQ(second.size(), 2u);
    const auto third = picker.pick(3, 1);
    ASSERT_EQ(third.size(), 1u);
    // Peer 3 joins the one piece that still had a single peer on it.
    std::set<uint32_t> doubled(second.begin(), second.end());
    uint32_t single = 0;
    while (doubled.contains(single)) ++single;
    EXPECT_EQ(third[0], single);
    for (uint32_t piece = 0; piece < 3; ++piece)
        EXPECT_EQ(picker.assigned_peers(piece).size(), 2u) << piece;
    EXPECT_TRUE(picker.pick(1, 3).empty()) << "a peer never duplicates its own piece";
}

// Issue 13: with 32 sources every idle one joined the last pieces, up to 8 on one piece.
TEST(PiecePicker, EndgameStopsAtMaxHoldersPerPiece) {
    auto picker = make_picker("1", "0", {"1", "1", "1", "1"});
    ASSERT_EQ(picker.pick(1, 1).size(), 1u);
    EXPECT_EQ(picker.pick(2, 1, true, /*max_holders=*/2).size(), 1u);
    EXPECT_TRUE(picker.pick(3, 1, true, 2).empty()) << "a third peer on one piece";
    EXPECT_EQ(picker.assigned_peers(0).size(), 2u);
    picker.release(2, 0);
    EXPECT_EQ(picker.pick(3, 1, true, 2).size(), 1u) << "room again once one left it";
}

TEST(PiecePicker, EndgameAsksWhetherADuplicatePays) {
    auto picker = make_picker("11", "00", {"11", "11", "11"});
    ASSERT_EQ(picker.pick(1, 1).size(), 1u);
    ASSERT_EQ(picker.pick(2, 1).size(), 1u);
    std::vector<std::pair<uint32_t, std::set<peer_key>>> asked;
    const auto refuse = [&](uint32_t piece, const std::set<peer_key>& on_it) {
        asked.emplace_back(piece, on_it);
        return false;
    };
    EXPECT_TRUE(picker.pick(3, 1, true, 2, refuse).empty());
    ASSERT_EQ(asked.size(), 2u) << "asked about each piece in progress";
    for (const auto& [piece, on_it] : asked) EXPECT_EQ(on_it.size(), 1u);
    const auto only_piece_of_peer_2 = [&](uint32_t, const std::set<peer_key>& on_it) {
        return on_it.contains(2);
    };
    const auto chosen = picker.pick(3, 1, true, 2, only_piece_of_peer_2);
    ASSERT_EQ(chosen.size(), 1u);
    EXPECT_TRUE(picker.assigned_peers(chosen[0]) == (std::vector<peer_key>{2, 3}));
}

TEST(PiecePicker, EndgameDoesNotAskASeederForWhatAPartialPeerHas) {
    // Peers 1 and 3 are partial (piece 0 only), peer 2 a seeder (both pieces).
    auto picker = make_picker("11", "00", {"10", "11", "10"});
    ASSERT_EQ(picker.pick(1, 1), (std::vector<uint32_t>{0}));
    ASSERT_EQ(picker.pick(2, 1), (std::vector<uint32_t>{1}));
    ASSERT_TRUE(picker.in_endgame());
    EXPECT_TRUE(picker.pick(2, 1).empty()) << "the seeder duplicated a piece partial peers have";
    EXPECT_EQ(picker.pick(3, 1), (std::vector<uint32_t>{0})) << "a partial peer may";
}

TEST(PiecePicker, HasWantedLooksOnlyAtPiecesStillWanted) {
    auto picker = make_picker("110", "100", {"100", "010", "001"});
    EXPECT_FALSE(picker.has_wanted(1)) << "it has only what we have";
    EXPECT_TRUE(picker.has_wanted(2));
    EXPECT_FALSE(picker.has_wanted(3)) << "it has only what we do not want";
    picker.piece_verified(1);
    EXPECT_FALSE(picker.has_wanted(2));
}

TEST(PiecePicker, VerifiedPieceReturnsThePeersToCancel) {
    auto picker = make_picker("11", "00", {"11", "11"});
    picker.pick(1, 2);
    const auto duplicate = picker.pick(2, 1);
    ASSERT_EQ(duplicate.size(), 1u);
    const auto others = picker.piece_verified(duplicate[0]);
    EXPECT_EQ(std::set<peer_key>(others.begin(), others.end()), (std::set<peer_key>{1, 2}));
    EXPECT_TRUE(picker.assigned_peers(duplicate[0]).empty());
    EXPECT_EQ(picker.remaining(), 1u);
    EXPECT_FALSE(picker.complete());
    picker.piece_verified(duplicate[0]);  // twice: counted once
    EXPECT_EQ(picker.remaining(), 1u);
    picker.piece_verified(1 - duplicate[0]);
    EXPECT_TRUE(picker.complete());
    EXPECT_FALSE(picker.in_endgame()) << "nothing left is not an endgame";
    EXPECT_TRUE(picker.pick(2, 2).empty());
    EXPECT_TRUE(picker.piece_verified(99).empty()) << "out of range: ignored";
}

TEST(PiecePicker, ReleaseReturnsAPieceToThePool) {
    auto picker = make_picker("1", "0", {"1", "1"});
    EXPECT_EQ(picker.pick(1, 1), (std::vector<uint32_t>{0}));
    picker.release(1, 0);
    EXPECT_TRUE(picker.assigned_peers(0).empty());
    EXPECT_FALSE(picker.in_endgame());
    EXPECT_EQ(picker.pick(2, 1), (std::vector<uint32_t>{0})) << "fresh again, not a duplicate";
    EXPECT_EQ(picker.assigned_peers(0), (std::vector<peer_key>{2}));
    picker.release(1, 0);  // not assigned to peer 1: harmless
    picker.release(2, 5);  // no such piece in progress: harmless
    EXPECT_EQ(picker.assigned_peers(0), (std::vector<peer_key>{2}));
}

TEST(PiecePicker, RemovingAPeerReturnsItsPiecesAndAvailability) {
    auto picker = make_picker("11110", "00000", {"11110", "00110"});
    const auto taken = picker.pick(1, 4);
    ASSERT_EQ(taken.size(), 4u);
    EXPECT_TRUE(picker.pick(2, 2).size() == 2u) << "endgame duplicates of 2 and 3";
    picker.remove_peer(1);
    EXPECT_EQ(picker.availability(0), 0u);
    EXPECT_EQ(picker.availability(2), 1u);
    EXPECT_TRUE(picker.assigned_peers(0).empty());
    EXPECT_EQ(picker.assigned_peers(2), (std::vector<peer_key>{2}));
    EXPECT_EQ(picker.unavailable_count(), 2u) << "pieces 0 and 1 had only peer 1";
    EXPECT_TRUE(picker.pick(1, 1).empty()) << "a removed peer gets nothing";
    picker.remove_peer(1);  // twice: harmless
    picker.add_peer(3);
    picker.peer_has_all(3, bits("11110"));
    EXPECT_EQ(sorted(picker.pick(3, 4)), (std::vector<uint32_t>{0, 1}))
        << "what peer 1 held is free again";
    EXPECT_EQ(picker.unavailable_count(), 0u);
}

TEST(PiecePicker, AFailedPieceIsNeverGivenBackToItsSender) {
    auto picker = make_picker("1", "0", {"1", "1"});
    EXPECT_EQ(picker.pick(1, 1), (std::vector<uint32_t>{0}));
    EXPECT_TRUE(picker.piece_failed(0, {1}).empty()) << "one failure is no ban";
    EXPECT_TRUE(picker.assigned_peers(0).empty());
    EXPECT_TRUE(picker.pick(1, 1).empty()) << "peer 1 sent it bad";
    EXPECT_FALSE(picker.is_banned(1));
    EXPECT_EQ(picker.pick(2, 1), (std::vector<uint32_t>{0})) << "peer 2 may";
    EXPECT_EQ(picker.remaining(), 1u) << "the piece is still wanted";
    // If peer 2 fails it too, nobody is left who may send it.
    picker.piece_failed(0, {2});
    EXPECT_EQ(picker.unavailable_count(), 1u);
}

TEST(PiecePicker, RepeatedFailuresBanAPeer) {
    auto picker = make_picker("11111", "00000", {"11111", "11111"});
    for (uint32_t piece = 0; piece + 1 < piece_picker::failures_before_ban; ++piece) {
        EXPECT_TRUE(picker.piece_failed(piece, {1, 2}).empty());
    }
    const auto banned = picker.piece_failed(piece_picker::failures_before_ban - 1, {1});
    EXPECT_EQ(banned, (std::vector<peer_key>{1}));
    EXPECT_TRUE(picker.is_banned(1));
    EXPECT_FALSE(picker.is_banned(2));
    EXPECT_TRUE(picker.pick(1, 5).empty()) << "a banned peer gets nothing";
    EXPECT_TRUE(picker.piece_failed(4, {1}).empty()) << "banned once, reported once";
    EXPECT_TRUE(picker.is_banned(1));
    // The ban outlives a reconnect under the same key.
    picker.remove_peer(1);
    picker.add_peer(1);
    picker.peer_has_all(1, bits("11111"));
    EXPECT_TRUE(picker.pick(1, 5).empty());
    // Peer 2 failed pieces 0 and 1: it may still take the others.
    EXPECT_EQ(sorted(picker.pick(2, 5)), (std::vector<uint32_t>{2, 3, 4}));
}

TEST(PiecePicker, UnavailableCountsWantedPiecesNoUsablePeerHas) {
    auto picker = make_picker("11110", "01000", {"00100", "00001"});
    // Piece 0 and 3: nobody; piece 1: had; piece 2: peer 1; piece 4: not wanted.
    EXPECT_EQ(picker.unavailable_count(), 2u);
    for (uint32_t piece = 0; piece < piece_picker::failures_before_ban; ++piece)
        picker.piece_failed(2, {1});
    EXPECT_TRUE(picker.is_banned(1));
    EXPECT_EQ(picker.unavailable_count(), 3u) << "a banned peer's pieces do not count";
    const auto empty = make_picker("", "", {});
    EXPECT_EQ(empty.unavailable_count(), 0u);
    EXPECT_TRUE(empty.complete());
}

TEST(PiecePicker, HadPatternShorterThanWantedMeansNotHad) {
    piece_picker picker(bits("111"), bits("1"), 1);
    EXPECT_EQ(picker.remaining(), 2u);
    picker.add_peer(1);
    picker.peer_has_all(1, bits("11111"));  // longer than the file: the rest is ignored
    EXPECT_EQ(sorted(picker.pick(1, 5)), (std::vector<uint32_t>{1, 2}));
}

}  // namespace
}  // namespace xfer::receiver

namespace xfer::receiver {
namespace {

TEST(PiecePicker, ADeclinedPieceWaitsUntilAllowedAgainAndGoesElsewhereMeanwhile) {
    auto picker = make_picker("11", "00", {"11", "11"}, 3);
    const auto first = picker.pick(1, 1);
    ASSERT_EQ(first.size(), 1u);
    const uint32_t piece = first[0];
    picker.decline(1, piece);
    EXPECT_TRUE(picker.assigned_peers(piece).empty()) << "declining releases the assignment";
    const auto next = picker.pick(1, 2);
    EXPECT_EQ(next, (std::vector<uint32_t>{1 - piece})) << "peer 1 gets only the other piece";
    EXPECT_EQ(picker.pick(2, 1), (std::vector<uint32_t>{piece})) << "another peer may take it";
    picker.release(2, piece);
    picker.allow_again(1, piece);
    picker.release(1, 1 - piece);
    EXPECT_EQ(sorted(picker.pick(1, 2)), (std::vector<uint32_t>{0, 1})) << "allowed again";
    picker.allow_again(1, piece);  // twice: harmless
}

}  // namespace
}  // namespace xfer::receiver
