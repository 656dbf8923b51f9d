// `xfer serve` on the output directory of a tree fetch in progress offers the tree's verified
// pieces: another fetch completes the tree from it and the first source, byte for byte.
#include <gtest/gtest.h>

#include <optional>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"
#include "tests/support/tree_fixtures.hpp"

namespace xfer::test {
namespace {

TEST(TransferTreePartial, AServeOfAHalfFetchedTreeServesItsVerifiedPieces) {
    sandbox box;
    const auto home = (box / "home").string();
    for (int i = 0; i < 8; ++i)
        write_random_file(box / "a/photos" / ("f" + std::to_string(i)), 300'000 + i, 40 + i);
    write_random_file(box / "a/photos/sub/big", 6'000'000, 49);
    xfer_server origin(box / "a", {"--home", home});
    const auto half = run_xfer({"fetch", origin.address(), "photos/", "--range", "0:50%", "-o",
                                (box / "half").string(), "--home", home, "-q"});
    ASSERT_EQ(half.status, 0) << half.describe();
    ASSERT_FALSE(std::filesystem::exists(box / "half/photos")) << "a half tree is not complete";

    xfer_server partial(box / "half", {"--home", home});
    // The first half only from the partial peer: it must serve those pieces itself.
    const auto from_partial = run_xfer({"fetch", partial.address(), "photos/", "--range", "0:50%",
                                        "-o", (box / "out").string(), "--home", home, "-q"});
    ASSERT_EQ(from_partial.status, 0) << from_partial.describe();
    // The rest from the origin, into the same output: the tree completes, identical.
    const auto rest = run_xfer({"fetch", partial.address(), "photos/", "--from", origin.address(),
                                "-o", (box / "out").string(), "--home", home, "-q"});
    ASSERT_EQ(rest.status, 0) << rest.describe();
    for (int i = 0; i < 8; ++i) {
        const auto name = "photos/f" + std::to_string(i);
        EXPECT_EQ(file_difference(box / "a" / name, box / "out" / name), "") << name;
    }
    EXPECT_EQ(file_difference(box / "a/photos/sub/big", box / "out/photos/sub/big"), "");
}

// Two peers that each hold half of a tree's pieces (the first half of the files, the second
// half) complete each other over two one-way connections: each downloads exactly what it lacked.
TEST(TransferTreePartial, TwoHalfTreesCompleteEachOther) {
    sandbox box;
    for (int i = 0; i < 12; ++i)
        write_random_file(box / "seed/proj" / ("f" + std::to_string(i)), 250'000 + 999 * i, 20 + i);
    write_random_file(box / "seed/proj/sub/big", 5'000'000, 33);
    const auto a_dir = (box / "a").string(), b_dir = (box / "b").string();
    std::optional<uint64_t> a_had, b_had;
    {
        xfer_server seed(box / "seed");
        const auto first =
            run_xfer({"fetch", seed.address(), "proj/", "-o", a_dir, "--range", "0:50%"});
        ASSERT_EQ(first.status, 0) << first.describe();
        const auto second =
            run_xfer({"fetch", seed.address(), "proj/", "-o", b_dir, "--range", "50%:100%"});
        ASSERT_EQ(second.status, 0) << second.describe();
        a_had = downloaded_bytes(first.out);
        b_had = downloaded_bytes(second.out);
        ASSERT_TRUE(a_had && b_had) << first.describe() << second.describe();
        ASSERT_EQ(seed.stop(), 0);
    }
    ASSERT_FALSE(box.exists("a/proj"));
    ASSERT_FALSE(box.exists("b/proj"));

    auto [a, b] = start_mutual_fetches("proj/", a_dir, b_dir);
    const auto a_status = a->wait(command_timeout);
    const auto b_status = b->wait(command_timeout);
    ASSERT_EQ(a_status, 0) << a->describe();
    ASSERT_EQ(b_status, 0) << b->describe();
    EXPECT_EQ(tree_difference(box / "seed/proj", box / "a/proj"), "");
    EXPECT_EQ(tree_difference(box / "seed/proj", box / "b/proj"), "");
    // Each downloaded exactly the pieces it lacked (the piece at 50 % both had).
    uint64_t total = 0;
    for (const auto& item : std::filesystem::recursive_directory_iterator(box / "seed/proj"))
        total += item.is_regular_file() ? item.file_size() : 0;
    EXPECT_EQ(downloaded_bytes(a->stdout_text()), total - *a_had) << a->describe();
    EXPECT_EQ(downloaded_bytes(b->stdout_text()), total - *b_had) << b->describe();
}

}  // namespace
}  // namespace xfer::test
