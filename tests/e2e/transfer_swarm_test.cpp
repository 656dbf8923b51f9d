// End to end, real processes on loopback: fetching from several peers. A source that dies
// mid-transfer, a source that serves corrupted pieces, two half-complete peers completing each
// other, and `xfer serve` sharing a directory a fetch is still writing into.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>

#include "shared/manifest/manifest.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/e2e_net.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

constexpr uint64_t mib = 1024 * 1024;

TEST(TransferThreeSources, OneKilledMidTransferAndTheFetchStillCompletes) {
    sandbox box;
    const uint64_t size = 48 * mib + 4096;
    const auto source = write_random_file(box / "a/f.bin", size, 51);
    std::filesystem::create_directories(box / "b");
    std::filesystem::create_directories(box / "c");
    std::filesystem::copy_file(source, box / "b/f.bin");
    std::filesystem::copy_file(source, box / "c/f.bin");
    xfer_server a(box / "a"), b(box / "b"), c(box / "c");
    tcp_relay to_a(a.port(), 6 * mib), to_b(b.port(), 6 * mib), to_c(c.port(), 6 * mib);
    const auto out = box / "out";

    child_process fetch(xfer_command({"fetch", to_a.address(), "f.bin", "--from", to_b.address(),
                                      "--from", to_c.address(), "-o", out.string(), "-q"}));
    ASSERT_TRUE(eventually([&] { return to_b.bytes_to_clients() >= 2 * mib || !fetch.running(); }))
        << fetch.describe();
    ASSERT_TRUE(fetch.running()) << "finished before a source could be killed\n"
                                 << fetch.describe();
    b.kill_hard();
    to_a.set_rate(0);
    to_c.set_rate(0);

    ASSERT_EQ(fetch.wait(command_timeout), 0) << fetch.describe();
    EXPECT_EQ(file_difference(source, out / "f.bin"), "");
    EXPECT_LT(to_b.bytes_to_clients(), size)
        << "the killed source should not have sent the whole file";
}

TEST(TransferThreeSources, UnevenSpeedsCompleteIdentical) {
    sandbox box;
    const uint64_t size = 24 * mib + 512;
    const auto source = write_random_file(box / "a/f.bin", size, 53);
    std::filesystem::create_directories(box / "b");
    std::filesystem::create_directories(box / "c");
    std::filesystem::copy_file(source, box / "b/f.bin");
    std::filesystem::copy_file(source, box / "c/f.bin");
    xfer_server a(box / "a"), b(box / "b"), c(box / "c");
    // A slow source still holds pieces when the fast ones run out of work: the end game asks
    // several sources for the same pieces and must keep only one copy of each.
    tcp_relay slow(a.port(), 1 * mib), medium(b.port(), 4 * mib), fast(c.port(), 16 * mib);

    const auto fetched = run_xfer({"fetch", slow.address(), "f.bin", "--from", medium.address(),
                                   "--from", fast.address(), "-o", (box / "out").string()});

    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(source, box / "out/f.bin"), "");
}

// Flips one byte in every verified piece of a partial file, behind the back of the process that
// will serve it: its resume state still says those pieces are good (a silent disk fault).
void corrupt_verified_pieces(const std::filesystem::path& part_file, uint64_t file_size,
                             uint32_t pieces_to_flip) {
    const uint32_t piece_size = choose_piece_size(file_size);
    const int fd = ::open(part_file.c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0) << part_file;
    for (uint32_t piece = 0; piece < pieces_to_flip; ++piece) {
        const auto offset = static_cast<off_t>(uint64_t{piece} * piece_size + 100);
        uint8_t byte = 0;
        ASSERT_EQ(::pread(fd, &byte, 1, offset), 1);
        byte ^= 0x5A;
        ASSERT_EQ(::pwrite(fd, &byte, 1, offset), 1);
    }
    ::close(fd);
}

TEST(TransferCorruptSource, IsBannedAndTheFetchCompletesFromTheGoodOne) {
    sandbox box;
    const uint64_t size = 16 * mib;
    const auto source = write_random_file(box / "good/f.bin", size, 61);
    xfer_server good(box / "good");
    // The bad peer has the first 90% as a verified partial (same manifest as the good one),
    // then its bytes rot on disk.
    const auto partial = run_xfer(
        {"fetch", good.address(), "f.bin", "--range", "0:90%", "-o", (box / "bad").string()});
    ASSERT_EQ(partial.status, 0) << partial.describe();
    const uint32_t had = static_cast<uint32_t>(size * 9 / 10 / choose_piece_size(size));
    ASSERT_NO_FATAL_FAILURE(corrupt_verified_pieces(box / "bad/f.bin.xfer-part", size, had));
    xfer_server bad(box / "bad");
    // The good source is slowed so the bad one is asked for plenty of pieces.
    tcp_relay slow_good(good.port(), 8 * mib);

    const auto fetched = run_xfer({"fetch", slow_good.address(), "f.bin", "--from", bad.address(),
                                   "-o", (box / "out").string(), "-v"});

    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(source, box / "out/f.bin"), "");
    bool ban_reported = false;
    for (const auto& line : fetched.error_lines()) {
        ban_reported |= line.find("banned") != std::string::npos &&
                        line.find(bad.address()) != std::string::npos;
    }
    EXPECT_TRUE(ban_reported) << "no log line says " << bad.address() << " was banned\n"
                              << fetched.describe();
}

TEST(TransferMutualExchange, TwoHalfPeersCompleteEachOther) {
    sandbox box;
    const uint64_t size = 32 * mib;
    const auto source = write_random_file(box / "seed/f.bin", size, 71);
    const auto a_dir = (box / "a").string(), b_dir = (box / "b").string();
    {
        xfer_server seed(box / "seed");
        const auto first =
            run_xfer({"fetch", seed.address(), "f.bin", "-o", a_dir, "--range", "0:50%"});
        ASSERT_EQ(first.status, 0) << first.describe();
        const auto second =
            run_xfer({"fetch", seed.address(), "f.bin", "-o", b_dir, "--range", "50%:100%"});
        ASSERT_EQ(second.status, 0) << second.describe();
        ASSERT_EQ(seed.stop(), 0);
    }
    ASSERT_FALSE(box.exists("a/f.bin"));
    ASSERT_FALSE(box.exists("b/f.bin"));

    auto [a, b] = start_mutual_fetches("f.bin", a_dir, b_dir);
    const auto a_status = a->wait(command_timeout);
    const auto b_status = b->wait(command_timeout);
    ASSERT_EQ(a_status, 0) << a->describe();
    ASSERT_EQ(b_status, 0) << b->describe();
    EXPECT_EQ(file_difference(source, box / "a/f.bin"), "");
    EXPECT_EQ(file_difference(source, box / "b/f.bin"), "");
    const auto a_downloaded = downloaded_bytes(a->stdout_text());
    const auto b_downloaded = downloaded_bytes(b->stdout_text());
    ASSERT_TRUE(a_downloaded && b_downloaded) << a->describe() << "\n" << b->describe();
    EXPECT_EQ(*a_downloaded, size / 2) << a->describe();
    EXPECT_EQ(*b_downloaded, size / 2) << b->describe();
}

// The "(NN%, ..." state of NAME in `xfer ls` output, or nullopt if NAME is complete or absent.
std::optional<int> partial_percent(const std::string& listing, const std::string& name) {
    std::istringstream lines(listing);
    for (std::string line; std::getline(lines, line);) {
        const auto at = line.find("  " + name + "  (");
        if (at == std::string::npos) continue;
        const auto open = line.find('(', at);
        const auto percent = line.find("%,", open);
        if (percent == std::string::npos) return std::nullopt;
        return std::stoi(line.substr(open + 1, percent - open - 1));
    }
    return std::nullopt;
}

TEST(TransferServeOnFetchDir, SharesPiecesOfAFetchStillInProgress) {
    sandbox box;
    const uint64_t size = 16 * mib;
    const auto source = write_random_file(box / "src/f.bin", size, 81);
    xfer_server origin(box / "src");
    tcp_relay slow(origin.port(), 3 * mib);
    const auto out = box / "out";
    std::filesystem::create_directories(out);
    xfer_server middle(out);

    child_process first(xfer_command({"fetch", slow.address(), "f.bin", "-o", out.string(), "-q"}));
    std::optional<int> seen_percent;
    std::string last_listing;
    ASSERT_TRUE(eventually([&] {
        const auto listed = run_xfer({"ls", middle.address()}, 30s);
        last_listing = listed.describe();
        seen_percent = partial_percent(listed.out, "f.bin");
        return (seen_percent && *seen_percent > 0) || !first.running();
    })) << last_listing;
    ASSERT_TRUE(first.running()) << "the first fetch ended before the partial was seen\n"
                                 << last_listing;
    ASSERT_TRUE(seen_percent) << last_listing;
    EXPECT_GT(*seen_percent, 0);
    EXPECT_LT(*seen_percent, 100);

    // A second fetch with the serving directory as its only source: it can only complete by
    // getting the pieces the first fetch verifies, as they are verified.
    const auto second =
        run_xfer({"fetch", middle.address(), "f.bin", "-o", (box / "out2").string()});
    ASSERT_EQ(second.status, 0) << second.describe();
    EXPECT_EQ(file_difference(source, box / "out2/f.bin"), "");
    EXPECT_EQ(downloaded_bytes(second.out), size);

    ASSERT_EQ(first.wait(command_timeout), 0) << first.describe();
    EXPECT_EQ(file_difference(source, out / "f.bin"), "");
}

}  // namespace
}  // namespace xfer::test
