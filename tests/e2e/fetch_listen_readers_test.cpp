// End to end: who may read from the sender a fetch runs with --listen. By default its own
// installation and paired peers; --allow ID (and --allow-file, --public) admit others, as on
// serve. Each peer here has its own identity (--home), as machines of a fleet do.
#include <gtest/gtest.h>

#include <csignal>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

constexpr uint64_t mib = 1024 * 1024;

std::string peer_id_of(const std::filesystem::path& home) {
    const auto shown = run_xfer({"id", "--home", home.string()});
    EXPECT_EQ(shown.status, 0) << shown.describe();
    const auto lines = lines_of(shown.out);
    return lines.empty() ? std::string() : lines.front();
}

// A fetch from `seed` held to 4 MB/s, serving what it has on 127.0.0.1:PORT meanwhile with the
// reader options `readers`; returns once its sender listens (its first piece is on record).
std::unique_ptr<child_process> start_relaying_fetch(const sandbox& box, const xfer_server& seed,
                                                    const std::string& out, uint16_t port,
                                                    std::vector<std::string> readers) {
    std::vector<std::string> args{"fetch",
                                  seed.address(),
                                  "f.bin",
                                  "-o",
                                  (box / out).string(),
                                  "--listen",
                                  "127.0.0.1:" + std::to_string(port),
                                  "--limit-down",
                                  "4M",
                                  "--home",
                                  (box / "home-a").string()};
    args.insert(args.end(), readers.begin(), readers.end());
    auto fetch = std::make_unique<child_process>(xfer_command(args));
    EXPECT_TRUE(eventually([&] { return recorded_pieces(box / out) >= 1 || !fetch->running(); }))
        << fetch->describe();
    return fetch;
}

TEST(FetchListenReaders, AnUnpairedPeerIsRefusedUnlessAllowed) {
    sandbox box;
    const auto source = write_random_file(box / "seed/f.bin", 16 * mib + 3, 17);
    xfer_server seed(box / "seed", {"--public", "--home", (box / "home-seed").string()});
    const auto b_home = (box / "home-b").string();
    const auto b_id = peer_id_of(b_home);
    const auto a_id = peer_id_of(box / "home-a");
    ASSERT_FALSE(b_id.empty());
    ASSERT_FALSE(a_id.empty());

    const uint16_t refusing_port = pick_free_port();
    auto refusing = start_relaying_fetch(box, seed, "a1", refusing_port, {});
    const auto refused = run_xfer({"fetch", "127.0.0.1:" + std::to_string(refusing_port), "f.bin",
                                   "-o", (box / "b1").string(), "--home", b_home, "--peer", a_id});
    EXPECT_EQ(refused.status, exit_code::refused) << refused.describe();
    EXPECT_FALSE(box.exists("b1/f.bin")) << refused.describe();
    // B accepted A (--peer): the refusal is A's sender not letting an unpaired peer read.
    EXPECT_NE(refused.err.find("not allowed"), std::string::npos) << refused.describe();
    refusing->send_signal(SIGINT);
    refusing->wait(command_timeout);

    const uint16_t allowing_port = pick_free_port();
    auto allowing = start_relaying_fetch(box, seed, "a2", allowing_port, {"--allow", b_id});
    const auto allowed = run_xfer({"fetch", "127.0.0.1:" + std::to_string(allowing_port), "f.bin",
                                   "-o", (box / "b2").string(), "--home", b_home, "--peer", a_id});
    EXPECT_EQ(allowed.status, 0) << allowed.describe();
    EXPECT_EQ(file_difference(source, box / "b2/f.bin"), "");
    EXPECT_EQ(allowing->wait(command_timeout), 0) << allowing->describe();
}

TEST(FetchListenReaders, ReaderOptionsWithoutListenAreAUsageError) {
    sandbox box;
    const auto fetched =
        run_xfer({"fetch", "127.0.0.1:1", "f.bin", "-o", (box / "out").string(), "--public"});
    EXPECT_EQ(fetched.status, exit_code::usage) << fetched.describe();
    EXPECT_NE(fetched.err.find("--public needs --listen"), std::string::npos) << fetched.describe();
}

}  // namespace
}  // namespace xfer::test
