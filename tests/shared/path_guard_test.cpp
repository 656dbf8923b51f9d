// Confinement of peer- and user-supplied paths to the store root: lexical normalisation, then
// the kernel (openat2 RESOLVE_BENEATH) for symlinks.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/core/error.hpp"
#include "shared/store/path_guard.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer {
namespace {

std::error_code refusal(std::string_view path, bool allow_root = false) {
    const auto result = normalize_relative_path(path, allow_root);
    return result ? std::error_code() : result.error();
}

TEST(PathGuard, NormalisesHarmlessSpellings) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"a", "a"},
        {"a/b/c", "a/b/c"},
        {"a//b", "a/b"},
        {"a///b//", "a/b"},
        {"./a", "a"},
        {"a/./b/.", "a/b"},
        {"a/", "a"},
        {"...", "..."},  // a legal file name, not a parent
        {"..a/b..", "..a/b.."},
        {"a b/c\xc3\xa9", "a b/c\xc3\xa9"},  // spaces and UTF-8 are fine
        {".xfer-part", ".xfer-part"},        // not a part file of anything
        {".xferx", ".xferx"},
        {"x.xfer", "x.xfer"},
    };
    for (const auto& [input, expected] : cases) {
        const auto result = normalize_relative_path(input, false);
        ASSERT_TRUE(result) << input << ": " << result.error().message();
        EXPECT_EQ(*result, expected) << input;
    }
}

TEST(PathGuard, RefusesWhatLeavesTheRoot) {
    for (const std::string_view path :
         {"..", "../a", "a/../b", "a/..", "a/b/../../..", "/etc/passwd", "/", "//a", "./../a"}) {
        EXPECT_EQ(refusal(path, true), errc::path_escapes_root) << path;
    }
}

TEST(PathGuard, RefusesControlBytes) {
    using namespace std::string_literals;
    for (const std::string& path :
         {"a\nb"s, "a\0b"s, "a/\x01"s, "tab\there"s, "del\x7f"s, "\x1b[31m"s}) {
        EXPECT_EQ(refusal(path), errc::malformed_message)
            << "byte in " << path.size() << "-byte path";
    }
}

TEST(PathGuard, HidesXfersOwnFiles) {
    for (const std::string_view path :
         {".xfer", ".xfer/partial/x.state", "a/.xfer", "a/.xfer/b", "movie.mkv.xfer-part",
          "dir/a.xfer-part", "a.xfer-part/b"}) {
        EXPECT_EQ(refusal(path, true), errc::not_found) << path;
    }
}

TEST(PathGuard, RootOnlyWhenAllowed) {
    for (const std::string_view path : {"", ".", "./", ".//", "./."}) {
        EXPECT_EQ(refusal(path, false), errc::not_found) << "'" << path << "'";
        const auto root = normalize_relative_path(path, true);
        ASSERT_TRUE(root) << "'" << path << "'";
        EXPECT_EQ(*root, "");
    }
}

class OpenBeneath : public ::testing::Test {
  protected:
    void SetUp() override {
        std::filesystem::create_directories(box_ / "root" / "sub");
        box_.write("root/inside.txt", "inside");
        box_.write("outside.txt", "secret");
        root_fd_.reset(::open((box_ / "root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        ASSERT_TRUE(root_fd_);
    }
    std::error_code open_error(const std::string& path, int flags = O_RDONLY) {
        const auto fd = open_beneath(root_fd_.get(), path, flags);
        return fd ? std::error_code() : fd.error();
    }
    std::string read_through(const std::string& path) {
        const auto fd = open_beneath(root_fd_.get(), path, O_RDONLY);
        if (!fd) return "error: " + fd.error().message();
        char buffer[64];
        const ssize_t n = ::read(fd->get(), buffer, sizeof buffer);
        return n < 0 ? "read error" : std::string(buffer, static_cast<size_t>(n));
    }

    test::sandbox box_;
    unique_fd root_fd_;
};

TEST_F(OpenBeneath, OpensFilesAndLinksInsideTheRoot) {
    std::filesystem::create_symlink("inside.txt", box_ / "root" / "relative-link");
    std::filesystem::create_symlink("../inside.txt", box_ / "root" / "sub" / "up-link");
    EXPECT_EQ(read_through("inside.txt"), "inside");
    EXPECT_EQ(read_through("relative-link"), "inside");
    EXPECT_EQ(read_through("sub/up-link"), "inside") << ".. that stays inside the root is fine";
    EXPECT_EQ(read_through("sub/../inside.txt"), "inside");
    const auto root = open_beneath(root_fd_.get(), "", O_RDONLY | O_DIRECTORY);
    EXPECT_TRUE(root) << "the empty path is the root itself";
}

TEST_F(OpenBeneath, RefusesSymlinksOutOfTheRoot) {
    std::filesystem::create_symlink("../outside.txt", box_ / "root" / "relative-escape");
    std::filesystem::create_symlink(box_ / "outside.txt", box_ / "root" / "absolute-escape");
    std::filesystem::create_symlink("../..", box_ / "root" / "sub" / "grandparent-dir");
    std::filesystem::create_symlink("/", box_ / "root" / "slash");
    EXPECT_EQ(open_error("relative-escape"), errc::path_escapes_root);
    EXPECT_EQ(open_error("absolute-escape"), errc::path_escapes_root);
    EXPECT_EQ(open_error("sub/grandparent-dir/outside.txt"), errc::path_escapes_root);
    EXPECT_EQ(open_error("slash/etc/passwd"), errc::path_escapes_root);
    EXPECT_EQ(open_error("../outside.txt"), errc::path_escapes_root);
    EXPECT_EQ(open_error("/etc/passwd"), errc::path_escapes_root);
    // Creating through an escaping link is refused too, and nothing appears outside.
    std::filesystem::create_symlink("../created-outside", box_ / "root" / "create-escape");
    EXPECT_EQ(open_error("create-escape", O_WRONLY | O_CREAT), errc::path_escapes_root);
    EXPECT_FALSE(box_.exists("created-outside"));
}

TEST_F(OpenBeneath, NeverOpensTheTargetOfAnEscapingLink) {
    // The target is a FIFO: had it been opened for writing without a reader, the open would
    // fail with ENXIO (O_NONBLOCK) rather than the refusal we expect, and for reading the
    // FIFO would now have had a reader. The refusal comes before any of that.
    ASSERT_EQ(::mkfifo((box_ / "fifo").c_str(), 0600), 0);
    std::filesystem::create_symlink("../fifo", box_ / "root" / "fifo-link");
    EXPECT_EQ(open_error("fifo-link", O_RDONLY | O_NONBLOCK), errc::path_escapes_root);
    EXPECT_EQ(open_error("fifo-link", O_WRONLY | O_NONBLOCK), errc::path_escapes_root);
}

TEST_F(OpenBeneath, MissingPathsAreNotFound) {
    EXPECT_EQ(open_error("missing"), errc::not_found);
    EXPECT_EQ(open_error("inside.txt/child"), errc::not_found);
    std::filesystem::create_symlink("nowhere", box_ / "root" / "dangling");
    EXPECT_EQ(open_error("dangling"), errc::not_found);
}

}  // namespace
}  // namespace xfer
