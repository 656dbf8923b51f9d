// A man in the middle: a process that terminates TLS with its own identity and relays to the
// real sender (tests/support/tls_relay). It works as a relay (a receiver that pins the relay's
// own ID lists through it), and a receiver that knows the real sender's ID, pinned or
// remembered at that address, refuses it naming both IDs.
#include <gtest/gtest.h>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"
#include "tests/support/tls_relay.hpp"

namespace xfer::test {
namespace {

// `xfer serve DIR ARGS...` at a fixed address (xfer_server picks a free port itself).
std::unique_ptr<child_process> serve_at(const std::filesystem::path& dir,
                                        std::vector<std::string> args) {
    args.insert(args.begin(), {"serve", dir.string()});
    auto process = std::make_unique<child_process>(xfer_command(args));
    if (!process->wait_for_line("serving ", startup_timeout))
        throw std::runtime_error("xfer serve did not start:\n" + process->describe());
    return process;
}

std::string peer_id_of(const std::filesystem::path& home) {
    const auto result = run_xfer({"id", "--home", home.string()});
    EXPECT_EQ(result.status, 0) << result.describe();
    return result.out.substr(0, result.out.find('\n'));
}

struct relay_setup {
    sandbox box;
    std::filesystem::path sender_home = box / "sender-home";
    std::filesystem::path receiver_home = box / "receiver-home";
    std::filesystem::path relay_home = box / "relay-home";
    std::filesystem::path shared = box / "shared";
    std::filesystem::path original = write_random_file(shared / "a.bin", 400'000, 5);
    std::string sender_id = peer_id_of(sender_home);
    std::string relay_id = peer_id_of(relay_home);

    command_result fetch(const std::string& address, std::vector<std::string> extra = {}) const {
        std::vector<std::string> args{"fetch",
                                      address,
                                      "a.bin",
                                      "-o",
                                      (box / "out").string(),
                                      "--home",
                                      receiver_home.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_xfer(args);
    }
};

TEST(TrustRelay, APinnedReceiverDetectsTheRelay) {
    const relay_setup s;
    // --public: the sender lets the relay in, the attacker's best case.
    xfer_server server(s.shared, {"--home", s.sender_home.string(), "--public"});
    tls_relay relay(s.relay_home / "config", server.port());

    const auto through =
        run_xfer({"ls", relay.address(), "--home", s.receiver_home.string(), "--peer", s.relay_id});
    ASSERT_EQ(through.status, 0) << "the relay really relays: " << through.describe();
    EXPECT_NE(through.out.find("a.bin"), std::string::npos) << through.describe();
    EXPECT_GT(relay.bytes_to_clients(), 0u);

    const auto fooled = s.fetch(relay.address(), {"--peer", s.sender_id});
    EXPECT_TRUE(failed_saying(fooled, {s.relay_id, s.sender_id}));
    EXPECT_TRUE(single_error_line(fooled));
    EXPECT_FALSE(std::filesystem::exists(s.box / "out/a.bin"));
}

TEST(TrustRelay, AReceiverThatRemembersTheSenderAtThatAddressDetectsTheRelay) {
    const relay_setup s;
    const auto port = pick_free_port();
    const std::string address = "127.0.0.1:" + std::to_string(port);
    {
        auto first =
            serve_at(s.shared, {"--home", s.sender_home.string(), "--public", "--listen", address});
        const auto direct = s.fetch(address);
        ASSERT_EQ(direct.status, 0) << direct.describe();
        std::filesystem::remove(s.box / "out/a.bin");
        first->stop();
    }
    // The sender moves; the relay takes its old address.
    xfer_server moved(s.shared, {"--home", s.sender_home.string(), "--public"});
    tls_relay relay(s.relay_home / "config", moved.port(), port);
    const auto fooled = s.fetch(address);
    EXPECT_TRUE(failed_saying(fooled, {s.relay_id, s.sender_id, "accept"}));
    EXPECT_FALSE(std::filesystem::exists(s.box / "out/a.bin"));
    EXPECT_GT(relay.handshakes(), 0u) << "the relay was reached";
}

}  // namespace
}  // namespace xfer::test
