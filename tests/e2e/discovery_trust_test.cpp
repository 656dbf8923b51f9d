// A fetch by path from discovery takes content only from trusted peers (this installation,
// paired, allowed), over the LAN and through a tracker: an untrusted peer with its own --home
// that announces the same path with other bytes is never a source, and when only untrusted peers
// have the path the fetch says so. Given the content id, anyone may serve (every piece is checked
// against it). `xfer peers` shows how far each peer is trusted. Every side has its own --home;
// LAN traffic stays on loopback.
#include <gtest/gtest.h>

#include "tests/support/discovery_fixtures.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

constexpr const char* shared_path = "sub/data.bin";

struct three_homes {
    sandbox box;
    std::filesystem::path fetcher = box / "fetcher-home";
    std::filesystem::path trusted = box / "trusted-home";
    std::filesystem::path stranger = box / "stranger-home";
    std::filesystem::path out = box / "out";
    std::vector<std::string> env = loopback_lan_environment();

    three_homes() {
        write_random_file(box / "trusted-share" / shared_path, 400'000, 21);
        write_random_file(box / "stranger-share" / shared_path, 400'000, 22);
        // The fetcher trusts the one peer; that peer lets the fetcher read.
        const auto added = run_xfer({"trust", "add", id_of(trusted), "--home", fetcher.string()});
        EXPECT_EQ(added.status, 0) << added.describe();
    }

    static std::string id_of(const std::filesystem::path& home) {
        const auto result = run_xfer({"id", "--home", home.string()});
        EXPECT_EQ(result.status, 0) << result.describe();
        return result.out.substr(0, result.out.find('\n'));
    }

    // `xfer serve` of one home's share; the stranger serves --public (anyone may read it).
    std::unique_ptr<child_process> serve(const std::filesystem::path& home, const std::string& name,
                                         std::vector<std::string> discovery) const {
        std::vector<std::string> argv{
            XFER_BINARY, "serve",       (box / (name + "-share")).string(),
            "--home",    home.string(), "--name",
            name,        "--listen",    "127.0.0.1:0"};
        argv.insert(argv.end(), discovery.begin(), discovery.end());
        if (home == stranger)
            argv.push_back("--public");
        else
            argv.insert(argv.end(), {"--allow", id_of(fetcher)});
        auto child = std::make_unique<child_process>(argv, process_options::with_environment(env));
        if (!child->wait_for_line("serving ", discovery_deadline))
            ADD_FAILURE() << child->describe();
        return child;
    }

    command_result run(std::vector<std::string> args) const {
        args.insert(args.end(), {"--home", fetcher.string()});
        child_process child(xfer_command(args), process_options::with_environment(env));
        command_result result;
        result.status = child.wait(discovery_deadline * 2);
        result.out = child.stdout_text();
        result.err = child.stderr_text();
        result.description = child.describe();
        return result;
    }

    command_result fetch(std::vector<std::string> discovery) const {
        std::vector<std::string> args{"fetch", shared_path, "-o", out.string()};
        args.insert(args.end(), discovery.begin(), discovery.end());
        return run(args);
    }

    // `xfer peers` until it lists every name with its content (`content HEX8` from the LAN,
    // `100%` from a tracker); the lines, so a test sees the trust column.
    std::vector<std::string> peers_listing(std::vector<std::string> discovery,
                                           const std::vector<std::string>& names) const {
        std::vector<std::string> lines;
        const bool heard = eventually([&] {
            std::vector<std::string> args{"peers"};
            args.insert(args.end(), discovery.begin(), discovery.end());
            lines = lines_of(run(args).out);
            for (const auto& name : names) {
                const auto line = line_of(lines, name);
                if (line.find("content ") == std::string::npos &&
                    line.find("100%") == std::string::npos)
                    return false;
            }
            return true;
        });
        EXPECT_TRUE(heard) << "peers never listed every server with its content";
        return lines;
    }

    std::string line_of(const std::vector<std::string>& lines, const std::string& name) const {
        for (const auto& line : lines)
            if (line.starts_with(name + "  ")) return line;
        return "";
    }
};

TEST(DiscoveryTrustE2E, FetchLanByPathTakesOnlyTheTrustedPeersBytes) {
    three_homes h;
    auto stranger = h.serve(h.stranger, "stranger", {});
    auto trusted = h.serve(h.trusted, "trusted", {});
    const auto lines = h.peers_listing({}, {"trusted", "stranger"});
    EXPECT_NE(h.line_of(lines, "trusted").find(three_homes::id_of(h.trusted) + "  allowed  "),
              std::string::npos)
        << h.line_of(lines, "trusted");
    EXPECT_NE(h.line_of(lines, "stranger").find(three_homes::id_of(h.stranger) + "  unknown  "),
              std::string::npos)
        << h.line_of(lines, "stranger");

    const auto fetched = h.fetch({"--lan"});
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(h.box / "trusted-share" / shared_path, h.out / "data.bin"), "")
        << "the bytes are the trusted peer's, never the stranger's";
}

TEST(DiscoveryTrustE2E, FetchLanByPathSaysNoTrustedPeerHasIt) {
    three_homes h;
    auto stranger = h.serve(h.stranger, "stranger", {});
    ASSERT_TRUE(
        eventually([&] { return h.run({"peers"}).out.find("stranger  ") != std::string::npos; }));
    const auto refused = h.fetch({"--lan"});
    EXPECT_TRUE(failed_saying(refused,
                              {"no trusted peer has sub/data.bin", "not paired or allowed"},
                              exit_code::not_found));
    EXPECT_FALSE(std::filesystem::exists(h.out / "data.bin"));

    // Given the content id, anyone may serve it: the id is what every piece is checked against.
    const auto manifest = run_xfer({"manifest", (h.box / "stranger-share" / shared_path).string()});
    const auto at = manifest.out.find("content id:");
    ASSERT_NE(at, std::string::npos) << manifest.describe();
    const auto id = manifest.out.substr(manifest.out.find_first_not_of(' ', at + 11), 64);
    const auto by_id = h.fetch({"--lan", "--id", id});
    ASSERT_EQ(by_id.status, 0) << by_id.describe();
    EXPECT_EQ(file_difference(h.box / "stranger-share" / shared_path, h.out / "data.bin"), "");
}

TEST(DiscoveryTrustE2E, FetchTrackerByPathTakesOnlyTrustedPeersBytes) {
    three_homes h;
    tracker_process tracker;
    auto stranger = h.serve(h.stranger, "stranger", {"--tracker", tracker.address(), "--no-lan"});
    h.peers_listing({"--tracker", tracker.address()}, {"stranger"});
    const auto refused = h.fetch({"--tracker", tracker.address()});
    EXPECT_TRUE(failed_saying(refused, {"no trusted peer has sub/data.bin"}, exit_code::not_found));

    auto trusted = h.serve(h.trusted, "trusted", {"--tracker", tracker.address(), "--no-lan"});
    const auto lines = h.peers_listing({"--tracker", tracker.address()}, {"trusted", "stranger"});
    EXPECT_NE(h.line_of(lines, "trusted").find("  allowed  "), std::string::npos)
        << h.line_of(lines, "trusted");
    const auto fetched = h.fetch({"--tracker", tracker.address()});
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(h.box / "trusted-share" / shared_path, h.out / "data.bin"), "");
}

}  // namespace
}  // namespace xfer::test
