// `xfer serve` on the output directory of a tree fetch in progress offers the tree's verified
// pieces: another fetch completes the tree from it and the first source, byte for byte.
#include <gtest/gtest.h>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

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

}  // namespace
}  // namespace xfer::test
