// End to end: `xfer fetch --owners` gives a tree's root, files, directories and symlinks the
// owner and group they have on the sender (a symlink's own, with lchown, never its target's);
// without it everything belongs to the fetching user; and a user who is not root is told at
// once that --owners needs root. CI runs as root; elsewhere the root half skips, saying why.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"
#include "tests/support/tree_fixtures.hpp"

namespace xfer::test {
namespace {

namespace fs = std::filesystem;

std::pair<uid_t, gid_t> owner_of(const fs::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return {static_cast<uid_t>(-1), static_cast<gid_t>(-1)};
    return {st.st_uid, st.st_gid};
}

void give(const fs::path& path, uid_t uid, gid_t gid) {
    ASSERT_EQ(::lchown(path.c_str(), uid, gid), 0) << path;
}

TEST(TransferTreeOwners, AsRootKeepsEveryOwnerAndASymlinksOwn) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown the source tree (CI runs as root)";
    sandbox box;
    const auto tree = box / "src/owned";
    write_text(tree / "a.txt", "alice's\n");
    write_text(tree / "sub/b.txt", "bob's\n");
    write_text(tree / "sub/empty", "");
    fs::create_directories(tree / "sub/deeper");
    fs::create_symlink("a.txt", tree / "link");
    ::chmod((tree / "a.txt").c_str(), 0640);
    give(tree, 4321, 4322);
    give(tree / "a.txt", 1234, 2345);
    give(tree / "sub", 3456, 4567);
    give(tree / "sub/b.txt", 1234, 4567);
    give(tree / "sub/empty", 7000, 7001);
    give(tree / "sub/deeper", 65534, 65534);
    give(tree / "link", 5678, 6789);  // the link's own owner; its target stays 1234:2345
    write_text(box / "src/single.txt", "one file");
    give(box / "src/single.txt", 1234, 2345);

    xfer_server server(box / "src");
    const auto kept = box / "kept";
    const auto with =
        run_xfer({"fetch", server.address(), "owned/", "-o", kept.string(), "--owners"});
    ASSERT_EQ(with.status, 0) << with.describe();
    EXPECT_EQ(tree_difference(tree, kept / "owned"), "");
    for (const char* path : {"", "a.txt", "sub", "sub/b.txt", "sub/empty", "sub/deeper", "link"}) {
        EXPECT_EQ(owner_of(kept / "owned" / path), owner_of(tree / path)) << path;
    }
    EXPECT_EQ(owner_of(kept / "owned/link"), std::make_pair(uid_t{5678}, gid_t{6789}));
    EXPECT_EQ(owner_of(kept / "owned/a.txt"), std::make_pair(uid_t{1234}, gid_t{2345}))
        << "the symlink's owner was given to its target";
    struct stat mode {};
    ASSERT_EQ(::stat((kept / "owned/a.txt").c_str(), &mode), 0);
    EXPECT_EQ(mode.st_mode & 07777, 0640u) << "the owner change touched the mode";

    const auto mine = box / "mine";
    const auto without = run_xfer({"fetch", server.address(), "owned/", "-o", mine.string()});
    ASSERT_EQ(without.status, 0) << without.describe();
    const std::pair<uid_t, gid_t> fetching_user{::geteuid(), ::getegid()};
    for (const char* path : {"", "a.txt", "sub", "sub/b.txt", "sub/empty", "sub/deeper", "link"})
        EXPECT_EQ(owner_of(mine / "owned" / path), fetching_user) << path;

    // A single file has no owners record: fetched as the fetching user's, with a note.
    const auto file =
        run_xfer({"fetch", server.address(), "single.txt", "-o", mine.string(), "--owners"});
    ASSERT_EQ(file.status, 0) << file.describe();
    EXPECT_EQ(owner_of(mine / "single.txt"), fetching_user);
    EXPECT_NE(file.err.find("--owners keeps the owners of a tree"), std::string::npos)
        << file.describe();
}

TEST(TransferTreeOwners, NotRootIsToldAtOnce) {
    if (::geteuid() == 0) GTEST_SKIP() << "runs as root: root may use --owners";
    sandbox box;
    const auto refused =
        run_xfer({"fetch", "127.0.0.1:9", "tree/", "-o", (box / "out").string(), "--owners"});
    EXPECT_EQ(refused.status, 2) << refused.describe();
    EXPECT_NE(refused.err.find("--owners needs root"), std::string::npos) << refused.describe();
    EXPECT_FALSE(fs::exists(box / "out")) << "something was written before the refusal";
}

}  // namespace
}  // namespace xfer::test
