// LAN discovery over IPv6 alone: two network namespaces on a bridge with no IPv4 address at
// all, so announcements can only travel as link-local IPv6 multicast and the fetch can only
// connect to the link-local address it heard ("fe80::...%eth0").
#include <gtest/gtest.h>

#include <memory>

#include "tests/support/discovery_fixtures.hpp"
#include "tests/support/discovery_netns.hpp"
#include "tests/support/process.hpp"

namespace xfer::test {
namespace {

std::vector<std::string> with(std::vector<std::string> prefix, std::vector<std::string> argv) {
    prefix.insert(prefix.end(), argv.begin(), argv.end());
    return prefix;
}

class DiscoveryLanIpv6 : public ::testing::Test {
  protected:
    void SetUp() override {
        lab_ = std::make_unique<network_lab>(2, /*ipv4=*/false);
        if (!lab_->ok()) {
            std::printf("skipping: %s\n", lab_->reason().c_str());
            GTEST_SKIP() << lab_->reason();
        }
    }
    std::unique_ptr<network_lab> lab_;  // declared first, destroyed last
};

TEST_F(DiscoveryLanIpv6, AnIpv6OnlyLanFindsThePeerAndFetchesFromItsLinkLocalAddress) {
    scratch_directory scratch;
    const auto share = scratch.path() / "share";
    write_test_file(share / "six.bin", 2 << 20, 6);
    const auto in_lab = process_options::with_environment(network_lab::environment());
    // [::]: the sender takes IPv6, so it announces over IPv6 too.
    child_process serve(with(lab_->exec_prefix(0), {XFER_BINARY, "serve", share.string(),
                                                    "--listen", "[::]:7420", "--name", "six"}),
                        in_lab);
    ASSERT_TRUE(serve.wait_for_line("serving ", discovery_deadline)) << serve.describe();

    std::optional<std::string> heard;
    const auto deadline = std::chrono::steady_clock::now() + discovery_deadline;
    while (!heard && std::chrono::steady_clock::now() < deadline) {
        child_process peers(with(lab_->exec_prefix(1), {XFER_BINARY, "peers", "--wait", "3"}),
                            in_lab);
        ASSERT_EQ(peers.wait(discovery_deadline), 0) << peers.describe();
        for (const auto& line : peers.stdout_lines())
            if (line.find("six") != std::string::npos) heard = line;
    }
    ASSERT_TRUE(heard) << serve.describe();
    EXPECT_NE(heard->find("fe80:"), std::string::npos) << *heard;
    EXPECT_NE(heard->find("%eth0"), std::string::npos) << *heard;

    const auto out = scratch.path() / "out";
    std::filesystem::create_directories(out);
    child_process fetch(
        with(lab_->exec_prefix(1), {XFER_BINARY, "fetch", "--lan", "six.bin", "-o", out.string()}),
        in_lab);
    ASSERT_EQ(fetch.wait(discovery_deadline * 2), 0) << fetch.describe() << serve.describe();
    EXPECT_TRUE(file_bytes(out / "six.bin") == file_bytes(share / "six.bin"));

    // The peer's name stands for its link-local address too.
    const auto by_name = scratch.path() / "by-name";
    std::filesystem::create_directories(by_name);
    child_process named(with(lab_->exec_prefix(1),
                             {XFER_BINARY, "fetch", "six", "six.bin", "-o", by_name.string()}),
                        in_lab);
    ASSERT_EQ(named.wait(discovery_deadline * 2), 0) << named.describe();
    EXPECT_TRUE(file_bytes(by_name / "six.bin") == file_bytes(share / "six.bin"));
}

}  // namespace
}  // namespace xfer::test
