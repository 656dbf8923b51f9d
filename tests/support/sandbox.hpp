// A scratch directory per test that removes itself, with everything in it, when the test ends
// (Transmission's tests/libtransmission/test-fixtures.h sandbox). Tests that touch the disk
// work only inside one, so they never see each other's files or leave litter in /tmp.
//
//   xfer::test::sandbox box;
//   box.write("a/b.bin", xfer::test::pseudo_random_bytes(1000, 7));
//   EXPECT_EQ(box.read("a/b.bin").size(), 1000u);
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

namespace xfer::test {

class sandbox {
  public:
    // Under $TMPDIR (or /tmp), named after the running test so a leftover is easy to place.
    sandbox();
    ~sandbox();
    sandbox(const sandbox&) = delete;
    sandbox& operator=(const sandbox&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::filesystem::path& relative) const {
        return path_ / relative;
    }

    // Writes `bytes` to path()/relative (replacing it), creating parent folders; returns the path.
    std::filesystem::path write(const std::filesystem::path& relative,
                                std::span<const uint8_t> bytes) const;
    std::filesystem::path write(const std::filesystem::path& relative, std::string_view text) const;
    // The whole file; throws std::runtime_error if it cannot be read.
    std::vector<uint8_t> read(const std::filesystem::path& relative) const;
    bool exists(const std::filesystem::path& relative) const;

  private:
    std::filesystem::path path_;
};

// Deterministic bytes for test files: the same (count, seed) always gives the same bytes.
std::vector<uint8_t> pseudo_random_bytes(size_t count, uint64_t seed);

// Pages of the file at `path` held in the page cache (mincore of a mapping of it): 0 for an
// empty or unreadable file. Tests of direct I/O call it before anything reads the file.
size_t cached_pages(const std::filesystem::path& path);

}  // namespace xfer::test
