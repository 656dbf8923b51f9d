// `xfer fetch ... -o -`: the verified file on stdout and nothing else there, nothing left in the
// working directory or in xfer's cache afterwards; a failed fetch writes nothing to stdout.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

std::string contents(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

bool empty_or_missing(const std::filesystem::path& dir) {
    std::error_code ignored;
    return !std::filesystem::exists(dir, ignored) || std::filesystem::is_empty(dir, ignored);
}

TEST(FetchStdout, TheVerifiedFileIsAllThatReachesStdoutAndNothingIsLeftBehind) {
    sandbox box;
    const auto source = write_random_file(box / "src/a.bin", 3'000'000, 21);
    xfer_server server(box / "src", {"--home", (box / "home").string()});
    std::filesystem::create_directories(box / "cwd");
    process_options in_cwd;
    in_cwd.working_directory = box / "cwd";
    child_process fetch(xfer_command({"fetch", server.address(), "a.bin", "-o", "-", "--home",
                                      (box / "home").string()}),
                        in_cwd);
    ASSERT_EQ(fetch.wait(command_timeout), 0) << fetch.describe();
    EXPECT_TRUE(fetch.stdout_text() == contents(source)) << "stdout is not the file's bytes";
    EXPECT_TRUE(empty_or_missing(box / "cwd")) << "the fetch wrote into the working directory";
    EXPECT_TRUE(empty_or_missing(box / "home/cache/stdout")) << "the staging directory was left";
}

TEST(FetchStdout, AFailedFetchWritesNothingToStdout) {
    sandbox box;
    write_random_file(box / "src/a.bin", 1000, 22);
    xfer_server server(box / "src", {"--home", (box / "home").string()});
    const auto failed = run_xfer(
        {"fetch", server.address(), "missing.bin", "-o", "-", "--home", (box / "home").string()});
    EXPECT_TRUE(failed_saying(failed, {"missing.bin"}, exit_code::not_found));
    EXPECT_EQ(failed.out, "");
}

}  // namespace
}  // namespace xfer::test
