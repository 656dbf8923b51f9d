// LAN discovery with real processes: over loopback on one host (confined to `lo` and a port of
// this run's own), and between network namespaces joined by a bridge the test builds.
#include <gtest/gtest.h>

#include <signal.h>

#include "tests/support/discovery_fixtures.hpp"
#include "tests/support/discovery_netns.hpp"
#include "tests/support/tree_fixtures.hpp"

namespace xfer::test {
namespace {

std::vector<std::string> with(std::vector<std::string> prefix, std::vector<std::string> argv) {
    prefix.insert(prefix.end(), argv.begin(), argv.end());
    return prefix;
}

// `xfer peers` (LAN mode) until a line mentions `needle`; returns that line.
std::optional<std::string> lan_peers_line(const std::vector<std::string>& prefix,
                                          const std::vector<std::string>& env,
                                          const std::string& needle) {
    const auto deadline = std::chrono::steady_clock::now() + discovery_deadline;
    while (std::chrono::steady_clock::now() < deadline) {
        child_process peers(with(prefix, {XFER_BINARY, "peers", "--wait", "3"}),
                            process_options::with_environment(env));
        const auto status = peers.wait(discovery_deadline);
        EXPECT_EQ(status, 0) << peers.describe();
        if (status != 0) return std::nullopt;
        for (const auto& line : peers.stdout_lines()) {
            if (line.find(needle) != std::string::npos) return line;
        }
    }
    return std::nullopt;
}

TEST(DiscoveryLanE2E, PeersHearsAnAnnouncerOverLoopback) {
    const auto env = loopback_lan_environment();
    presence_spec spec{
        "loop-announcer", "", true, 9021, "0.0.0.0", {test_content("a.bin", 1, 1000, 4, 4)}};
    spec.environment = env;
    auto announcer = start_presence(spec);
    ASSERT_TRUE(announcer->wait_for_line("presence ready", discovery_deadline))
        << announcer->describe();
    const auto line = lan_peers_line({}, env, "loop-announcer");
    ASSERT_TRUE(line);
    // The LAN hears who is there and a content id, never the file's name or size.
    EXPECT_NE(line->find("  127.0.0.1:9021  content " + to_hex(test_content_id(1)).substr(0, 8)),
              std::string::npos)
        << *line;
    EXPECT_EQ(line->find("a.bin"), std::string::npos) << *line;

    child_process off({XFER_BINARY, "peers"}, process_options::with_environment({"XFER_LAN=off"}));
    EXPECT_EQ(off.wait(discovery_deadline), 1) << off.describe();
    EXPECT_NE(off.stderr_text().find("LAN discovery is off"), std::string::npos) << off.describe();
}

class DiscoveryLanNamespaces : public ::testing::Test {
  protected:
    void SetUp() override {
        lab_ = std::make_unique<network_lab>(3);
        if (!lab_->ok()) {
            std::printf("skipping: %s\n", lab_->reason().c_str());
            GTEST_SKIP() << lab_->reason();
        }
    }
    // Declared first, destroyed last: processes inside the namespaces die before them.
    std::unique_ptr<network_lab> lab_;
};

TEST_F(DiscoveryLanNamespaces, PeersInOneNamespaceHearsAnnouncersInOthers) {
    presence_spec alpha{"alpha", "",        true,
                        9001,    "0.0.0.0", {test_content("movie.mkv", 1, 5000, 2, 4)}};
    alpha.prefix = lab_->exec_prefix(0);
    alpha.environment = network_lab::environment();
    presence_spec charlie{"charlie", "", true, 9003, "0.0.0.0", {}};
    charlie.prefix = lab_->exec_prefix(2);
    charlie.environment = network_lab::environment();
    auto alpha_process = start_presence(alpha);
    auto charlie_process = start_presence(charlie);
    ASSERT_TRUE(alpha_process->wait_for_line("presence ready", discovery_deadline))
        << alpha_process->describe();
    ASSERT_TRUE(charlie_process->wait_for_line("presence ready", discovery_deadline))
        << charlie_process->describe();

    const auto alpha_line =
        lan_peers_line(lab_->exec_prefix(1), network_lab::environment(), "alpha");
    ASSERT_TRUE(alpha_line);
    EXPECT_NE(alpha_line->find("  " + lab_->address(0) + ":9001  content " +
                               to_hex(test_content_id(1)).substr(0, 8)),
              std::string::npos)
        << *alpha_line;
    EXPECT_EQ(alpha_line->find("movie.mkv"), std::string::npos) << *alpha_line;
    const auto charlie_line =
        lan_peers_line(lab_->exec_prefix(1), network_lab::environment(), "charlie");
    ASSERT_TRUE(charlie_line);
    EXPECT_NE(charlie_line->find("  " + lab_->address(2) + ":9003  (nothing shared)"),
              std::string::npos)
        << *charlie_line;
}

TEST_F(DiscoveryLanNamespaces, WatchSeesGoodbyeAndSilence) {
    const auto in_lab = process_options::with_environment(network_lab::environment());
    child_process watch(
        with(lab_->exec_prefix(1), {XFER_BINARY, "peers", "--watch", "--wait", "0"}), in_lab);
    presence_spec polite{"polite", "", true, 9001, "0.0.0.0", {}};
    polite.prefix = lab_->exec_prefix(0);
    polite.environment = network_lab::environment();
    presence_spec victim{"victim", "", true, 9003, "0.0.0.0", {}};
    victim.prefix = lab_->exec_prefix(2);
    victim.environment = network_lab::environment();
    auto polite_process = start_presence(polite);
    auto victim_process = start_presence(victim);
    const auto join = watch.wait_for_line("join polite", discovery_deadline);
    ASSERT_TRUE(join) << watch.describe();
    EXPECT_EQ(*join, "join polite " + lab_->address(0) + ":9001");
    ASSERT_TRUE(watch.wait_for_line("join victim", discovery_deadline)) << watch.describe();

    EXPECT_EQ(polite_process->stop(), 0) << polite_process->describe();
    EXPECT_TRUE(
        watch.wait_for_line("leave polite " + lab_->address(0) + ":9001", discovery_deadline))
        << "GOODBYE heard\n"
        << watch.describe();
    victim_process->send_signal(SIGKILL);
    EXPECT_TRUE(
        watch.wait_for_line("leave victim " + lab_->address(2) + ":9003", discovery_deadline))
        << "expired after silence\n"
        << watch.describe();
    EXPECT_EQ(watch.stop(), 0) << watch.describe();
}

// The ID `xfer peers` shows is the one `xfer id` prints on the serving machine: it comes from
// the key that signed the announcement.
TEST(DiscoveryLanE2E, PeersShowsTheNameAndIdOfASignedServe) {
    scratch_directory scratch;
    const auto share = scratch.path() / "share";
    write_test_file(share / "a.bin", 1000, 3);
    const auto server_home = (scratch.path() / "server-home").string();
    const auto env = loopback_lan_environment();
    child_process id({XFER_BINARY, "id", "--home", server_home});
    ASSERT_EQ(id.wait(discovery_deadline), 0) << id.describe();
    const auto server_id = id.stdout_lines().at(0);
    ASSERT_EQ(server_id.size(), 63u) << server_id;

    child_process serve({XFER_BINARY, "serve", share.string(), "--home", server_home, "--name",
                         "signed-serve", "--listen", "127.0.0.1:0"},
                        process_options::with_environment(env));
    ASSERT_TRUE(serve.wait_for_line("serving ", discovery_deadline)) << serve.describe();
    const auto line = lan_peers_line({}, env, "signed-serve  " + server_id);
    ASSERT_TRUE(line) << serve.describe();
    EXPECT_NE(line->find("  127.0.0.1:"), std::string::npos) << *line;
}

// Names are not announced, yet a fetch by path still finds its holder through the path tag.
TEST(DiscoveryLanE2E, FetchLanByPathFindsTheHolderOverLoopback) {
    scratch_directory scratch;
    const auto share = scratch.path() / "share";
    write_test_file(share / "sub" / "wanted.bin", 300000, 5);
    const auto env = loopback_lan_environment();
    // Another identity than the fetch's, serving --public: a receiver takes a first contact only
    // from a sender that says it is public (or one it pinned, or paired with).
    child_process serve(
        {XFER_BINARY, "serve", share.string(), "--home", (scratch.path() / "server-home").string(),
         "--listen", "127.0.0.1:0", "--public"},
        process_options::with_environment(env));
    ASSERT_TRUE(serve.wait_for_line("serving ", discovery_deadline)) << serve.describe();
    // A fetch by path takes content only from a trusted peer: the fetcher allows the server.
    const auto fetch_home = (scratch.path() / "fetch-home").string();
    child_process id({XFER_BINARY, "id", "--home", (scratch.path() / "server-home").string()});
    ASSERT_EQ(id.wait(discovery_deadline), 0) << id.describe();
    child_process trust(
        {XFER_BINARY, "trust", "add", id.stdout_lines().at(0), "--home", fetch_home});
    ASSERT_EQ(trust.wait(discovery_deadline), 0) << trust.describe();
    const auto out = scratch.path() / "out";
    std::filesystem::create_directories(out);
    child_process fetch(
        {XFER_BINARY, "fetch", "--lan", "sub/wanted.bin", "-o", out.string(), "--home", fetch_home},
        process_options::with_environment(env));
    ASSERT_EQ(fetch.wait(discovery_deadline * 2), 0) << fetch.describe() << serve.describe();
    EXPECT_TRUE(file_bytes(out / "wanted.bin") == file_bytes(share / "sub" / "wanted.bin"));
}

// A tree by path (DIR/): LAN records carry only tags of whole paths, so every trusted announcer
// is asked; one that does not share the tree says so and is not asked again, the holder serves it.
TEST(DiscoveryLanE2E, FetchLanByTreePathFindsTheHolderAndSkipsAPeerWithoutIt) {
    scratch_directory scratch;
    const auto tree = scratch.path() / "share" / "proj";
    write_test_file(tree / "a.bin", 300'000, 7);
    write_test_file(tree / "deep" / "er" / "b.bin", 1'500'000, 8);
    write_test_file(scratch.path() / "other" / "unrelated.bin", 100'000, 9);
    const auto env = loopback_lan_environment();
    const auto server_home = (scratch.path() / "server-home").string();
    std::vector<std::unique_ptr<child_process>> servers;
    for (const char* directory : {"other", "share"}) {
        servers.push_back(std::make_unique<child_process>(
            std::vector<std::string>{XFER_BINARY, "serve", (scratch.path() / directory).string(),
                                     "--home", server_home, "--listen", "127.0.0.1:0", "--public"},
            process_options::with_environment(env)));
        ASSERT_TRUE(servers.back()->wait_for_line("serving ", discovery_deadline))
            << servers.back()->describe();
    }
    const auto fetch_home = (scratch.path() / "fetch-home").string();
    child_process id({XFER_BINARY, "id", "--home", server_home});
    ASSERT_EQ(id.wait(discovery_deadline), 0) << id.describe();
    child_process trust(
        {XFER_BINARY, "trust", "add", id.stdout_lines().at(0), "--home", fetch_home});
    ASSERT_EQ(trust.wait(discovery_deadline), 0) << trust.describe();
    const auto out = scratch.path() / "out";
    child_process fetch(
        {XFER_BINARY, "fetch", "--lan", "proj/", "-o", out.string(), "--home", fetch_home, "-v"},
        process_options::with_environment(env));
    ASSERT_EQ(fetch.wait(discovery_deadline * 2), 0) << fetch.describe();
    EXPECT_EQ(tree_difference(tree, out / "proj"), "");
}

// Needs `xfer serve` to announce (presence wired in) and `xfer fetch --lan`.
TEST_F(DiscoveryLanNamespaces, ServeAnnouncesAndFetchLanDownloadsFromIt) {
    scratch_directory scratch;
    const auto share_a = scratch.path() / "a";
    const auto share_c = scratch.path() / "c";
    write_test_file(share_a / "big.bin", 3 << 20, 7);
    write_test_file(share_c / "big.bin", 3 << 20, 7);
    const auto in_lab = process_options::with_environment(network_lab::environment());
    child_process serve_a(
        with(lab_->exec_prefix(0), {XFER_BINARY, "serve", share_a.string(), "--name", "serve-a"}),
        in_lab);
    child_process serve_c(
        with(lab_->exec_prefix(2), {XFER_BINARY, "serve", share_c.string(), "--name", "serve-c"}),
        in_lab);
    ASSERT_TRUE(serve_a.wait_for_line("serving ", discovery_deadline)) << serve_a.describe();
    ASSERT_TRUE(serve_c.wait_for_line("serving ", discovery_deadline)) << serve_c.describe();

    const auto listed = lan_peers_line(lab_->exec_prefix(1), network_lab::environment(), "serve-a");
    ASSERT_TRUE(listed) << serve_a.describe();
    EXPECT_NE(listed->find(lab_->address(0) + ":"), std::string::npos) << *listed;
    EXPECT_NE(listed->find("  content "), std::string::npos) << *listed;
    EXPECT_EQ(listed->find("big.bin"), std::string::npos) << "names stay off the LAN: " << *listed;

    const auto out = scratch.path() / "out";
    std::filesystem::create_directories(out);
    child_process fetch(
        with(lab_->exec_prefix(1), {XFER_BINARY, "fetch", "--lan", "big.bin", "-o", out.string()}),
        in_lab);
    ASSERT_EQ(fetch.wait(discovery_deadline * 2), 0) << fetch.describe();
    EXPECT_TRUE(fetch.wait_for_line("fetched", 1s)) << fetch.describe();
    EXPECT_TRUE(file_bytes(out / "big.bin") == file_bytes(share_a / "big.bin"));
}

}  // namespace
}  // namespace xfer::test
