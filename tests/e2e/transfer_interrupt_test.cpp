// End to end: Ctrl-C (SIGINT) and SIGTERM at many moments of a fetch. Each must end with exit
// 130 and the "interrupted" line, never a crash, with the resume state on disk and no final name;
// the fetch run again completes byte-identical. `xfer serve` stops cleanly on either signal.
#include <gtest/gtest.h>

#include <csignal>

#include "shared/manifest/manifest.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

constexpr uint64_t mib = 1024 * 1024;

// Interrupts one fetch into `out`; `moment` says when (in pieces on record, 0: at once).
// Returns the pieces on record after it stopped, or nullopt if it finished before the signal.
std::optional<uint32_t> interrupt_fetch(const std::string& source, const std::filesystem::path& out,
                                        uint32_t moment, int signal_number) {
    // Held to 160 MB/s so every moment lands while bytes still flow, on a fast box as on a slow
    // one: the sender streams the manifest of this never-hashed file, and pieces count as on
    // record only once the whole manifest is in, which unlimited may be near the end.
    child_process fetch(xfer_command(
        {"fetch", source, "big.bin", "-o", out.string(), "-q", "--limit-down", "160M"}));
    if (moment > 0) {
        EXPECT_TRUE(eventually([&] { return recorded_pieces(out) >= moment || !fetch.running(); }))
            << fetch.describe();
        if (!fetch.running()) {
            EXPECT_EQ(fetch.wait(30s), 0) << fetch.describe();
            return std::nullopt;
        }
    }
    fetch.send_signal(signal_number);
    const auto status = fetch.wait(30s);
    EXPECT_EQ(status, 130) << "moment " << moment << ": not a clean interrupt\n"
                           << fetch.describe();
    if (status == 0) return std::nullopt;  // it had just finished: nothing left to interrupt
    // At once, the signal may come before xfer's main() runs: then it has nothing to save or say.
    if (moment > 0) {
        EXPECT_NE(fetch.stderr_text().find("interrupted; run the same command again to resume"),
                  std::string::npos)
            << fetch.describe();
    }
    EXPECT_EQ(fetch.stderr_text().find("stopped at once"), std::string::npos)
        << "the fetch needed the forced exit to stop\n"
        << fetch.describe();
    return recorded_pieces(out);
}

TEST(TransferInterrupt, AtManyMomentsExits130AndResumesByteIdentical) {
    sandbox box;
    // Large enough that on loopback many interrupts land mid-transfer, with pieces being received
    // and hashed at the moment the signal arrives (teardown used to free a piece buffer while a
    // hasher read it), and pieces of 512 KiB, which the allocator maps and unmaps on their own, so
    // such a read faults rather than passing unnoticed.
    const uint64_t size = 520 * mib + 4321;
    const auto source = write_random_file(box / "src/big.bin", size, 9);
    xfer_server server(box / "src");
    const auto out = box / "out";
    const uint32_t pieces = piece_count_for(size, choose_piece_size(size));

    // At once (before or while connecting), then at growing amounts of progress.
    std::vector<uint32_t> moments{0, 1};
    for (uint32_t step = 1; step <= 14; ++step) moments.push_back(pieces * step / 16);
    uint32_t kept = 0;
    int interrupted = 0;
    for (size_t i = 0; i < moments.size(); ++i) {
        SCOPED_TRACE("moment " + std::to_string(moments[i]));
        const int signal_number = i % 2 == 0 ? SIGINT : SIGTERM;
        const auto recorded =
            interrupt_fetch(server.address(), out,
                            moments[i] == 0 ? 0 : std::max(moments[i], kept + 1), signal_number);
        if (::testing::Test::HasFailure()) return;
        if (!recorded) break;
        ++interrupted;
        EXPECT_FALSE(box.exists("out/big.bin")) << "an interrupted fetch left its final name";
        EXPECT_GE(*recorded, kept) << "an interrupt lost resume state";
        kept = *recorded;
    }
    EXPECT_GE(interrupted, 3) << "too few interrupts landed before the fetch completed";
    EXPECT_GT(kept, 0u);

    const auto resumed = run_xfer({"fetch", server.address(), "big.bin", "-o", out.string()});
    ASSERT_EQ(resumed.status, 0) << resumed.describe();
    EXPECT_EQ(file_difference(source, out / "big.bin"), "");
    const auto downloaded = downloaded_bytes(resumed.out);
    ASSERT_TRUE(downloaded) << resumed.describe();
    EXPECT_LT(*downloaded, size) << "the resumed fetch started over\n" << resumed.describe();
}

TEST(TransferInterrupt, ServeStopsCleanlyOnSigintAndSigterm) {
    for (const int signal_number : {SIGINT, SIGTERM}) {
        sandbox box;
        write_random_file(box / "src/a.bin", 3 * mib, 3);
        xfer_server server(box / "src");
        const auto fetched =
            run_xfer({"fetch", server.address(), "a.bin", "-o", (box / "out").string()});
        ASSERT_EQ(fetched.status, 0) << fetched.describe();
        server.process().send_signal(signal_number);
        EXPECT_EQ(server.process().wait(30s), 0) << server.process().describe();
        EXPECT_EQ(server.process().stderr_text().find("stopped at once"), std::string::npos)
            << server.process().describe();
    }
}

TEST(TransferInterrupt, ServeStopsAtOnceWhileHashingAHugeFile) {
    sandbox box;
    std::filesystem::create_directories(box / "src");
    // 64 GiB, sparse: no disk used, but hashing it takes far longer than any stop may.
    std::filesystem::resize_file(write_random_file(box / "src/huge.img", 1, 1), 64ull << 30);
    xfer_server server(box / "src", {"-v"});
    ASSERT_TRUE(eventually([&] {
        return server.process().stderr_text().find("hashing huge.img") != std::string::npos;
    })) << server.process().describe();
    server.process().send_signal(SIGTERM);
    EXPECT_EQ(server.process().wait(30s), 0) << server.process().describe();
    EXPECT_EQ(server.process().stderr_text().find("stopped at once"), std::string::npos)
        << "serve waited for the hash instead of stopping\n"
        << server.process().describe();
}

}  // namespace
}  // namespace xfer::test
