// The owners record of `xfer fetch --owners` (shared/tree/tree_owners.hpp): its exact bytes, the
// bounds its decoder enforces, how it rides on OPEN and MANIFEST, and the walks that read and
// apply it (the applying one needs root, so only its refusals are tested here; the e2e test
// tests/e2e/transfer_tree_owners_test.cpp gives real owners as root).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "shared/core/error.hpp"
#include "shared/core/fd.hpp"
#include "shared/tree/tree_owners.hpp"
#include "tests/shared/tree_fixture.hpp"
#include "tests/shared/wire_test_support.hpp"
#include "tests/support/sandbox.hpp"
#include "tests/support/tree_fixtures.hpp"

namespace xfer::tree {
namespace {

using namespace xfer::tree::test;
using wire::test_support::expect_round_trip;
using wire::test_support::hex;

TEST(TreeOwners, ExactBytesAndRoundTrip) {
    const owner_runs runs{{2, 1000, 100}, {1, 0, 0}};
    const auto record = encode_owners(runs);
    EXPECT_EQ(hex(record),
              "58464f57"  // "XFOW"
              "0000001c"  // 4 + 2 x 12 bytes follow
              "00000002"
              "00000002000003e800000064"
              "000000010000000000000000");
    EXPECT_EQ(owners_record_size(record), record.size());
    const auto decoded = decode_owners(record, 2);  // the root and two entries
    ASSERT_TRUE(decoded) << decoded.error().message();
    EXPECT_EQ(*decoded, runs);
}

TEST(TreeOwners, DecoderRefusesWhatTheEncoderNeverMakes) {
    const auto refused = [](const owner_runs& runs, size_t entries) {
        const auto decoded = decode_owners(encode_owners(runs), entries);
        return !decoded && decoded.error() == make_error_code(errc::manifest_invalid);
    };
    EXPECT_TRUE(refused({{3, 1, 1}}, 3)) << "covers 3 items of 4";
    EXPECT_TRUE(refused({{5, 1, 1}}, 3)) << "covers 5 items of 4";
    EXPECT_TRUE(refused({{2, 1, 1}, {0, 2, 2}, {2, 3, 3}}, 3)) << "an empty run";
    EXPECT_TRUE(refused({{2, 1, 1}, {2, 1, 1}}, 3)) << "two runs of one owner";
    EXPECT_TRUE(refused({}, 0)) << "no run for the root";
    EXPECT_TRUE(refused({{1, 1, 1}, {1, 2, 2}, {1, 3, 3}}, 1)) << "more runs than items";
    // Counts that would wrap a 32-bit sum still cover the wrong number of items.
    EXPECT_TRUE(refused({{0xffffffff, 1, 1}, {2, 2, 2}}, 0));

    auto record = encode_owners({{2, 1, 1}});
    record.push_back(0);
    EXPECT_FALSE(decode_owners(record, 1)) << "a trailing byte";
    EXPECT_EQ(owners_record_size(record), record.size() - 1) << "the size the record says";
    record.resize(record.size() - 2);
    EXPECT_FALSE(decode_owners(record, 1)) << "a truncated run";
    EXPECT_EQ(owners_record_size(record), 0u) << "not a whole record";
    // A run count far beyond the bytes present is refused before anything is allocated.
    std::vector<uint8_t> huge{'X', 'F', 'O', 'W', 0, 0, 0, 4, 0x7f, 0xff, 0xff, 0xff};
    EXPECT_FALSE(decode_owners(huge, 2'000'000));
    EXPECT_EQ(owners_record_size(std::vector<uint8_t>{'X', 'F', 'M', 'F', 0, 0, 0, 0}), 0u);
}

TEST(TreeOwners, OpenFlagAndManifestRecordOnTheWire) {
    wire::open_request open{3, {}, "tree/", true};
    expect_round_trip(open);
    std::vector<uint8_t> plain, flagged;
    encode(wire::open_request{3, {}, "tree/"}, plain);
    encode(open, flagged);
    ASSERT_EQ(flagged.size(), plain.size() + 1) << "the flags byte goes out only when set";
    EXPECT_EQ(flagged.back(), wire::open_flag_owners);

    const auto manifest = encode_tree_manifest(make_tree({dir("d"), file("d/f", 10)}));
    expect_round_trip(wire::manifest_msg{1, manifest, encode_owners({{3, 0, 0}})});
    expect_round_trip(wire::manifest_msg{1, manifest, {}});
}

TEST(TreeOwners, CollectsTheRootsAndEachEntrysOwnerInOrder) {
    xfer::test::sandbox box;
    const auto root = box / "t";
    xfer::test::write_text(root / "a", "a");
    xfer::test::write_text(root / "d/b", "b");
    std::filesystem::create_symlink("../a", root / "d/l");
    unique_fd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(fd);
    const std::vector<entry> entries{file("a", 1), dir("d"), file("d/b", 1), link("d/l", "../a")};
    const auto runs = collect_owners(fd.get(), entries);
    ASSERT_TRUE(runs) << runs.error().message();
    const owner_runs mine{
        {5, static_cast<uint32_t>(::geteuid()), static_cast<uint32_t>(::getegid())}};
    EXPECT_EQ(*runs, mine);
    ASSERT_TRUE(decode_owners(encode_owners(*runs), entries.size()));

    // A directory replaced by a symlink is not walked through.
    std::filesystem::rename(root / "d", box / "elsewhere");
    std::filesystem::create_symlink(box / "elsewhere", root / "d");
    EXPECT_FALSE(collect_owners(fd.get(), entries)) << "walked through a symlinked directory";
    EXPECT_TRUE(apply_owners(fd.get(), entries, mine)) << "applied through a symlinked directory";
    EXPECT_FALSE(apply_owners(fd.get(), entries, {})) << "no runs: nothing to do";
}

}  // namespace
}  // namespace xfer::tree
