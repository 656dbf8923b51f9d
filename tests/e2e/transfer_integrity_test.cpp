// End to end, real processes on loopback: what `xfer fetch` writes is the served file byte for
// byte, whatever its size; a fetch killed with SIGKILL resumes from what it had verified; a
// --range fetch leaves a partial that a plain fetch completes.
#include <gtest/gtest.h>

#include <csignal>

#include "shared/manifest/manifest.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/e2e_net.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

constexpr uint64_t mib = 1024 * 1024;

struct sized_file {
    const char* label;
    uint64_t size;
};
void PrintTo(const sized_file& value, std::ostream* out) {
    *out << value.label << " (" << value.size << " bytes)";
}

class TransferBytes : public ::testing::TestWithParam<sized_file> {};

TEST_P(TransferBytes, AreIdenticalToTheServedFile) {
    sandbox box;
    const auto size = GetParam().size;
    const auto source = write_random_file(box / "src/data.bin", size, 1000 + size);
    xfer_server server(box / "src");
    // Only OUTDIR may change: the served directory gets nothing of xfer's (its manifest cache is
    // in xfer's cache directory).
    const std::vector<std::filesystem::path> writable{box / "out"};
    const auto before = snapshot_tree(box.path(), writable);

    const auto fetched =
        run_xfer({"fetch", server.address(), "data.bin", "-o", (box / "out").string()});

    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(source, box / "out/data.bin"), "");
    EXPECT_EQ(snapshot_tree(box.path(), writable), before);
    EXPECT_NE(fetched.out.find("fetched "), std::string::npos) << fetched.describe();
    EXPECT_EQ(downloaded_bytes(fetched.out), size) << fetched.describe();
    EXPECT_FALSE(box.exists("out/data.bin.xfer-part"));
    EXPECT_EQ(snapshot_tree(box / "out", {}).size(), 1u)
        << "OUTDIR holds the fetched file and nothing else";
}

INSTANTIATE_TEST_SUITE_P(Sizes, TransferBytes,
                         ::testing::Values(sized_file{"Empty", 0}, sized_file{"OneByte", 1},
                                           // Two whole 256 KiB pieces and a short third one.
                                           sized_file{"NotAPieceMultiple", 2 * 256 * 1024 + 4321},
                                           sized_file{"FortyMiBManyPieces", 40 * mib + 777}),
                         [](const auto& info) { return std::string(info.param.label); });

TEST(TransferResume, AfterKillNineDownloadsOnlyWhatWasMissing) {
    sandbox box;
    const uint64_t size = 64 * mib + 12345;
    const auto source = write_random_file(box / "src/big.bin", size, 42);
    xfer_server server(box / "src");
    // Paced, so "mid-transfer" lasts seconds however fast this machine is.
    tcp_relay slow(server.port(), 16 * mib);
    const auto out = box / "out";

    child_process fetch(
        xfer_command({"fetch", slow.address(), "big.bin", "-o", out.string(), "-q"}));
    bool final_name_seen_early = false;
    const bool has_pieces = eventually([&] {
        final_name_seen_early |= box.exists("out/big.bin");
        return recorded_pieces(out) >= 8 || !fetch.running();
    });
    ASSERT_TRUE(has_pieces) << fetch.describe();
    ASSERT_TRUE(fetch.running()) << "the fetch ended before it could be killed mid-transfer\n"
                                 << fetch.describe();
    fetch.send_signal(SIGKILL);
    ASSERT_EQ(fetch.wait(30s), 128 + SIGKILL);

    EXPECT_FALSE(final_name_seen_early) << "big.bin existed under its final name before completion";
    EXPECT_FALSE(box.exists("out/big.bin")) << "a killed fetch left its final name behind";
    EXPECT_TRUE(box.exists("out/big.bin.xfer-part"));
    const uint32_t kept = recorded_pieces(out);
    ASSERT_GE(kept, 8u);

    const auto resumed = run_xfer({"fetch", server.address(), "big.bin", "-o", out.string()});
    ASSERT_EQ(resumed.status, 0) << resumed.describe();
    EXPECT_EQ(file_difference(source, out / "big.bin"), "");
    const auto downloaded = downloaded_bytes(resumed.out);
    ASSERT_TRUE(downloaded) << resumed.describe();
    // Every piece on record counts (each whole one is a full piece; only the last is short).
    const uint64_t piece_size = choose_piece_size(size);
    EXPECT_LT(*downloaded, size) << resumed.describe();
    EXPECT_LE(*downloaded, size - (kept - 1) * piece_size) << kept << " pieces were on record\n"
                                                           << resumed.describe();
    EXPECT_FALSE(box.exists("out/big.bin.xfer-part"));
    EXPECT_EQ(recorded_pieces(out), 0u) << "resume state left after completion";
    EXPECT_EQ(snapshot_tree(out, {}).size(), 1u) << "no .xfer/ left once the fetch is complete";
}

TEST(TransferRange, FirstHalfThenPlainFetchDownloadsTheRest) {
    sandbox box;
    const uint64_t size = 8 * mib + 12345;
    const auto source = write_random_file(box / "src/half.bin", size, 7);
    xfer_server server(box / "src");
    const auto out = (box / "out").string();

    const auto first =
        run_xfer({"fetch", server.address(), "half.bin", "-o", out, "--range", "0:50%"});
    ASSERT_EQ(first.status, 0) << first.describe();
    EXPECT_NE(first.out.find("partial kept"), std::string::npos) << first.describe();
    EXPECT_FALSE(box.exists("out/half.bin"))
        << "a range fetch must not present the file as complete";
    EXPECT_TRUE(box.exists("out/half.bin.xfer-part"));
    const auto first_bytes = downloaded_bytes(first.out);
    ASSERT_TRUE(first_bytes) << first.describe();
    // Half, rounded up to whole pieces.
    EXPECT_GE(*first_bytes, size / 2);
    EXPECT_LE(*first_bytes, size / 2 + choose_piece_size(size));

    const auto second = run_xfer({"fetch", server.address(), "half.bin", "-o", out});
    ASSERT_EQ(second.status, 0) << second.describe();
    EXPECT_EQ(file_difference(source, box / "out/half.bin"), "");
    const auto second_bytes = downloaded_bytes(second.out);
    ASSERT_TRUE(second_bytes) << second.describe();
    EXPECT_EQ(*first_bytes + *second_bytes, size)
        << "the second fetch should download exactly the other pieces";
    EXPECT_GE(*second_bytes, size / 2 - choose_piece_size(size));
    EXPECT_LE(*second_bytes, size / 2 + 1);
}

}  // namespace
}  // namespace xfer::test
