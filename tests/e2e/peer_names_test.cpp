// `xfer fetch NAME` and `xfer ls NAME`: a peer's name, from the trust store or heard on the LAN
// (loopback only), stands for its address; a name nobody answers to is one clear line.
#include <gtest/gtest.h>

#include "tests/support/discovery_fixtures.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

TEST(PeerNames, ANameFromTheTrustStoreStandsForTheAddressItWasVerifiedAt) {
    sandbox box;
    const auto source = write_random_file(box / "src/a.bin", 400'000, 8);
    const auto server_home = (box / "server-home").string();
    const auto client_home = (box / "client-home").string();
    const auto server_id = first_line(run_xfer({"id", "--home", server_home}).out);
    xfer_server server(box / "src", {"--home", server_home, "--public"});
    // First contact by address, pinning the ID; then the user names it.
    const auto pinned = run_xfer({"fetch", server.address(), "a.bin", "-o", (box / "o1").string(),
                                  "--peer", server_id, "--home", client_home, "-q"});
    ASSERT_EQ(pinned.status, 0) << pinned.describe();
    const auto renamed = run_xfer({"trust", "rename", server_id, "box", "--home", client_home});
    ASSERT_EQ(renamed.status, 0) << renamed.describe();

    const auto by_name = run_xfer(
        {"fetch", "box", "a.bin", "-o", (box / "o2").string(), "--home", client_home, "-q"});
    ASSERT_EQ(by_name.status, 0) << by_name.describe();
    EXPECT_EQ(file_difference(source, box / "o2/a.bin"), "");
    const auto listed = run_xfer({"ls", "box", "--home", client_home});
    EXPECT_EQ(listed.status, 0) << listed.describe();
    EXPECT_NE(listed.out.find("a.bin"), std::string::npos) << listed.out;
}

TEST(PeerNames, ANameHeardOnTheLanStandsForThatPeersAddress) {
    sandbox box;
    const auto source = write_random_file(box / "src/a.bin", 400'000, 9);
    const auto env = process_options::with_environment(loopback_lan_environment());
    child_process serve(
        xfer_command({"serve", (box / "src").string(), "--listen", "127.0.0.1:0", "--public",
                      "--name", "lan-box", "--home", (box / "server-home").string()}),
        env);
    ASSERT_TRUE(serve.wait_for_line("serving ", startup_timeout)) << serve.describe();
    child_process fetch(xfer_command({"fetch", "lan-box", "a.bin", "-o", (box / "out").string(),
                                      "--home", (box / "client-home").string(), "-q"}),
                        env);
    ASSERT_EQ(fetch.wait(command_timeout), 0) << fetch.describe() << serve.describe();
    EXPECT_EQ(file_difference(source, box / "out/a.bin"), "");
}

TEST(PeerNames, ANameNobodyAnswersToIsOneLineSayingWhereXferLooked) {
    sandbox box;
    // Not a host name either (an apostrophe and a space), so no resolver is asked.
    child_process fetch(xfer_command({"fetch", "zoë's laptop", "a.bin", "-o",
                                      (box / "out").string(), "--home", (box / "h").string()}),
                        process_options::with_environment(loopback_lan_environment()));
    EXPECT_EQ(fetch.wait(command_timeout), exit_code::not_found) << fetch.describe();
    EXPECT_NE(fetch.stderr_text().find("no peer called 'zoë's laptop' seen on the LAN"),
              std::string::npos)
        << fetch.describe();
    EXPECT_FALSE(std::filesystem::exists(box / "out/a.bin"));
}

}  // namespace
}  // namespace xfer::test
