// The sender's HAVE feed: each verified piece announced once to each receiver with the content
// open, and, when a store event was lost (a gap in the stamps, or a heartbeat ahead of the last
// event), everything the store has that a receiver was not told, and nothing it was.
#include "sender/have_feed.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace xfer::sender {
namespace {

content_id content_of(uint8_t fill) {
    content_id id{};
    id.fill(fill);
    return id;
}

const content_id alpha = content_of(0xa1);
const content_id beta = content_of(0xb2);
constexpr uint64_t publisher = 77;

bus::store_message verified(const content_id& content, uint32_t piece, uint64_t sequence) {
    bus::store_message m;
    m.event = bus::event{bus::event_type::piece_verified, content, piece, {}};
    m.stamp = bus::stamp{publisher, sequence};
    return m;
}

bus::store_message heartbeat(uint64_t sequence) {
    bus::store_message m;
    m.stamp = bus::stamp{publisher, sequence};
    return m;
}

// A fake store: per content, its bitfield in wire form.
struct fake_store {
    std::map<content_id, std::vector<uint8_t>> bits;
    void set(const content_id& content, uint32_t piece) {
        bits[content][piece / 8] |= static_cast<uint8_t>(0x80 >> (piece % 8));
    }
    bitfield_lookup lookup() {
        return [this](const content_id& id) -> std::optional<std::vector<uint8_t>> {
            if (auto it = bits.find(id); it != bits.end()) return it->second;
            return std::nullopt;
        };
    }
};

std::vector<owed_have> sorted(std::vector<owed_have> owed) {
    std::sort(owed.begin(), owed.end(), [](const owed_have& a, const owed_have& b) {
        return std::tie(a.connection, a.content, a.piece) <
               std::tie(b.connection, b.content, b.piece);
    });
    return owed;
}

class HaveFeed : public ::testing::Test {
  protected:
    void SetUp() override {
        store.bits[alpha] = std::vector<uint8_t>(2, 0);  // 16 pieces
        store.bits[beta] = std::vector<uint8_t>(1, 0);   // 8 pieces
    }
    fake_store store;
    have_feed feed;
};

TEST_F(HaveFeed, AVerifiedPieceIsOwedToEachReceiverOfThatContentOnce) {
    feed.on_opened(1, alpha, store.bits[alpha]);
    feed.on_opened(2, alpha, store.bits[alpha]);
    feed.on_opened(3, beta, store.bits[beta]);
    store.set(alpha, 5);
    EXPECT_EQ(sorted(feed.on_message(verified(alpha, 5, 1), store.lookup())),
              (std::vector<owed_have>{{1, alpha, 5}, {2, alpha, 5}}));
    EXPECT_EQ(feed.resyncs(), 0u) << "no gap, no resync";
    EXPECT_TRUE(feed.resync(store.lookup()).empty()) << "nothing left owed after the event";
}

TEST_F(HaveFeed, APieceInTheBitfieldSentOnOpenIsNotOwedAgain) {
    store.set(alpha, 3);
    feed.on_opened(1, alpha, store.bits[alpha]);
    EXPECT_TRUE(feed.on_message(verified(alpha, 3, 1), store.lookup()).empty());
}

TEST_F(HaveFeed, AGapInTheSequenceOwesEveryPieceMissed) {
    feed.on_opened(1, alpha, store.bits[alpha]);
    feed.on_opened(2, beta, store.bits[beta]);
    store.set(alpha, 0);
    EXPECT_EQ(feed.on_message(verified(alpha, 0, 1), store.lookup()).size(), 1u);
    // Events 2 (alpha 1) and 3 (beta 7) are lost; event 4 (alpha 2) arrives.
    store.set(alpha, 1);
    store.set(beta, 7);
    store.set(alpha, 2);
    EXPECT_EQ(sorted(feed.on_message(verified(alpha, 2, 4), store.lookup())),
              (std::vector<owed_have>{{1, alpha, 1}, {1, alpha, 2}, {2, beta, 7}}));
    EXPECT_EQ(feed.resyncs(), 1u);
}

TEST_F(HaveFeed, AHeartbeatAheadOfTheLastEventOwesTheLostLastEvents) {
    feed.on_opened(1, alpha, store.bits[alpha]);
    store.set(alpha, 0);
    EXPECT_EQ(feed.on_message(verified(alpha, 0, 1), store.lookup()).size(), 1u);
    EXPECT_TRUE(feed.on_message(heartbeat(1), store.lookup()).empty()) << "nothing missed";
    EXPECT_EQ(feed.resyncs(), 0u);
    store.set(alpha, 9);  // its event, number 2, is lost and no other event follows
    EXPECT_EQ(feed.on_message(heartbeat(2), store.lookup()),
              (std::vector<owed_have>{{1, alpha, 9}}));
    EXPECT_TRUE(feed.on_message(heartbeat(2), store.lookup()).empty()) << "resynced once";
}

TEST_F(HaveFeed, AFirstEventPastOneMeansTheEarlierOnesWereLost) {
    // A late subscriber (the slow-joiner case): events 1..2 never reached it.
    feed.on_opened(1, alpha, store.bits[alpha]);
    store.set(alpha, 4);
    store.set(alpha, 6);
    EXPECT_EQ(sorted(feed.on_message(verified(alpha, 6, 3), store.lookup())),
              (std::vector<owed_have>{{1, alpha, 4}, {1, alpha, 6}}));
}

TEST_F(HaveFeed, AForgottenConnectionIsOwedNothing) {
    feed.on_opened(1, alpha, store.bits[alpha]);
    feed.forget(1);
    store.set(alpha, 2);
    EXPECT_TRUE(feed.on_message(verified(alpha, 2, 1), store.lookup()).empty());
    EXPECT_TRUE(feed.resync(store.lookup()).empty());
}

TEST_F(HaveFeed, AnEventForAPieceOutsideTheBitfieldIsIgnored) {
    feed.on_opened(1, beta, store.bits[beta]);
    EXPECT_TRUE(feed.on_message(verified(beta, 8, 1), store.lookup()).empty());
    EXPECT_TRUE(feed.on_message(verified(beta, 0xffffffff, 2), store.lookup()).empty());
}

TEST_F(HaveFeed, UnstampedEventsStillAnnounce) {
    feed.on_opened(1, alpha, store.bits[alpha]);
    auto m = verified(alpha, 1, 0);
    m.stamp.reset();
    EXPECT_EQ(feed.on_message(m, store.lookup()), (std::vector<owed_have>{{1, alpha, 1}}));
}

TEST_F(HaveFeed, OpeningTheSameContentTwiceKeepsWhatEitherWasTold) {
    feed.on_opened(1, alpha, store.bits[alpha]);
    store.set(alpha, 3);
    feed.on_opened(1, alpha, store.bits[alpha]);
    EXPECT_TRUE(feed.resync(store.lookup()).empty()) << "the second BITFIELD already said 3";
}

}  // namespace
}  // namespace xfer::sender
