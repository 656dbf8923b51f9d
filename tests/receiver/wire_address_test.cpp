// Addresses a peer hands a fetch: numeric unicast with a port, nothing else.
#include <gtest/gtest.h>

#include "receiver/wire_address.hpp"

namespace xfer::receiver {
namespace {

bool dialable(const std::string& host, uint16_t port = 7420) {
    return !undialable_reason(net::endpoint{host, port});
}

TEST(WireAddress, UnicastAddressesWithAPortMayBeDialled) {
    EXPECT_TRUE(dialable("127.0.0.1"));
    EXPECT_TRUE(dialable("192.168.1.20", 9000));
    EXPECT_TRUE(dialable("10.0.0.1"));
    EXPECT_TRUE(dialable("::1"));
    EXPECT_TRUE(dialable("fe80::1"));
    EXPECT_TRUE(dialable("2001:db8::5"));
    EXPECT_TRUE(dialable("::ffff:192.168.1.1"));
}

TEST(WireAddress, PortZeroIsRefused) {
    EXPECT_EQ(undialable_reason({"127.0.0.1", 0}), "port 0");
}

TEST(WireAddress, UnspecifiedMulticastAndBroadcastAreRefused) {
    for (const char* host : {"0.0.0.0", "0.1.2.3", "::", "224.0.0.1", "239.255.74.20",
                             "255.255.255.255", "240.0.0.1", "ff02::1", "ff05::2", "::ffff:0.0.0.0",
                             "::ffff:239.255.74.20", "::ffff:255.255.255.255"}) {
        EXPECT_FALSE(dialable(host)) << host;
    }
}

TEST(WireAddress, NamesAreRefusedBeforeAnyLookup) {
    EXPECT_NE(undialable_reason({"localhost", 7420}), std::nullopt);
    EXPECT_NE(undialable_reason({"peer.invalid", 7420}), std::nullopt);
    EXPECT_NE(undialable_reason({"", 7420}), std::nullopt);
    EXPECT_NE(undialable_reason({"1.2.3", 7420}), std::nullopt);  // inet_aton would take it
}

TEST(WireAddress, ALinkLocalAddressMayCarryItsInterfaceAndNothingElseMay) {
    EXPECT_TRUE(dialable("fe80::1%eth0"));
    EXPECT_TRUE(dialable("fe80::245b:10ff:fe60:ed03%veth-a.1"));
    EXPECT_FALSE(dialable("2001:db8::5%eth0")) << "a scope on a global address";
    EXPECT_FALSE(dialable("127.0.0.1%eth0"));
    EXPECT_FALSE(dialable("fe80::1%"));
    EXPECT_FALSE(dialable("fe80::1%eth0/x"));
    EXPECT_FALSE(dialable("fe80::1%averyveryverylongname"));
    EXPECT_FALSE(dialable("ff02::1%eth0"));
}

}  // namespace
}  // namespace xfer::receiver
