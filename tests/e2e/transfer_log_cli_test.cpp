// `xfer log`: serve and fetch each record what they moved (who, what, how many bytes, how it
// ended), names from peers reach the terminal escaped, --follow shows records as they are
// written, and filters select.
#include <gtest/gtest.h>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

std::string peer_id_of(const std::filesystem::path& home) {
    const auto id = run_xfer({"id", "--home", home.string()});
    EXPECT_EQ(id.status, 0) << id.describe();
    return id.out.substr(0, id.out.find('\n'));
}

struct two_homes {
    sandbox box;
    std::filesystem::path server_home = box / "server-home";
    std::filesystem::path client_home = box / "client-home";
    std::filesystem::path source = write_random_file(box / "src/a.bin", 700'000, 3);
};

command_result fetch_from(const two_homes& t, const std::string& address,
                          std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"fetch",
                                  address,
                                  "a.bin",
                                  "-o",
                                  (t.box / "out").string(),
                                  "--force",
                                  "--home",
                                  t.client_home.string(),
                                  "-q"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_xfer(args);
}

command_result log_of(const std::filesystem::path& home, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"log", "--home", home.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_xfer(args);
}

TEST(TransferLogCli, ServeAndFetchEachRecordTheTransferWithThePeerAndBytes) {
    two_homes t;
    xfer_server server(t.box / "src", {"--public", "--home", t.server_home.string()});
    const auto fetched = fetch_from(t, server.address());
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    ASSERT_EQ(file_difference(t.source, t.box / "out/a.bin"), "");

    const auto received = log_of(t.client_home, {"--json"});
    ASSERT_EQ(received.status, 0) << received.describe();
    EXPECT_NE(received.out.find("\"direction\":\"received\""), std::string::npos) << received.out;
    EXPECT_NE(received.out.find("\"path\":\"a.bin\""), std::string::npos) << received.out;
    EXPECT_NE(received.out.find("\"bytes\":700000"), std::string::npos) << received.out;
    EXPECT_NE(received.out.find("\"outcome\":\"done\""), std::string::npos) << received.out;
    EXPECT_NE(received.out.find("\"peer_id\":\"" + peer_id_of(t.server_home) + "\""),
              std::string::npos)
        << received.out;

    // The sender writes its record when the receiver closes the content: soon, not at once.
    const auto client_id = peer_id_of(t.client_home);
    command_result sent;
    EXPECT_TRUE(eventually([&] {
        sent = log_of(t.server_home, {"--json"});
        return sent.out.find("\"direction\":\"sent\"") != std::string::npos;
    })) << sent.describe();
    EXPECT_NE(sent.out.find("\"bytes\":700000"), std::string::npos) << sent.out;
    EXPECT_NE(sent.out.find("\"peer_id\":\"" + client_id + "\""), std::string::npos) << sent.out;
    EXPECT_NE(sent.out.find("\"outcome\":\"done\""), std::string::npos) << sent.out;

    const auto human = log_of(t.server_home);
    EXPECT_NE(human.out.find("sent"), std::string::npos) << human.out;
    EXPECT_NE(human.out.find("a.bin"), std::string::npos) << human.out;
    EXPECT_NE(human.out.find(client_id.substr(0, 7)), std::string::npos) << human.out;
}

TEST(TransferLogCli, APeersNameIsShownEscapedNeverRaw) {
    two_homes t;
    const auto client_id = peer_id_of(t.client_home);
    const auto added =
        run_xfer({"trust", "add", client_id, "\x1b[2Jevil\x07", "--home", t.server_home.string()});
    ASSERT_EQ(added.status, 0) << added.describe();
    xfer_server server(t.box / "src", {"--home", t.server_home.string()});
    const auto fetched = fetch_from(t, server.address(), {"--peer", peer_id_of(t.server_home)});
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    command_result shown;
    EXPECT_TRUE(eventually([&] {
        shown = log_of(t.server_home);
        return shown.out.find("evil") != std::string::npos;
    })) << shown.describe();
    EXPECT_EQ(shown.out.find('\x1b'), std::string::npos) << shown.out;
    EXPECT_EQ(shown.out.find('\x07'), std::string::npos) << shown.out;
    EXPECT_NE(shown.out.find("\\x1b"), std::string::npos) << shown.out;
}

TEST(TransferLogCli, FollowPrintsEachNewRecordAsItIsWritten) {
    two_homes t;
    xfer_server server(t.box / "src", {"--public", "--home", t.server_home.string()});
    ASSERT_EQ(fetch_from(t, server.address()).status, 0);
    child_process follow(xfer_command({"log", "-f", "--json", "--home", t.client_home.string()}));
    // The record already there comes first: from then on the follower is watching.
    ASSERT_TRUE(follow.wait_for_line("\"transfer\"", startup_timeout)) << follow.describe();
    ASSERT_EQ(fetch_from(t, server.address()).status, 0);
    const auto live = follow.wait_for_line("\"transfer\"", startup_timeout, /*skip_lines=*/1);
    ASSERT_TRUE(live) << follow.describe();
    EXPECT_NE(live->find("\"direction\":\"received\""), std::string::npos) << *live;
    EXPECT_EQ(follow.stop(), 0) << follow.describe();
}

TEST(TransferLogCli, FiltersSelectAndABadTimeIsAUsageError) {
    two_homes t;
    xfer_server server(t.box / "src", {"--public", "--home", t.server_home.string()});
    ASSERT_EQ(fetch_from(t, server.address()).status, 0);
    EXPECT_NE(log_of(t.client_home, {"--path", "a.bin", "--since", "1h"}).out.find("a.bin"),
              std::string::npos);
    EXPECT_EQ(log_of(t.client_home, {"--path", "other"}).out, "");
    EXPECT_EQ(log_of(t.client_home, {"--peer", "nobody"}).out, "");
    const auto bad = log_of(t.client_home, {"--since", "yesterday"});
    EXPECT_EQ(bad.status, exit_code::usage) << bad.describe();
    EXPECT_TRUE(single_error_line(bad)) << bad.describe();
    EXPECT_NE(bad.err.find("'yesterday' is not a time"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace xfer::test
