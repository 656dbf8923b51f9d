// End to end: `xfer fetch HOST PATH...` fetches files and trees in one command with one summary,
// names a path that is missing and still fetches the others, and an existing destination is
// kept when identical, refused when different, replaced with --force and brought up to date
// with --update (fetching only the pieces that differ).
#include <gtest/gtest.h>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/json_lines.hpp"
#include "tests/support/sandbox.hpp"
#include "tests/support/tree_fixtures.hpp"

namespace xfer::test {
namespace {

namespace fs = std::filesystem;

TEST(FetchPaths, FilesAndTreesInOneCommandWithOneSummary) {
    sandbox box;
    write_random_file(box / "src/a.bin", 3'000'000, 1);
    write_text(box / "src/notes/b.txt", "bee\n");
    for (int i = 0; i < 5; ++i)
        write_random_file(box / "src/proj/sub" / ("f" + std::to_string(i)), 70'000, 10 + i);
    xfer_server server(box / "src");
    const auto out = box / "out";
    const auto fetched =
        run_xfer({"fetch", server.address(), "a.bin", "proj/", "notes/b.txt", "-o", out.string()});
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(box / "src/a.bin", out / "a.bin"), "");
    EXPECT_EQ(file_difference(box / "src/notes/b.txt", out / "b.txt"), "");
    EXPECT_EQ(tree_difference(box / "src/proj", out / "proj"), "");
    EXPECT_EQ(names_in(out), (std::vector<std::string>{"a.bin", "b.txt", "proj"}));
    // One summary over all three: 1 + 5 + 1 files, every byte downloaded once.
    const auto lines = lines_of(fetched.out);
    ASSERT_EQ(lines.size(), 1u) << fetched.describe();
    EXPECT_NE(lines[0].find("fetched 3 paths into "), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("7 files"), std::string::npos) << lines[0];
    EXPECT_EQ(downloaded_bytes(fetched.out), 3'000'000u + 4 + 5 * 70'000u) << lines[0];
}

TEST(FetchPaths, AMissingPathIsNamedAndTheOthersStillArrive) {
    sandbox box;
    write_text(box / "src/a.txt", "a\n");
    write_text(box / "src/c.txt", "c\n");
    xfer_server server(box / "src");
    const auto out = box / "out";
    const auto fetched =
        run_xfer({"fetch", server.address(), "a.txt", "nope.txt", "c.txt", "-o", out.string()});
    EXPECT_EQ(fetched.status, exit_code::not_found) << fetched.describe();
    EXPECT_EQ(file_difference(box / "src/a.txt", out / "a.txt"), "");
    EXPECT_EQ(file_difference(box / "src/c.txt", out / "c.txt"), "");
    bool named = false;
    for (const auto& line : fetched.error_lines())
        named = named || (line.find("nope.txt") != std::string::npos &&
                          line.find("not shared") != std::string::npos);
    EXPECT_TRUE(named) << fetched.describe();
    EXPECT_NE(fetched.err.find("1 of 3 paths failed"), std::string::npos) << fetched.describe();
    EXPECT_NE(fetched.out.find("fetched 2 of 3 paths"), std::string::npos) << fetched.describe();
}

TEST(FetchPaths, JsonGivesEachPathItsEventsThenOneSummary) {
    sandbox box;
    write_text(box / "src/a.txt", "aaaa");
    write_text(box / "src/t/x", "xx");
    write_text(box / "src/t/y", "yyy");
    xfer_server server(box / "src");
    const auto fetched = run_xfer(
        {"fetch", server.address(), "a.txt", "t/", "gone", "-o", (box / "out").string(), "--json"});
    EXPECT_EQ(fetched.status, exit_code::not_found) << fetched.describe();
    const auto parsed = parse_json_lines(fetched.out);
    ASSERT_EQ(parsed.error, "") << fetched.out;
    std::vector<std::string> events;
    for (const auto& line : parsed.lines) {
        if (line.event() != "peer_up" && line.event() != "peer_down" && line.event() != "progress")
            events.push_back(line.event() + ":" + line.text("path"));
    }
    EXPECT_EQ(events, (std::vector<std::string>{"start:a.txt", "done:a.txt", "start:t/", "done:t/",
                                                "error:gone", "summary:"}))
        << fetched.out;
    const auto& summary = parsed.lines.back();
    EXPECT_EQ(summary.number("paths"), 3);
    EXPECT_EQ(summary.number("fetched"), 2);
    EXPECT_EQ(summary.number("failed"), 1);
    EXPECT_EQ(summary.number("files"), 3);
    EXPECT_EQ(summary.number("wanted_bytes"), 9);
}

TEST(FetchPaths, TwoPathsThatWouldShareANameAreAUsageError) {
    const auto fetched = run_xfer({"fetch", "127.0.0.1:1", "x/a", "y/a"});
    EXPECT_EQ(fetched.status, exit_code::usage) << fetched.describe();
    EXPECT_TRUE(single_error_line(fetched));
    EXPECT_NE(fetched.err.find("both be written as a"), std::string::npos) << fetched.describe();
}

// A tree of 24 files of 300 KiB: pieces span files, so a change stays within a few pieces.
fs::path make_tree(const fs::path& root) {
    for (int i = 0; i < 24; ++i) {
        write_random_file(root / ("d" + std::to_string(i % 3)) / ("f" + std::to_string(i)),
                          300 * 1024, 100 + static_cast<uint64_t>(i));
    }
    return root;
}

constexpr uint64_t tree_bytes = 24 * 300 * 1024;

TEST(ExistingDestination, AnIdenticalTreeIsKeptAndADifferentOneNeedsForceOrUpdate) {
    sandbox box;
    const auto tree = make_tree(box / "src/data");
    xfer_server server(box / "src");
    const auto out = box / "out";
    const std::vector<std::string> args{"fetch", server.address(), "data/", "-o", out.string()};
    ASSERT_EQ(run_xfer(args).status, 0);

    // Identical by content (even with another mtime on a file): nothing transferred.
    set_mtime(out / "data/d0/f0", 1'000'000'000, 0);
    const auto again = run_xfer(args);
    ASSERT_EQ(again.status, 0) << again.describe();
    EXPECT_EQ(downloaded_bytes(again.out), 0u) << again.describe();

    // One local file changed: refused without --force or --update, and left as it is.
    write_random_file(out / "data/d1/f4", 300 * 1024, 999);
    const auto refused = run_xfer(args);
    EXPECT_TRUE(
        failed_saying(refused, {"already exists", "--force", "--update"}, exit_code::refused));
    EXPECT_NE(file_difference(tree / "d1/f4", out / "data/d1/f4"), "");

    // --update: the peer's tree again, fetching only the pieces of the changed file.
    auto update = args;
    update.push_back("--update");
    const auto updated = run_xfer(update);
    ASSERT_EQ(updated.status, 0) << updated.describe();
    EXPECT_EQ(tree_difference(tree, out / "data"), "");
    EXPECT_EQ(names_in(out), std::vector<std::string>{"data"}) << "staging or state left behind";
    const auto downloaded = downloaded_bytes(updated.out);
    ASSERT_TRUE(downloaded) << updated.describe();
    EXPECT_GT(*downloaded, 0u);
    EXPECT_LE(*downloaded, 300 * 1024 + 2 * 1024 * 1024u) << "more than the changed file's pieces";

    // --force: fetched anew, every byte.
    write_random_file(out / "data/d2/f5", 300 * 1024, 998);
    auto force = args;
    force.push_back("--force");
    const auto forced = run_xfer(force);
    ASSERT_EQ(forced.status, 0) << forced.describe();
    EXPECT_EQ(tree_difference(tree, out / "data"), "");
    EXPECT_EQ(downloaded_bytes(forced.out), tree_bytes) << forced.describe();
}

TEST(ExistingDestination, UpdateFollowsATreeThatGainedChangedAndLostFiles) {
    sandbox box;
    const auto tree = make_tree(box / "src/data");
    const auto out = box / "out";
    {
        xfer_server server(box / "src");
        ASSERT_EQ(run_xfer({"fetch", server.address(), "data/", "-o", out.string()}).status, 0);
    }
    write_random_file(tree / "d0/new", 50'000, 7);
    write_random_file(tree / "d2/f8", 300 * 1024, 8);
    fs::remove(tree / "d1/f1");
    xfer_server server(box / "src");
    const auto updated =
        run_xfer({"fetch", server.address(), "data/", "-o", out.string(), "--update"});
    ASSERT_EQ(updated.status, 0) << updated.describe();
    EXPECT_EQ(tree_difference(tree, out / "data"), "");
    const auto downloaded = downloaded_bytes(updated.out);
    ASSERT_TRUE(downloaded) << updated.describe();
    EXPECT_LT(*downloaded, tree_bytes / 2) << "identical files were fetched again";
}

TEST(ExistingDestination, AFileIsKeptWhenIdenticalAndReplacedWithUpdate) {
    sandbox box;
    write_random_file(box / "src/f.bin", 2'000'000, 5);
    xfer_server server(box / "src");
    const auto out = box / "out";
    const std::vector<std::string> args{"fetch", server.address(), "f.bin", "-o", out.string()};
    ASSERT_EQ(run_xfer(args).status, 0);
    const auto again = run_xfer(args);
    ASSERT_EQ(again.status, 0) << again.describe();
    EXPECT_EQ(downloaded_bytes(again.out), 0u) << again.describe();

    write_random_file(out / "f.bin", 2'000'000, 6);
    EXPECT_TRUE(failed_saying(run_xfer(args), {"already exists"}, exit_code::refused));
    auto update = args;
    update.push_back("--update");
    const auto updated = run_xfer(update);
    ASSERT_EQ(updated.status, 0) << updated.describe();
    EXPECT_EQ(file_difference(box / "src/f.bin", out / "f.bin"), "");
}

}  // namespace
}  // namespace xfer::test
