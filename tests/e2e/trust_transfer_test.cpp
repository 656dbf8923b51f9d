// Trust over real connections, each side with its own --home (so its own identity): an unknown
// receiver is refused in one line and logged by the sender, and reads with --public; a sender
// whose key changed at a known address is refused showing both IDs, until the command the error
// names accepts it; --peer pins the sender's ID; an allowed receiver reads.
#include <gtest/gtest.h>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

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
    return first_line(result.out);
}

struct two_machines {
    sandbox box;
    std::filesystem::path sender_home = box / "sender-home";
    std::filesystem::path receiver_home = box / "receiver-home";
    std::filesystem::path shared = box / "shared";
    std::filesystem::path original = write_random_file(shared / "a.bin", 600'000, 11);

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
    std::vector<std::string> serve_args(std::vector<std::string> extra = {}) const {
        std::vector<std::string> args{"--home", sender_home.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }
};

TEST(TrustTransfer, AnUnknownReceiverIsRefusedInOneLineAndLogged) {
    const two_machines m;
    const auto receiver_id = peer_id_of(m.receiver_home);
    xfer_server server(m.shared, m.serve_args());
    const auto refused = m.fetch(server.address());
    EXPECT_TRUE(
        failed_saying(refused, {"not allowed", receiver_id, "xfer trust add"}, exit_code::refused));
    EXPECT_TRUE(single_error_line(refused));
    EXPECT_FALSE(std::filesystem::exists(m.box / "out/a.bin"));
    EXPECT_TRUE(eventually([&] {
        const auto log = server.process().stderr_text();
        return log.find("refused peer " + receiver_id) != std::string::npos &&
               log.find("127.0.0.1") != std::string::npos;
    })) << server.process().describe();
}

TEST(TrustTransfer, PublicLetsAnUnknownReceiverReadAndIsRemembered) {
    const two_machines m;
    const auto sender_id = peer_id_of(m.sender_home);
    xfer_server server(m.shared, m.serve_args({"--public"}));
    EXPECT_NE(server.process().stdout_text().find("anyone who can reach it (--public)"),
              std::string::npos)
        << server.process().describe();
    const auto fetched = m.fetch(server.address());
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(m.original, m.box / "out/a.bin"), "");
    EXPECT_NE(fetched.out.find("first contact with " + server.address() + " (peer ID " + sender_id),
              std::string::npos)
        << fetched.describe();
    const auto known = run_xfer({"trust", "--home", m.receiver_home.string()});
    EXPECT_NE(known.out.find(sender_id + "  seen"), std::string::npos) << known.describe();
    EXPECT_NE(known.out.find(server.address()), std::string::npos) << known.describe();
}

TEST(TrustTransfer, AnAllowedReceiverReadsAndPinsTheSender) {
    const two_machines m;
    const auto sender_id = peer_id_of(m.sender_home);
    const auto receiver_id = peer_id_of(m.receiver_home);
    xfer_server server(m.shared, m.serve_args({"--allow", receiver_id}));
    const auto unpinned = m.fetch(server.address());
    EXPECT_TRUE(failed_saying(unpinned, {"does not know", sender_id, "--peer " + sender_id}));
    const auto pinned = m.fetch(server.address(), {"--peer", sender_id});
    ASSERT_EQ(pinned.status, 0) << pinned.describe();
    EXPECT_EQ(file_difference(m.original, m.box / "out/a.bin"), "");
    std::filesystem::remove(m.box / "out/a.bin");
    const auto again = m.fetch(server.address());
    ASSERT_EQ(again.status, 0) << "remembered at that address: " << again.describe();
}

TEST(TrustTransfer, AMismatchedPeerIsRefusedShowingBothIds) {
    const two_machines m;
    const auto sender_id = peer_id_of(m.sender_home);
    const auto other_id = peer_id_of(m.box / "other-home");
    xfer_server server(m.shared, m.serve_args({"--public"}));
    const auto refused = m.fetch(server.address(), {"--peer", other_id});
    EXPECT_TRUE(failed_saying(refused, {sender_id, other_id, "--peer"}));
    EXPECT_TRUE(single_error_line(refused));
    EXPECT_FALSE(std::filesystem::exists(m.box / "out/a.bin"));
    const auto listed =
        run_xfer({"ls", server.address(), "--home", m.receiver_home.string(), "--peer", other_id});
    EXPECT_TRUE(failed_saying(listed, {sender_id, other_id}));
}

TEST(TrustTransfer, AChangedSenderKeyAtAKnownAddressIsRefusedUntilAccepted) {
    const two_machines m;
    const auto old_id = peer_id_of(m.sender_home);
    const auto port = pick_free_port();
    const std::string address = "127.0.0.1:" + std::to_string(port);
    {
        auto server = serve_at(m.shared, m.serve_args({"--public", "--listen", address}));
        ASSERT_EQ(m.fetch(address).status, 0);
        std::filesystem::remove(m.box / "out/a.bin");
        server->stop();
    }
    ASSERT_EQ(run_xfer({"id", "--reset", "--home", m.sender_home.string()}).status, 0);
    const auto new_id = peer_id_of(m.sender_home);
    auto server = serve_at(m.shared, m.serve_args({"--public", "--listen", address}));
    const auto refused = m.fetch(address);
    const std::string accept = "xfer trust --home " + m.receiver_home.string() + " accept " +
                               new_id + " --address " + address;
    EXPECT_TRUE(failed_saying(refused, {old_id, new_id, accept}));
    EXPECT_TRUE(single_error_line(refused));
    EXPECT_FALSE(std::filesystem::exists(m.box / "out/a.bin"));
    // The command the error names, word for word, lets the next fetch through.
    ASSERT_EQ(run_xfer({"trust", "--home", m.receiver_home.string(), "accept", new_id, "--address",
                        address})
                  .status,
              0);
    const auto accepted = m.fetch(address);
    ASSERT_EQ(accepted.status, 0) << accepted.describe();
    EXPECT_EQ(file_difference(m.original, m.box / "out/a.bin"), "");
}

}  // namespace
}  // namespace xfer::test
