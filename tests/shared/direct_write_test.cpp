// Direct I/O for verified pieces (the default): the bytes on disk are exactly what was written
// whether the buffer and offset are aligned or not, the unaligned tail goes through the buffered
// path, and a file system without O_DIRECT (tmpfs before Linux 6.6) or XFER_DIRECT_IO=off falls
// back to buffered writes with the reason said.
#include "shared/store/direct_write.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/statfs.h>

#include <linux/magic.h>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "shared/core/aligned_bytes.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer {
namespace {

std::vector<uint8_t> read_back(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

bool on_tmpfs(const std::filesystem::path& path) {
    struct statfs info {};
    return ::statfs(path.c_str(), &info) == 0 && info.f_type == TMPFS_MAGIC;
}

void write_and_check(const std::filesystem::path& file, bool expect_direct) {
    unique_fd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    ASSERT_TRUE(fd);
    const auto writer = direct_write::for_file(fd.get());
    EXPECT_EQ(writer.active(), expect_direct) << writer.description();
    const auto bytes = test::pseudo_random_bytes(3 * 65536 + 777, 5);
    auto aligned = allocate_aligned(bytes.size());
    std::copy(bytes.begin(), bytes.end(), aligned.get());
    // Aligned buffer and offset with an unaligned tail; then an unaligned buffer; then an
    // unaligned offset.
    ASSERT_FALSE(writer.write(fd.get(), {aligned.get(), bytes.size()}, 0));
    ASSERT_FALSE(writer.write(fd.get(), {bytes.data() + 1, 100'000}, bytes.size()));
    ASSERT_FALSE(writer.write(fd.get(), {aligned.get(), 8192}, bytes.size() + 100'000));
    std::vector<uint8_t> expected = bytes;
    expected.insert(expected.end(), bytes.begin() + 1, bytes.begin() + 100'001);
    expected.insert(expected.end(), bytes.begin(), bytes.begin() + 8192);
    ASSERT_EQ(::fsync(fd.get()), 0);
    EXPECT_EQ(read_back(file), expected);
}

// Sets XFER_DIRECT_IO for one test (unset: the default, on).
struct direct_io_env {
    explicit direct_io_env(const char* value) { ::setenv("XFER_DIRECT_IO", value, 1); }
    ~direct_io_env() { ::unsetenv("XFER_DIRECT_IO"); }
};

TEST(DirectWrite, BytesOnDiskAreExactWhateverTheAlignment) {
    test::sandbox box;
    ::unsetenv("XFER_DIRECT_IO");
    // The sandbox is on the build machine's disk (ext4 here, O_DIRECT works); on tmpfs the
    // fallback is what is tested.
    write_and_check(box / "piece.bin", !on_tmpfs(box.path()));
}

TEST(DirectWrite, BufferedWhenTheEnvironmentTurnsItOff) {
    test::sandbox box;
    for (const char* off : {"off", "0", "no", "false"}) {
        direct_io_env env(off);
        write_and_check(box / "piece.bin", false);
        unique_fd fd(::open((box / "x").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
        EXPECT_NE(direct_write::for_file(fd.get()).description().find("XFER_DIRECT_IO=off"),
                  std::string::npos)
            << off;
    }
    direct_io_env on("on");
    write_and_check(box / "again.bin", !on_tmpfs(box.path()));
}

// A tree's files start anywhere in a piece buffer: their whole blocks still go past the page
// cache (through a bounce buffer), only the partial blocks at either end are cached, and the bytes
// on disk are exact.
TEST(DirectWrite, AnUnalignedBufferOrOffsetStillSkipsThePageCacheForWholeBlocks) {
    test::sandbox box;
    ::unsetenv("XFER_DIRECT_IO");
    const auto file = box / "tree-file.bin";
    unique_fd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    ASSERT_TRUE(fd);
    const auto writer = direct_write::for_file(fd.get());
    if (!writer.active()) GTEST_SKIP() << writer.description();
    // 3 MiB and a bit from an odd address (more than one bounce buffer's worth), at offset 1000:
    // a head of 3,096 bytes, 768 whole blocks, a tail.
    const auto bytes = test::pseudo_random_bytes(3 * 1024 * 1024 + 5'000, 9);
    const std::span<const uint8_t> odd(bytes.data() + 1, bytes.size() - 1);
    ASSERT_FALSE(writer.write(fd.get(), odd.first(1000), 0));
    ASSERT_FALSE(writer.write(fd.get(), odd.subspan(1000), 1000));
    ASSERT_EQ(::fsync(fd.get()), 0);
    EXPECT_LE(test::cached_pages(file), 3u) << "whole blocks went through the page cache";
    EXPECT_EQ(read_back(file), std::vector<uint8_t>(odd.begin(), odd.end()));
}

// tmpfs takes O_DIRECT from Linux 6.6 on and refuses it before: either way the bytes are exact
// and the description says which path is in use.
TEST(DirectWrite, TmpfsWritesExactBytesAndSaysWhichPath) {
    if (!test::running_as_root()) GTEST_SKIP() << "mounting a tmpfs needs root";
    test::sandbox box;
    test::scoped_tmpfs tmpfs(box / "tmp", "size=16m");
    ASSERT_TRUE(tmpfs.mounted()) << tmpfs.error();
    ::unsetenv("XFER_DIRECT_IO");
    unique_fd probe(::open((box / "tmp/probe").c_str(), O_RDWR | O_CREAT | O_DIRECT, 0644));
    write_and_check(box / "tmp/piece.bin", static_cast<bool>(probe));
    unique_fd fd(::open((box / "tmp/y").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    const auto writer = direct_write::for_file(fd.get());
    EXPECT_EQ(writer.description(),
              writer.active()
                  ? "direct I/O"
                  : "buffered writes (direct I/O not supported here: Invalid argument)");
}

}  // namespace
}  // namespace xfer
