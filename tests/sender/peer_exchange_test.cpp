// Peer exchange as a pure policy: who is introduced to whom when a receiver opens a content.
#include "sender/peer_exchange.hpp"

#include <gtest/gtest.h>

namespace xfer::sender {
namespace {

const content_id film{1};
const content_id other_film{2};
const net::endpoint alice{"10.0.0.1", 7001};
const net::endpoint bob{"10.0.0.2", 7002};
const net::endpoint carol{"10.0.0.3", 7003};

TEST(PeerExchange, FirstReceiverMeetsNobody) {
    peer_exchange exchange;
    const auto first = exchange.join(film, 1, alice);
    EXPECT_TRUE(first.to_newcomer.empty());
    EXPECT_TRUE(first.about_newcomer.empty());
}

TEST(PeerExchange, NewcomerLearnsThoseAlreadyThereAndTheyLearnIt) {
    peer_exchange exchange;
    (void)exchange.join(film, 1, alice);
    (void)exchange.join(film, 2, bob);
    const auto third = exchange.join(film, 3, carol);
    EXPECT_EQ(third.to_newcomer, (std::vector<net::endpoint>{alice, bob}));
    EXPECT_EQ(third.about_newcomer, (std::vector<uint64_t>{1, 2}));
}

TEST(PeerExchange, OnlyReceiversOfTheSameContentMeet) {
    peer_exchange exchange;
    (void)exchange.join(other_film, 1, alice);
    const auto second = exchange.join(film, 2, bob);
    EXPECT_TRUE(second.to_newcomer.empty());
    EXPECT_TRUE(second.about_newcomer.empty());
}

TEST(PeerExchange, NobodyIsIntroducedToItself) {
    peer_exchange exchange;
    (void)exchange.join(film, 1, alice);
    // The same receiver again on another connection (same sender address), and the same
    // connection opening the content a second time.
    EXPECT_TRUE(exchange.join(film, 2, alice).to_newcomer.empty());
    const auto again = exchange.join(film, 1, alice);
    EXPECT_TRUE(again.to_newcomer.empty());
    EXPECT_TRUE(again.about_newcomer.empty());
}

TEST(PeerExchange, ReceiverThatLeftIsNotIntroduced) {
    peer_exchange exchange;
    (void)exchange.join(film, 1, alice);
    (void)exchange.join(film, 2, bob);
    exchange.leave(1);
    const auto third = exchange.join(film, 3, carol);
    EXPECT_EQ(third.to_newcomer, (std::vector<net::endpoint>{bob}));
    EXPECT_EQ(third.about_newcomer, (std::vector<uint64_t>{2}));
}

}  // namespace
}  // namespace xfer::sender
