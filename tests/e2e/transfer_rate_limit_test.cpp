// End to end, real processes: --limit-down on fetch and --limit-up on serve hold a transfer to
// the rate (fetch --listen --limit-up sets the same sender option serve does). Only a lower bound
// on time is asserted (a slow machine may take longer; it cannot take less): at most burst + rate *
// T + one block can move in T seconds.
#include <gtest/gtest.h>

#include <chrono>

#include "shared/core/token_bucket.hpp"
#include "shared/wire/frame.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

constexpr uint64_t file_size = 4'000'000;
constexpr uint64_t rate = 2 * 1024 * 1024;  // "2M"

// The least time `file_size` bytes can take at `rate`: all but the burst (the bucket starts
// full) and one block (the last read or queued block may overdraw it) move at the rate.
std::chrono::duration<double> least_time() {
    const double limited =
        static_cast<double>(file_size - token_bucket::default_burst(rate) - wire::max_block_size);
    return std::chrono::duration<double>(limited / static_cast<double>(rate));
}

struct timed {
    command_result result;
    std::chrono::duration<double> took;
};

timed timed_xfer(const std::vector<std::string>& args) {
    const auto start = std::chrono::steady_clock::now();
    auto result = run_xfer(args);
    return {std::move(result), std::chrono::steady_clock::now() - start};
}

TEST(TransferRateLimit, LimitDownHoldsTheFetchToTheRate) {
    sandbox box;
    const auto source = write_random_file(box / "src/a.bin", file_size, 21);
    xfer_server server(box / "src");

    const auto fetched = timed_xfer(
        {"fetch", server.address(), "a.bin", "-o", (box / "out").string(), "--limit-down", "2M"});

    ASSERT_EQ(fetched.result.status, 0) << fetched.result.describe();
    EXPECT_EQ(file_difference(source, box / "out/a.bin"), "");
    EXPECT_GE(fetched.took.count(), least_time().count());
}

TEST(TransferRateLimit, LimitUpHoldsWhatServeSendsToTheRate) {
    sandbox box;
    const auto source = write_random_file(box / "src/a.bin", file_size, 22);
    xfer_server server(box / "src", {"--limit-up", "2MiB/s"});

    const auto fetched =
        timed_xfer({"fetch", server.address(), "a.bin", "-o", (box / "out").string()});

    ASSERT_EQ(fetched.result.status, 0) << fetched.result.describe();
    EXPECT_EQ(file_difference(source, box / "out/a.bin"), "");
    EXPECT_GE(fetched.took.count(), least_time().count());
}

TEST(TransferRateLimit, ABadRateIsAUsageErrorThatShowsTheForms) {
    sandbox box;
    const auto fetched = run_xfer(
        {"fetch", "127.0.0.1:1", "a.bin", "-o", (box / "out").string(), "--limit-down", "fast"});
    EXPECT_EQ(fetched.status, exit_code::usage) << fetched.describe();
    EXPECT_TRUE(single_error_line(fetched));
    EXPECT_NE(fetched.err.find("--limit-down: 'fast' is not a rate"), std::string::npos)
        << fetched.describe();
    EXPECT_NE(fetched.err.find("10M"), std::string::npos) << fetched.describe();

    const auto served = run_xfer({"serve", box.path().string(), "--limit-up", "0"});
    EXPECT_EQ(served.status, exit_code::usage) << served.describe();
    EXPECT_NE(served.err.find("--limit-up: '0'"), std::string::npos) << served.describe();
}

TEST(TransferRateLimit, LimitUpOnFetchNeedsListen) {
    sandbox box;
    const auto fetched = run_xfer(
        {"fetch", "127.0.0.1:1", "a.bin", "-o", (box / "out").string(), "--limit-up", "1M"});
    EXPECT_EQ(fetched.status, exit_code::usage) << fetched.describe();
    EXPECT_NE(fetched.err.find("--limit-up needs --listen"), std::string::npos)
        << fetched.describe();
}

}  // namespace
}  // namespace xfer::test
