// A fetch by path from discovery: which senders pass (receiver/source_trust). Pure: the known
// peers, the record signers and the TLS-verified ID go in, a verdict comes out.
#include "receiver/source_trust.hpp"

#include <gtest/gtest.h>

namespace xfer::receiver {
namespace {

identity::peer_id id_of(uint8_t seed) {
    identity::peer_id id;
    id.digest.fill(seed);
    return id;
}

const net::endpoint there{"127.0.0.1", 7420};
const net::endpoint elsewhere{"127.0.0.2", 7420};

struct fixture {
    identity::peer_id own = id_of(1), paired = id_of(2), allowed = id_of(3), seen = id_of(4),
                      stranger = id_of(5);
    trust::known_peers known;
    int next_calls = 0;

    fixture() {
        const auto now = trust::timestamp{};
        EXPECT_TRUE(known.add(paired, "p", trust::trust_level::paired, now));
        EXPECT_TRUE(known.add(allowed, "a", trust::trust_level::allowed, now));
        EXPECT_TRUE(known.add(seen, "s", trust::trust_level::seen, now));
    }

    session::peer_check check(std::vector<identity::peer_id> signers_there,
                              std::vector<net::endpoint> named = {}) {
        return trusted_sources_only(
            [this](const identity::peer_id&, const net::endpoint&) {
                ++next_calls;
                return session::peer_verdict::allow();
            },
            [signers_there](const net::endpoint& address) {
                return address == there ? signers_there : std::vector<identity::peer_id>{};
            },
            trusted_peers(known, own), "xfer trust", std::move(named));
    }
};

TEST(SourceTrust, OwnPairedAndAllowedPeersAreTrustedSeenAndStrangersAreNot) {
    fixture f;
    const auto trusted = trusted_peers(f.known, f.own);
    EXPECT_TRUE(trusted(f.own));
    EXPECT_TRUE(trusted(f.paired));
    EXPECT_TRUE(trusted(f.allowed));
    EXPECT_FALSE(trusted(f.seen)) << "a public first contact is not trust";
    EXPECT_FALSE(trusted(f.stranger));
}

TEST(SourceTrust, AnUntrustedSenderIsRefusedNamingItsIdAndTheWayOut) {
    fixture f;
    const auto verdict = f.check({})(f.stranger, elsewhere);
    EXPECT_FALSE(verdict.allowed);
    EXPECT_NE(verdict.reason.find(identity::format_peer_id(f.stranger)), std::string::npos)
        << verdict.reason;
    EXPECT_NE(verdict.reason.find("xfer trust add"), std::string::npos) << verdict.reason;
    EXPECT_EQ(f.next_calls, 0);
}

TEST(SourceTrust, TheTlsIdMustBeTheRecordsSigner) {
    fixture f;
    // A trusted peer's record, replayed so that it names an address where another trusted
    // peer answers: refused, whoever answers.
    const auto replayed = f.check({f.paired})(f.allowed, there);
    EXPECT_FALSE(replayed.allowed);
    EXPECT_NE(replayed.reason.find("signed by " + identity::format_peer_id(f.paired)),
              std::string::npos)
        << replayed.reason;
    const auto genuine = f.check({f.paired})(f.paired, there);
    EXPECT_TRUE(genuine.allowed) << genuine.reason;
    EXPECT_EQ(f.next_calls, 1) << "the known_hosts check still runs for an accepted sender";
    // An address discovery did not name (PEERS, connect-back): trust alone decides.
    EXPECT_TRUE(f.check({f.paired})(f.allowed, elsewhere).allowed);
}

TEST(SourceTrust, SourcesTheUserNamedAreLeftToTheKnownHostsCheck) {
    fixture f;
    EXPECT_TRUE(f.check({}, {elsewhere})(f.stranger, elsewhere).allowed);
    EXPECT_EQ(f.next_calls, 1);
}

}  // namespace
}  // namespace xfer::receiver
