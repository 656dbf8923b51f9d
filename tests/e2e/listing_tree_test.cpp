// End to end: `xfer ls -R HOST [PATH]` lists a tree depth first with totals (text and --json),
// shows names from the peer only as safe text, and never shows xfer's own staging directory of
// a tree that is being fetched into the served directory.
#include <gtest/gtest.h>

#include <csignal>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/json_lines.hpp"
#include "tests/support/sandbox.hpp"
#include "tests/support/tree_fixtures.hpp"

namespace xfer::test {
namespace {

namespace fs = std::filesystem;

TEST(ListTree, RecursiveListingWithTotals) {
    sandbox box;
    write_text(box / "src/proj/README", "hello\n");                 // 6 bytes
    write_text(box / "src/proj/src/main.cpp", "int main(){}\n");    // 13
    write_text(box / "src/proj/src/util/u.hpp", "#pragma once\n");  // 13
    fs::create_directories(box / "src/proj/empty");
    write_text(box / "src/other.txt", "not under proj");
    xfer_server server(box / "src");

    const auto listed = run_xfer({"ls", "-R", server.address(), "proj"});
    ASSERT_EQ(listed.status, 0) << listed.describe();
    const auto lines = lines_of(listed.out);
    ASSERT_EQ(lines.size(), 7u) << listed.out;
    // Depth first in path order, each directory before what is in it.
    const std::vector<std::string> paths{"README",       "empty/",    "src/",
                                         "src/main.cpp", "src/util/", "src/util/u.hpp"};
    for (size_t i = 0; i < paths.size(); ++i) {
        EXPECT_NE(lines[i].find("  " + paths[i]), std::string::npos)
            << "line " << i << ": " << lines[i];
    }
    EXPECT_TRUE(lines[1].starts_with("dir")) << lines[1];
    EXPECT_TRUE(lines[3].starts_with("file")) << lines[3];
    EXPECT_EQ(lines[6], "3 files, 3 directories, 32 B (32 bytes)");

    // The top of the share, recursively: proj's entries under "proj/", other.txt too.
    const auto top = run_xfer({"ls", "-R", server.address()});
    ASSERT_EQ(top.status, 0) << top.describe();
    EXPECT_NE(top.out.find("  proj/src/util/u.hpp"), std::string::npos) << top.out;
    EXPECT_NE(top.out.find("4 files, 4 directories, 46 B (46 bytes)"), std::string::npos)
        << top.out;

    // One of a thing is not "1 bytes".
    const auto one = run_xfer({"ls", "-R", server.address(), "proj/src/util"});
    ASSERT_EQ(one.status, 0) << one.describe();
    EXPECT_NE(one.out.find("(complete, 13 bytes)"), std::string::npos) << one.out;
    EXPECT_NE(one.out.find("1 file, 0 directories, 13 B (13 bytes)"), std::string::npos) << one.out;
    write_text(box / "src/tiny/x", "x");
    const auto tiny = run_xfer({"ls", "-R", server.address(), "tiny"});
    ASSERT_EQ(tiny.status, 0) << tiny.describe();
    EXPECT_NE(tiny.out.find("  x  (complete, 1 byte)\n"), std::string::npos) << tiny.out;
    EXPECT_NE(tiny.out.find("1 file, 0 directories, 1 B (1 byte)"), std::string::npos) << tiny.out;

    const auto json = run_xfer({"ls", "-R", server.address(), "proj", "--json"});
    ASSERT_EQ(json.status, 0) << json.describe();
    const auto parsed = parse_json_lines(json.out);
    ASSERT_EQ(parsed.error, "") << json.out;
    ASSERT_EQ(parsed.lines.size(), 7u) << json.out;
    EXPECT_EQ(parsed.lines[5].text("name"), "src/util/u.hpp");
    EXPECT_EQ(parsed.lines[5].text("kind"), "file");
    EXPECT_EQ(parsed.lines[5].number("size"), 13);
    const auto& totals = parsed.lines.back();
    EXPECT_EQ(totals.event(), "totals");
    EXPECT_EQ(totals.number("files"), 3);
    EXPECT_EQ(totals.number("directories"), 3);
    EXPECT_EQ(totals.number("bytes"), 32);

    const auto missing = run_xfer({"ls", "-R", server.address(), "nope"});
    EXPECT_TRUE(failed_saying(missing, {"nope"}, exit_code::not_found));
}

TEST(ListTree, NamesFromThePeerAreShownAsSafeText) {
    sandbox box;
    write_text(box / "src/d/sub/evil\x1b[2Jname", "x");
    xfer_server server(box / "src");
    const auto listed = run_xfer({"ls", "-R", server.address(), "d"});
    ASSERT_EQ(listed.status, 0) << listed.describe();
    EXPECT_EQ(listed.out.find('\x1b'), std::string::npos) << "raw escape reached the terminal";
    EXPECT_NE(listed.out.find("sub/evil\\x1b[2Jname"), std::string::npos) << listed.out;
}

// What a tree fetch recreates as a link, `ls` shows as one, and does not walk into.
TEST(ListTree, LinksInsideTheShareAreShownAsLinks) {
    sandbox box;
    write_text(box / "src/proj/a.txt", "hello");
    write_text(box / "src/proj/sub/b.txt", "b");
    write_text(box / "src/proj/evil\x1b[2Jname", "x");
    write_text(box / "src/secret.txt", "outside proj, inside the share");
    write_text(box / "outside.txt", "outside the share");
    fs::create_symlink("a.txt", box / "src/proj/to-file");
    fs::create_symlink("sub", box / "src/proj/to-dir");
    fs::create_symlink("evil\x1b[2Jname", box / "src/proj/to-evil");
    fs::create_symlink("../../outside.txt", box / "src/proj/escapes");
    xfer_server server(box / "src");

    const auto listed = run_xfer({"ls", "-R", server.address(), "proj"});
    ASSERT_EQ(listed.status, 0) << listed.describe();
    EXPECT_NE(listed.out.find("link              to-file -> a.txt\n"), std::string::npos)
        << listed.out;
    EXPECT_NE(listed.out.find("  to-dir -> sub\n"), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("  to-evil -> evil\\x1b[2Jname\n"), std::string::npos) << listed.out;
    EXPECT_EQ(listed.out.find('\x1b'), std::string::npos) << "raw escape reached the terminal";
    EXPECT_EQ(listed.out.find("to-dir/"), std::string::npos) << "walked into a link";
    EXPECT_EQ(listed.out.find("escapes"), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("3 files, 1 directory, 3 symlinks, 7 B (7 bytes)"), std::string::npos)
        << listed.out;

    const auto json = run_xfer({"ls", "-R", server.address(), "proj", "--json"});
    ASSERT_EQ(json.status, 0) << json.describe();
    const auto parsed = parse_json_lines(json.out);
    ASSERT_EQ(parsed.error, "") << json.out;
    bool saw_link = false;
    for (const auto& line : parsed.lines) {
        if (line.event() != "entry" || line.text("name") != "to-file") continue;
        saw_link = true;
        EXPECT_EQ(line.text("kind"), "symlink");
        EXPECT_EQ(line.text("target"), "a.txt");
    }
    EXPECT_TRUE(saw_link) << json.out;
    EXPECT_EQ(parsed.lines.back().number("symlinks"), 3);
}

TEST(ListTree, ATreeBeingFetchedIntoTheSharedDirectoryIsNotShown) {
    sandbox box;
    for (int i = 0; i < 120; ++i)
        write_random_file(box / "src/big" / ("f" + std::to_string(i)), 1024 * 1024, 1 + i);
    xfer_server source(box / "src");
    const auto out = box / "out";
    write_text(out / "kept.txt", "already here");
    {  // A fetch of the tree into `out`, killed in the middle: its staging directory stays.
        child_process fetch(xfer_command({"fetch", source.address(), "big/", "-o", out.string()}));
        ASSERT_TRUE(eventually([&] { return recorded_pieces(out) >= 1 || !fetch.running(); }));
        ASSERT_TRUE(fetch.running()) << "finished before it could be killed\n" << fetch.describe();
        fetch.send_signal(SIGKILL);
        fetch.wait(30s);
    }
    ASSERT_TRUE(fs::is_directory(out / ".big.xfer-part")) << "no staging directory to hide";
    xfer_server server(out);
    for (const auto& args : {std::vector<std::string>{"ls", server.address()},
                             std::vector<std::string>{"ls", "-R", server.address()}}) {
        const auto listed = run_xfer(args);
        ASSERT_EQ(listed.status, 0) << listed.describe();
        EXPECT_EQ(listed.out.find("xfer-part"), std::string::npos) << listed.out;
        EXPECT_EQ(listed.out.find(".xfer"), std::string::npos) << listed.out;
        EXPECT_NE(listed.out.find("kept.txt"), std::string::npos) << listed.out;
    }
    const auto inside = run_xfer({"ls", server.address(), ".big.xfer-part"});
    EXPECT_EQ(inside.status, exit_code::not_found) << inside.describe();
}

}  // namespace
}  // namespace xfer::test
