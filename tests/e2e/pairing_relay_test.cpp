// Pairing through a man in the middle (tests/support/tls_relay: it terminates TLS with its own
// key on both sides and relays the plaintext): even with the right code the two sides' TLS
// exporters differ, so both see "wrong code", nothing is recorded on either side, and the relay
// cannot read what the sender serves afterwards.
#include <gtest/gtest.h>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"
#include "tests/support/tls_relay.hpp"

namespace xfer::test {
namespace {

std::string peer_id_of(const std::filesystem::path& home) {
    const auto result = run_xfer({"id", "--home", home.string()});
    EXPECT_EQ(result.status, 0) << result.describe();
    return result.out.substr(0, result.out.find('\n'));
}

TEST(PairingRelay, TheRightCodeThroughARelayPairsNobody) {
    sandbox box;
    const auto sender_home = box / "sender-home";
    const auto receiver_home = box / "receiver-home";
    const auto relay_home = box / "relay-home";
    write_random_file(box / "shared/a.bin", 100'000, 3);
    const auto relay_id = peer_id_of(relay_home);
    const auto receiver_id = peer_id_of(receiver_home);
    xfer_server server(box / "shared", {"--home", sender_home.string()});
    const auto line = server.process().wait_for_line("pairing code: ", startup_timeout);
    ASSERT_TRUE(line) << server.process().describe();
    const auto rest = line->substr(std::string("pairing code: ").size());
    const auto code = rest.substr(0, rest.find(' '));
    tls_relay relay(relay_home / "config", server.port());

    const auto fooled = run_xfer({"pair", relay.address(), code, "--home", receiver_home.string()});
    EXPECT_TRUE(failed_saying(fooled, {relay.address(), "wrong pairing code"}, 8));
    EXPECT_TRUE(single_error_line(fooled));
    EXPECT_GT(relay.handshakes(), 0u) << "the relay was in the path";
    const auto sender_knows = run_xfer({"trust", "--home", sender_home.string()}).out;
    EXPECT_EQ(sender_knows.find(relay_id), std::string::npos) << sender_knows;
    EXPECT_EQ(sender_knows.find(receiver_id), std::string::npos) << sender_knows;
    const auto receiver_knows = run_xfer({"trust", "--home", receiver_home.string()}).out;
    EXPECT_EQ(receiver_knows.find(relay_id), std::string::npos) << receiver_knows;
}

}  // namespace
}  // namespace xfer::test
