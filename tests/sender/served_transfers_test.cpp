// served_transfers: one record per content a receiver opened, with what was sent for it and how
// it ended; a connection that goes with contents open leaves them abandoned.
#include "sender/served_transfers.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace xfer::sender {
namespace {

using transfer_log::outcome;
using transfer_log::transfer_record;

struct recorder {
    std::vector<transfer_record> records;
    transfer_log::transfer_sink sink = [this](transfer_record r) { records.push_back(r); };
};

TEST(ServedTransfers, AClosedContentIsDoneWithItsBytesAndPeer) {
    recorder log;
    const auto start = served_transfers::clock::now();
    {
        served_transfers served(&log.sink, "10.0.0.5:40000");
        identity::peer_id peer{};
        peer.digest.fill(7);
        served.set_peer(peer);
        served.opened(1, "isos/a.iso", "abcd", start);
        served.sent(1, 1000);
        served.sent(2, 5);  // not open: ignored
        served.sent(1, 24);
        served.ended(1, outcome::done);
        ASSERT_EQ(log.records.size(), 1u);
        const auto& r = log.records[0];
        EXPECT_EQ(r.way, transfer_log::direction::sent);
        EXPECT_EQ(r.path, "isos/a.iso");
        EXPECT_EQ(r.content, "abcd");
        EXPECT_EQ(r.bytes, 1024u);
        EXPECT_EQ(r.address, "10.0.0.5:40000");
        EXPECT_EQ(r.peer_id, identity::format_peer_id(peer));
        EXPECT_EQ(r.result, outcome::done);
        served.ended(1, outcome::done);  // once only
    }
    EXPECT_EQ(log.records.size(), 1u);
}

TEST(ServedTransfers, ContentsStillOpenWhenTheConnectionGoesAreAbandoned) {
    recorder log;
    {
        served_transfers served(&log.sink, "a:1");
        served.opened(1, "one", "", served_transfers::clock::now());
        served.opened(2, "two", "", served_transfers::clock::now());
        served.ended(2, outcome::failed, "content changed");
    }
    ASSERT_EQ(log.records.size(), 2u);
    EXPECT_EQ(log.records[0].path, "two");
    EXPECT_EQ(log.records[0].result, outcome::failed);
    EXPECT_EQ(log.records[0].detail, "content changed");
    EXPECT_EQ(log.records[1].path, "one");
    EXPECT_EQ(log.records[1].result, outcome::abandoned);
}

TEST(ServedTransfers, AHandleReopenedEndsTheOldTransferFirst) {
    recorder log;
    served_transfers served(&log.sink, "a:1");
    served.opened(1, "old", "", served_transfers::clock::now());
    served.opened(1, "new", "", served_transfers::clock::now());
    ASSERT_EQ(log.records.size(), 1u);
    EXPECT_EQ(log.records[0].path, "old");
    EXPECT_EQ(log.records[0].result, outcome::abandoned);
}

TEST(ServedTransfers, WithoutASinkNothingIsRecorded) {
    transfer_log::transfer_sink empty;
    served_transfers none(nullptr, "a:1");
    none.opened(1, "x", "", served_transfers::clock::now());
    served_transfers unset(&empty, "a:1");
    unset.opened(1, "x", "", served_transfers::clock::now());
    unset.ended(1, outcome::done);  // no crash, no call
}

}  // namespace
}  // namespace xfer::sender
