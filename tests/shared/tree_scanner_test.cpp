// scan_tree on real directories: what is kept (empty directories, deep nesting, long and
// unicode names, in-tree symlinks, modes, sparse sizes), what is skipped with a note (FIFOs,
// escaping symlinks, names the format refuses), order, limits, and a 20,000-file tree.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>

#include "shared/core/error.hpp"
#include "shared/core/fd.hpp"
#include "shared/tree/tree_scanner.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::tree {
namespace {

namespace fs = std::filesystem;

class TreeScanner : public ::testing::Test {
  protected:
    fs::path root() const { return box_ / "root"; }
    void make_dir(const std::string& relative, mode_t mode = 0755) const {
        fs::create_directories(root() / relative);
        ::chmod((root() / relative).c_str(), mode);
    }
    void make_file(const std::string& relative, size_t size, mode_t mode = 0644) const {
        box_.write(fs::path("root") / relative, std::string(size, 'x'));
        ::chmod((root() / relative).c_str(), mode);
    }
    void make_link(const std::string& target, const std::string& relative) const {
        fs::create_symlink(target, root() / relative);
    }
    std::expected<scan_result, std::error_code> scan(const scan_limits& limits = {}) const {
        const unique_fd fd(::open(root().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        EXPECT_TRUE(fd);
        return scan_tree(fd.get(), limits);
    }
    std::optional<entry> find(const scan_result& result, const std::string& path) const {
        for (const auto& e : result.manifest.entries) {
            if (e.path == path) return e;
        }
        return std::nullopt;
    }
    bool noted(const scan_result& result, const std::string& line) const {
        return std::find(result.skipped.begin(), result.skipped.end(), line) !=
               result.skipped.end();
    }

    test::sandbox box_;
};

TEST_F(TreeScanner, KeepsTheTreeAsItIs) {
    make_dir("empty", 0700);
    make_dir("docs");
    make_file("docs/readme", 5, 0640);
    make_file("docs/run.sh", 3, 04755);  // setuid is never kept
    make_dir("shared", 01777);
    const std::string unicode = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e-\xc3\xa9t\xc3\xa9";
    make_file(unicode, 1);
    const std::string long_name(255, 'L');
    make_file(long_name, 2);
    make_link("readme", "docs/latest");
    make_link("../empty", "docs/up");
    std::string deep;
    for (int level = 0; level < 40; ++level) deep += (deep.empty() ? "" : "/") + std::string("n");
    make_dir(deep);
    make_file(deep + "/leaf", 4);
    // Sparse: 1 GiB apparent size, nothing allocated.
    make_file("sparse", 0);
    ASSERT_EQ(::truncate((root() / "sparse").c_str(), 1 << 30), 0);

    const auto result = scan();
    ASSERT_TRUE(result) << result.error().message();
    const auto& m = result->manifest;
    EXPECT_FALSE(validate(m)) << validate(m).message();
    EXPECT_TRUE(result->skipped.empty()) << result->skipped.front();
    EXPECT_TRUE(m.piece_hashes.empty());
    EXPECT_EQ(m.piece_size, 512u * 1024);  // choose_piece_size(1 GiB + 15 bytes)
    EXPECT_TRUE(
        std::is_sorted(m.entries.begin(), m.entries.end(),
                       [](const entry& a, const entry& b) { return path_less(a.path, b.path); }));

    const auto empty = find(*result, "empty");
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->kind, entry_kind::directory);
    EXPECT_EQ(empty->mode, 0700u);
    EXPECT_EQ(find(*result, "docs/readme")->mode, 0640u);
    EXPECT_EQ(find(*result, "docs/readme")->size, 5u);
    EXPECT_EQ(find(*result, "docs/run.sh")->mode, 0755u);
    EXPECT_EQ(find(*result, "shared")->mode, 01777u);
    ASSERT_TRUE(find(*result, unicode));
    ASSERT_TRUE(find(*result, long_name));
    EXPECT_EQ(find(*result, "docs/latest")->kind, entry_kind::symlink);
    EXPECT_EQ(find(*result, "docs/latest")->link_target, "readme");
    EXPECT_EQ(find(*result, "docs/latest")->mode, 0u);
    EXPECT_EQ(find(*result, "docs/up")->link_target, "../empty");
    EXPECT_EQ(find(*result, deep + "/leaf")->size, 4u);
    EXPECT_EQ(find(*result, "sparse")->size, uint64_t{1} << 30);
    EXPECT_EQ(m.entries.size(), 10u + 40u + 1u);

    struct stat st {};
    ASSERT_EQ(::lstat((root() / "docs/readme").c_str(), &st), 0);
    EXPECT_EQ(find(*result, "docs/readme")->mtime_ns,
              int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec);
    // What a scan makes, the decoder takes (once hashed).
    auto hashed = m;
    hashed.piece_hashes.resize(hashed.piece_count());
    EXPECT_TRUE(decode_tree_manifest(encode_tree_manifest(hashed)));
}

TEST_F(TreeScanner, SkipsSpecialsEscapingLinksAndUnsendableNamesWithANote) {
    make_dir("d");
    make_file("d/keep", 1);
    ASSERT_EQ(::mkfifo((root() / "d/fifo").c_str(), 0644), 0);
    make_link("/etc/passwd", "abs");
    make_link("../outside", "escape");
    make_link("../../x", "d/escape");
    make_link("sub/../..", "hidden");
    make_file("bad\nname", 1);
    make_dir(".xfer");
    make_file(".xfer/manifests", 1);
    make_file("old.xfer-part", 1);
    make_link("d", "dirlink");  // in the tree: kept, never followed

    const auto result = scan();
    ASSERT_TRUE(result) << result.error().message();
    EXPECT_FALSE(validate(result->manifest));
    std::vector<std::string> paths;
    for (const auto& e : result->manifest.entries) paths.push_back(e.path);
    EXPECT_EQ(paths, (std::vector<std::string>{"d", "d/keep", "dirlink"}));
    EXPECT_TRUE(noted(*result, "d/fifo: FIFO skipped"));
    const std::string escapes = ": symlink target is absolute or leaves the tree, skipped";
    EXPECT_TRUE(noted(*result, "abs" + escapes));
    EXPECT_TRUE(noted(*result, "escape" + escapes));
    EXPECT_TRUE(noted(*result, "d/escape" + escapes));
    EXPECT_TRUE(noted(*result, "hidden" + escapes));
    const std::string unclean = ": tree entry path is not a clean relative path, skipped";
    EXPECT_TRUE(noted(*result, "bad\nname" + unclean));
    EXPECT_TRUE(noted(*result, ".xfer" + unclean));
    EXPECT_TRUE(noted(*result, "old.xfer-part" + unclean));
    EXPECT_EQ(result->skipped.size(), 8u);
}

TEST_F(TreeScanner, IsDeterministic) {
    for (const auto* name : {"b", "a-b", "A", "\xc3\xa9", "a.txt"}) make_file(name, 1);
    make_dir("a/x");
    make_file("a/x/y", 1);
    const auto first = scan();
    const auto second = scan();
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->manifest, second->manifest);
    std::vector<std::string> paths;
    for (const auto& e : first->manifest.entries) paths.push_back(e.path);
    EXPECT_EQ(paths, (std::vector<std::string>{"A", "a", "a/x", "a/x/y", "a-b", "a.txt", "b",
                                               "\xc3\xa9"}));
}

TEST_F(TreeScanner, ScanningTheSameDescriptorTwiceSeesTheWholeTree) {
    make_dir("d");
    make_file("d/f", 1);
    make_file("g", 1);
    const unique_fd fd(::open(root().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    const auto first = scan_tree(fd.get(), {});
    const auto second = scan_tree(fd.get(), {});
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->manifest.entries.size(), 3u);
    EXPECT_EQ(second->manifest, first->manifest);
}

TEST_F(TreeScanner, EnforcesTheEntryAndDepthLimits) {
    make_dir("a/b/c/d");
    make_file("a/b/c/d/f", 1);
    make_file("top", 1);
    scan_limits shallow;
    shallow.max_depth = 2;
    const auto cut = scan(shallow);
    ASSERT_TRUE(cut);
    std::vector<std::string> paths;
    for (const auto& e : cut->manifest.entries) paths.push_back(e.path);
    EXPECT_EQ(paths, (std::vector<std::string>{"a", "a/b", "top"}));
    EXPECT_TRUE(noted(*cut, "a/b/c: directory deeper than the depth limit skipped"));

    scan_limits few;
    few.max_entries = 6;  // a, a/b, a/b/c, a/b/c/d, a/b/c/d/f, top
    EXPECT_TRUE(scan(few));
    few.max_entries = 5;
    const auto refused = scan(few);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), errc::tree_too_large);
}

TEST_F(TreeScanner, ARootThatIsNotADirectoryIsAnError) {
    make_file("f", 1);
    const unique_fd fd(::open((root() / "f").c_str(), O_RDONLY | O_CLOEXEC));
    const auto result = scan_tree(fd.get(), {});
    EXPECT_FALSE(result);
}

TEST_F(TreeScanner, TwentyThousandFiles) {
    for (int d = 0; d < 20; ++d) {
        const auto folder = root() / ("d" + std::to_string(d));
        fs::create_directories(folder);
        for (int f = 0; f < 1000; ++f) {
            const unique_fd fd(::open((folder / ("f" + std::to_string(f))).c_str(),
                                      O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
            ASSERT_TRUE(fd);
            ASSERT_EQ(::write(fd.get(), "abcd", 4), 4);
        }
    }
    const auto result = scan();
    ASSERT_TRUE(result);
    EXPECT_EQ(result->manifest.entries.size(), 20'020u);
    EXPECT_EQ(result->manifest.total_file_bytes(), 80'000u);
    EXPECT_FALSE(validate(result->manifest));
}

}  // namespace
}  // namespace xfer::tree
