// End to end: a tree of more files than either process may open (RLIMIT_NOFILE set low with
// prlimit) is served and fetched whole, cold (hashed while served) and warm (cached manifest).
// Last session a 999,000-entry tree failed with "Too many open files": a block of tiny files
// held one descriptor per file until it was sent.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/process.hpp"
#include "tests/support/sandbox.hpp"
#include "tests/support/tree_fixtures.hpp"

namespace xfer::test {
namespace {

namespace fs = std::filesystem;

// Well below the files of the tree, well above what xfer needs to start (ZeroMQ, TLS, threads).
constexpr const char* descriptor_limit = "--nofile=128";

std::vector<std::string> limited(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"prlimit", descriptor_limit, "--"};
    const auto command = xfer_command(args);
    argv.insert(argv.end(), command.begin(), command.end());
    return argv;
}

// 900 tiny files (a 256 KiB block spans hundreds of them) and 60 files that each span pieces.
void write_tree(const fs::path& tree) {
    for (int file = 0; file < 900; ++file) {
        const auto name = "tiny/d" + std::to_string(file % 3) + "/f" + std::to_string(file);
        write_text(tree / name, name + std::string(static_cast<size_t>(file % 97), 't'));
    }
    for (int file = 0; file < 60; ++file) {
        write_random_file(tree / "spanning" / ("s" + std::to_string(file)), 300 * 1024 + 7 * file,
                          static_cast<uint64_t>(file) + 11);
    }
}

TEST(TransferTreeDescriptors, MoreFilesThanEitherSideMayOpen) {
    sandbox box;
    const auto tree = box / "src/wide";
    write_tree(tree);

    child_process server(
        limited({"serve", (box / "src").string(), "--listen", "127.0.0.1:0", "--no-prehash"}));
    const auto line = server.wait_for_line("serving ", startup_timeout);
    ASSERT_TRUE(line) << server.describe();
    const std::string address = line->substr(line->rfind(' ') + 1);

    // Cold: the sender hashes the tree while it serves it.
    const auto cold = box / "cold";
    const auto first = run_program(limited({"fetch", address, "wide/", "-o", cold.string()}));
    ASSERT_EQ(first.status, 0) << first.describe() << server.describe();
    EXPECT_EQ(tree_difference(tree, cold / "wide", {}), "");
    EXPECT_EQ(names_in(cold), std::vector<std::string>{"wide"});

    // Warm: the whole manifest from the cache, every block read from the files at once.
    const auto warm = box / "warm";
    const auto second = run_program(limited({"fetch", address, "wide/", "-o", warm.string()}));
    ASSERT_EQ(second.status, 0) << second.describe() << server.describe();
    EXPECT_EQ(tree_difference(tree, warm / "wide", {}), "");
    EXPECT_TRUE(server.running()) << server.describe();
}

}  // namespace
}  // namespace xfer::test
