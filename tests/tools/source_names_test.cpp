// What a typed SOURCE is: an address as written, or a name to look up (pure parts).
#include "tools/xfer/source_names.hpp"

#include <gtest/gtest.h>

namespace xfer::cli {
namespace {

TEST(SourceNames, AddressesAreTakenAsWritten) {
    for (const auto* host : {"192.168.1.5", "127.0.0.1", "a.lan", "::1", "fe80::1", "localhost"})
        EXPECT_TRUE(written_as_address(host)) << host;
    for (const auto* name : {"alice", "nas", "XWSLX75", "zoë"})
        EXPECT_FALSE(written_as_address(name)) << name;
}

TEST(SourceNames, OnlyLetterDigitHyphenWordsMayBeHostNames) {
    for (const auto* name : {"nas", "build-01", "A1"}) EXPECT_TRUE(valid_host_label(name)) << name;
    for (const auto* name : {"", "-x", "x-", "zoë", "bob's laptop", "a_b"})
        EXPECT_FALSE(valid_host_label(name)) << name;
    EXPECT_FALSE(valid_host_label(std::string(64, 'a')));
}

TEST(SourceNames, APeerAnswersToItsNameOrItsIdPrefix) {
    discovery::peer_record alice;
    alice.name = "alice";
    alice.identity.digest.fill(1);
    alice.sender = {"10.0.0.1", 7420};
    discovery::peer_record bob = alice;
    bob.name = "bob";
    bob.identity.digest.fill(2);
    bob.sender = {"10.0.0.2", 7420};
    const std::vector<discovery::peer_record> heard{alice, bob};
    ASSERT_EQ(peers_called("alice", heard).size(), 1u);
    EXPECT_EQ(peers_called("alice", heard)[0].sender.host, "10.0.0.1");
    const auto bob_id = identity::format_peer_id(bob.identity);
    ASSERT_EQ(peers_called(bob_id.substr(0, 7), heard).size(), 1u);
    EXPECT_EQ(peers_called(bob_id.substr(0, 7), heard)[0].name, "bob");
    EXPECT_TRUE(peers_called(bob_id.substr(0, 6), heard).empty()) << "too short a prefix";
    EXPECT_TRUE(peers_called("ali", heard).empty());
    bob.name = "alice";
    EXPECT_EQ(peers_called("alice", {alice, bob}).size(), 2u);
}

}  // namespace
}  // namespace xfer::cli
