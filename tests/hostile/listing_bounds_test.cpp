// A hostile sender answering `xfer ls` with a listing that never ends (LISTING frames with the
// "more" flag, on and on) must make ls fail with one line naming the peer, not grow.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "receiver/remote_listing.hpp"
#include "shared/core/ids.hpp"
#include "shared/wire/messages.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/e2e_net.hpp"

namespace xfer::test {
namespace {

// HELLO, then LISTING frames of `per_frame` entries named `name_length` bytes, all with "more"
// set, until they hold more than `total_entries` entries or `total_bytes` bytes of entries.
std::vector<uint8_t> endless_listing(size_t per_frame, size_t name_length, size_t total_entries,
                                     size_t total_bytes) {
    std::vector<uint8_t> script;
    wire::hello hello;
    hello.id = random_peer_id();
    wire::encode(hello, script);
    size_t entries = 0;
    size_t bytes = 0;
    for (uint64_t n = 0; entries <= total_entries && bytes <= total_bytes;) {
        wire::listing frame{.more = true, .entries = {}};
        for (size_t i = 0; i < per_frame; ++i, ++n) {
            wire::listing_entry entry;
            entry.size = n;
            entry.name = std::to_string(n) + std::string(name_length, 'x');
            bytes += wire::listing_entry_size(entry);
            frame.entries.push_back(std::move(entry));
        }
        entries += per_frame;
        wire::encode(frame, script);
    }
    return script;
}

void expect_ls_refuses(const std::vector<uint8_t>& script) {
    scripted_peer peer(script, /*hold_open=*/true);
    const auto listed = run_xfer({"ls", peer.address(), "--timeout", "60"});
    EXPECT_TRUE(failed_saying(listed, {peer.address(), "listing too large"}));
    EXPECT_TRUE(single_error_line(listed));
    EXPECT_EQ(listed.out, "");
}

TEST(ListingBounds, AListingOfEndlesslyManyEntriesFailsNamingThePeer) {
    expect_ls_refuses(endless_listing(wire::max_listing_entries, 4,
                                      receiver::max_listing_total_entries, SIZE_MAX));
}

TEST(ListingBounds, AListingOfEndlesslyLongNamesFailsNamingThePeer) {
    // Under the entry bound, over the byte bound: 250 names of 4000 bytes per frame.
    expect_ls_refuses(endless_listing(250, 4000, SIZE_MAX, receiver::max_listing_total_bytes));
}

}  // namespace
}  // namespace xfer::test
