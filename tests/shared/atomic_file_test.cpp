// Atomic small-file writes: the new content or the old one, never a temporary left behind.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shared/store/atomic_file.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer {
namespace {

TEST(AtomicFile, WritesReplacesAndLeavesNoTemporary) {
    test::sandbox box;
    const auto target = box / "state";
    const std::vector<uint8_t> first = {1, 2, 3};
    const std::vector<uint8_t> second = {9};
    for (const bool durable : {false, true}) {
        ASSERT_FALSE(write_file_atomically(target, first, durable));
        EXPECT_EQ(read_small_file(target, 100), first);
        ASSERT_FALSE(write_file_atomically(target, second, durable));
        EXPECT_EQ(read_small_file(target, 100), second);
    }
    size_t entries = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(box.path()))
        ++entries;
    EXPECT_EQ(entries, 1u);
}

// A process that has exited and been reaped: its pid names nobody (until reused, which the
// kernel does only after cycling through the pid space).
pid_t dead_pid() {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
}

TEST(AtomicFile, StaleTemporariesOfKilledWritersAreRemovedLiveOnesKept) {
    test::sandbox box;
    const auto dead = box.write("x.state.tmp" + std::to_string(dead_pid()), "old");
    const auto ours = box.write("x.state.tmp" + std::to_string(::getpid()), "mine");
    const auto parent = box.write("x.state.tmp" + std::to_string(::getppid()), "live");
    const auto state = box.write("x.state", "kept");
    const auto lookalike = box.write("notes.tmpfile", "kept");
    remove_stale_temporaries(box.path());
    EXPECT_FALSE(std::filesystem::exists(dead)) << "a killed writer's temporary stayed";
    EXPECT_TRUE(std::filesystem::exists(ours));
    EXPECT_TRUE(std::filesystem::exists(parent)) << "removed the temporary of a live writer";
    EXPECT_TRUE(std::filesystem::exists(state));
    EXPECT_TRUE(std::filesystem::exists(lookalike));
}

TEST(AtomicFile, FailureLeavesTheOldContent) {
    test::sandbox box;
    const auto target = box / "state";
    const std::vector<uint8_t> old_content = {1, 2, 3};
    ASSERT_FALSE(write_file_atomically(target, old_content, true));
    // The rename target is now a non-empty directory: the rename fails, the temporary goes.
    const auto blocked = box / "blocked";
    std::filesystem::create_directories(blocked / "child");
    EXPECT_TRUE(write_file_atomically(blocked, old_content, false));
    EXPECT_TRUE(std::filesystem::is_directory(blocked / "child"));
    EXPECT_TRUE(write_file_atomically(box / "missing-dir" / "state", old_content, false));
    EXPECT_EQ(read_small_file(target, 100), old_content);
    size_t entries = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(box.path()))
        ++entries;
    EXPECT_EQ(entries, 2u) << "state and blocked, no temporaries";
}

TEST(AtomicFile, ReadSmallFileLimits) {
    test::sandbox box;
    box.write("ten", std::string(10, 'x'));
    box.write("empty", std::string());
    EXPECT_EQ(read_small_file(box / "ten", 10)->size(), 10u);
    EXPECT_FALSE(read_small_file(box / "ten", 9)) << "over the limit";
    EXPECT_TRUE(read_small_file(box / "empty", 0)->empty());
    EXPECT_FALSE(read_small_file(box / "missing", 10));
    EXPECT_FALSE(read_small_file(box.path(), 1 << 20)) << "a directory is not a small file";
    EXPECT_FALSE(sync_directory(box.path()));
    EXPECT_TRUE(sync_directory(box / "missing"));
}

}  // namespace
}  // namespace xfer
