// Pairing once, over real processes on loopback, each side with its own --home (so its own
// identity): `xfer serve` prints a code, `xfer fetch --code` / `xfer pair` prove it, both sides
// remember each other as paired and never need a code again. A wrong code fails in one line with
// exit status 8 and records nothing; three wrong tries kill a code, even for the right one; an
// expired code is replaced and no longer pairs; a --public sender offers no code.
#include <gtest/gtest.h>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

constexpr int pairing_failed = 8;  // tools/xfer/exit_status.hpp

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

std::string peer_id_of(const std::filesystem::path& home) {
    const auto result = run_xfer({"id", "--home", home.string()});
    EXPECT_EQ(result.status, 0) << result.describe();
    return first_line(result.out);
}

// The code of the `n`th "pairing code: CODE (...)" line the sender printed (0: the first).
std::string printed_code(child_process& sender, size_t n = 0) {
    std::optional<std::string> line;
    EXPECT_TRUE(eventually([&] {
        size_t seen = 0;
        for (const auto& each : sender.stdout_lines()) {
            if (each.starts_with("pairing code: ") && seen++ == n) line = each;
        }
        return line.has_value();
    })) << sender.describe();
    if (!line) return "";
    const auto code = line->substr(std::string("pairing code: ").size());
    return code.substr(0, code.find(' '));
}

// The same code with another number: certainly wrong.
std::string wrong_code(const std::string& code) {
    const auto dash = code.find('-');
    const int number = std::stoi(code.substr(0, dash));
    return std::to_string(number % 999 + 1) + code.substr(dash);
}

struct two_machines {
    sandbox box;
    std::filesystem::path sender_home = box / "sender-home";
    std::filesystem::path receiver_home = box / "receiver-home";
    std::filesystem::path shared = box / "shared";
    std::filesystem::path original = write_random_file(shared / "a.bin", 700'000, 21);
    std::filesystem::path fetched = box / "out/a.bin";

    command_result fetch(const std::string& address, std::vector<std::string> extra = {}) const {
        std::vector<std::string> args{"fetch",
                                      address,
                                      "a.bin",
                                      "-o",
                                      (box / "out").string(),
                                      "--home",
                                      receiver_home.string(),
                                      "--name",
                                      "bravo-receiver"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_xfer(args);
    }
    command_result pair(const std::string& address, const std::string& code) const {
        return run_xfer(
            {"pair", address, code, "--home", receiver_home.string(), "--name", "bravo-receiver"});
    }
    std::vector<std::string> serve_args(std::vector<std::string> extra = {}) const {
        std::vector<std::string> args{"--home", sender_home.string(), "--name", "alpha-sender"};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }
    std::string known_by(const std::filesystem::path& home) const {
        return run_xfer({"trust", "--home", home.string()}).out;
    }
};

TEST(PairingCli, TheRightCodePairsBothSidesAndTheNextFetchNeedsNone) {
    const two_machines m;
    const auto sender_id = peer_id_of(m.sender_home);
    const auto receiver_id = peer_id_of(m.receiver_home);
    xfer_server server(m.shared, m.serve_args());
    const auto code = printed_code(server.process());
    ASSERT_FALSE(code.empty());

    const auto paired = m.fetch(server.address(), {"--code", code});
    ASSERT_EQ(paired.status, 0) << paired.describe();
    EXPECT_EQ(file_difference(m.original, m.fetched), "");
    EXPECT_NE(paired.out.find("paired with alpha-sender (" + sender_id + ")"), std::string::npos)
        << paired.describe();
    EXPECT_TRUE(eventually([&] {
        return server.process().stdout_text().find("paired with bravo-receiver (" + receiver_id +
                                                   ")") != std::string::npos;
    })) << server.process().describe();

    // Each side holds the other as paired; the receiver at the address it dialled.
    const auto receiver_knows = m.known_by(m.receiver_home);
    EXPECT_NE(receiver_knows.find(sender_id + "  paired  alpha-sender"), std::string::npos)
        << receiver_knows;
    EXPECT_NE(receiver_knows.find(server.address()), std::string::npos) << receiver_knows;
    const auto sender_knows = m.known_by(m.sender_home);
    EXPECT_NE(sender_knows.find(receiver_id + "  paired  bravo-receiver"), std::string::npos)
        << sender_knows;

    // The code is spent: the sender shows a new one, and says why.
    const auto next = printed_code(server.process(), 1);
    EXPECT_NE(next, code);
    EXPECT_NE(server.process().stdout_text().find("the previous code paired a receiver"),
              std::string::npos);

    std::filesystem::remove(m.fetched);
    const auto again = m.fetch(server.address());
    ASSERT_EQ(again.status, 0) << "no code the second time: " << again.describe();
    EXPECT_EQ(file_difference(m.original, m.fetched), "");
}

TEST(PairingCli, AWrongCodeFailsInOneLineWritesNothingAndRecordsNothing) {
    const two_machines m;
    const auto sender_id = peer_id_of(m.sender_home);
    const auto receiver_id = peer_id_of(m.receiver_home);
    xfer_server server(m.shared, m.serve_args());
    const auto code = printed_code(server.process());
    ASSERT_FALSE(code.empty());

    const auto refused = m.fetch(server.address(), {"--code", wrong_code(code)});
    EXPECT_TRUE(failed_saying(refused, {server.address(), "wrong pairing code"}, pairing_failed));
    EXPECT_TRUE(single_error_line(refused));
    EXPECT_FALSE(std::filesystem::exists(m.fetched));
    EXPECT_FALSE(std::filesystem::exists(m.box / "out/a.bin.xfer-part"));
    EXPECT_EQ(m.known_by(m.receiver_home).find(sender_id), std::string::npos);
    EXPECT_EQ(m.known_by(m.sender_home).find(receiver_id), std::string::npos);
    EXPECT_TRUE(eventually([&] {
        return server.process().stderr_text().find("pairing failed") != std::string::npos;
    })) << server.process().describe();

    // Still unpaired: a plain fetch is refused, and told how to pair.
    const auto plain = m.fetch(server.address());
    EXPECT_TRUE(failed_saying(plain, {"not allowed", "xfer pair HOST CODE"}));
    EXPECT_FALSE(std::filesystem::exists(m.fetched));

    // One wrong try leaves the code alive: it still pairs.
    const auto right = m.pair(server.address(), code);
    ASSERT_EQ(right.status, 0) << right.describe();
    EXPECT_NE(m.known_by(m.receiver_home).find(sender_id + "  paired"), std::string::npos);
}

TEST(PairingCli, ThreeWrongTriesKillTheCodeEvenForTheRightOne) {
    const two_machines m;
    const auto sender_id = peer_id_of(m.sender_home);
    xfer_server server(m.shared, m.serve_args());
    const auto code = printed_code(server.process());
    ASSERT_FALSE(code.empty());
    for (int i = 0; i < 3; ++i) {
        const auto wrong = m.pair(server.address(), wrong_code(code));
        EXPECT_TRUE(failed_saying(wrong, {"wrong pairing code"}, pairing_failed)) << "try " << i;
    }
    const auto dead = m.pair(server.address(), code);
    EXPECT_TRUE(failed_saying(dead, {server.address(), "no longer valid"}, pairing_failed));
    EXPECT_TRUE(single_error_line(dead));
    EXPECT_EQ(m.known_by(m.receiver_home).find(sender_id), std::string::npos);

    const auto fresh = printed_code(server.process(), 1);
    EXPECT_NE(fresh, code);
    EXPECT_NE(server.process().stdout_text().find("died after too many wrong tries"),
              std::string::npos)
        << server.process().describe();
    const auto paired = m.pair(server.address(), fresh);
    ASSERT_EQ(paired.status, 0) << paired.describe();
}

TEST(PairingCli, AnExpiredCodeIsReplacedAndNoLongerPairs) {
    const two_machines m;
    xfer_server server(m.shared, m.serve_args({"--code-lifetime", "1"}));
    const auto code = printed_code(server.process());
    ASSERT_FALSE(code.empty());
    // Waits for the sender's own word that the code expired, not for a time.
    EXPECT_TRUE(eventually([&] {
        return server.process().stdout_text().find("the previous code expired") !=
               std::string::npos;
    })) << server.process().describe();
    EXPECT_NE(server.process().stdout_text().find("(valid 1 s, until "), std::string::npos);
    const auto expired = m.pair(server.address(), code);
    EXPECT_TRUE(failed_saying(expired, {server.address(), "expired"}, pairing_failed));
    EXPECT_TRUE(single_error_line(expired));
}

TEST(PairingCli, PairAloneRemembersTheSenderAndAPlainFetchFollows) {
    const two_machines m;
    const auto sender_id = peer_id_of(m.sender_home);
    xfer_server server(m.shared, m.serve_args());
    const auto code = printed_code(server.process());
    const auto paired = m.pair(server.address(), code);
    ASSERT_EQ(paired.status, 0) << paired.describe();
    EXPECT_EQ(paired.out,
              "paired with alpha-sender (" + sender_id + ") at " + server.address() + "\n");
    EXPECT_FALSE(std::filesystem::exists(m.fetched)) << "pair fetches nothing";
    const auto fetched = m.fetch(server.address());
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(m.original, m.fetched), "");
}

TEST(PairingCli, APublicSenderPrintsNoCodeAndRefusesToPair) {
    const two_machines m;
    xfer_server server(m.shared, m.serve_args({"--public"}));
    const auto fetched = m.fetch(server.address());
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    const auto pair = m.pair(server.address(), "7-amber-forest");
    EXPECT_TRUE(failed_saying(pair, {"offers no pairing code"}, pairing_failed));
    EXPECT_EQ(server.process().stdout_text().find("pairing code"), std::string::npos)
        << server.process().describe();
}

TEST(PairingCli, ASenderFirstSeenAsPublicIsPairedUnderTheNameItSends) {
    const two_machines m;
    const auto sender_id = peer_id_of(m.sender_home);
    const std::string address = "127.0.0.1:" + std::to_string(pick_free_port());
    const auto serve_at = [&](std::vector<std::string> extra) {
        auto args = m.serve_args(std::move(extra));
        args.insert(args.begin(), {"serve", m.shared.string(), "--listen", address});
        auto process = std::make_unique<child_process>(xfer_command(args));
        EXPECT_TRUE(process->wait_for_line("serving ", startup_timeout)) << process->describe();
        return process;
    };
    {
        auto open = serve_at({"--public"});
        ASSERT_EQ(m.fetch(address).status, 0);
        EXPECT_NE(m.known_by(m.receiver_home).find(sender_id + "  seen  127.0.0.1"),
                  std::string::npos);
        open->stop();
    }
    auto closed = serve_at({});
    const auto paired = m.pair(address, printed_code(*closed));
    ASSERT_EQ(paired.status, 0) << paired.describe();
    const auto known = m.known_by(m.receiver_home);
    EXPECT_NE(known.find(sender_id + "  paired  alpha-sender"), std::string::npos) << known;
}

TEST(PairingCli, ServeWithJsonReportsTheCodeAsAnEvent) {
    const two_machines m;
    auto args = m.serve_args({"--json"});
    args.insert(args.begin(), {"serve", m.shared.string(), "--listen", "127.0.0.1:0"});
    child_process server(xfer_command(args));
    const auto event = server.wait_for_line("\"event\":\"pairing_code\"", startup_timeout);
    ASSERT_TRUE(event) << server.describe();
    EXPECT_NE(event->find("\"code\":\""), std::string::npos) << *event;
    EXPECT_NE(event->find("\"expires_in\":600"), std::string::npos) << *event;
    EXPECT_NE(event->find("\"replaces\":\"first\""), std::string::npos) << *event;
}

TEST(PairingCli, ATypoInTheCodeIsAUsageError) {
    const two_machines m;
    const auto typo = m.pair("127.0.0.1:9", "7-amber-notaword");
    EXPECT_EQ(typo.status, 2) << typo.describe();
    EXPECT_TRUE(single_error_line(typo));
}

}  // namespace
}  // namespace xfer::test
