// xfer's own files live in its own directories (--home DIR, else the XDG dirs), never in a
// served directory, and a completed fetch leaves OUTDIR holding the fetched file alone.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

constexpr uint64_t mib = 1024 * 1024;

size_t files_in(const std::filesystem::path& directory) {
    size_t count = 0;
    std::error_code ec;
    for (const auto& item : std::filesystem::recursive_directory_iterator(directory, ec)) {
        if (item.is_regular_file()) ++count;
    }
    return count;
}

unsigned mode_of(const std::filesystem::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_mode & 0777;
}

TEST(XferHomeFiles, ServingAndFetchingLitterNeitherDirectory) {
    sandbox box;
    const auto source = write_random_file(box / "src/a.bin", 3 * mib + 17, 5);
    write_random_file(box / "src/sub/b.bin", 1000, 6);
    const auto served_before = snapshot_tree(box / "src", {});
    const auto server_home = box / "server-home";
    const auto fetch_home = box / "fetch-home";
    // Without --no-prehash the server hashes (and caches) every file at start.
    // Two homes, two identities that never paired: --public lets the fetch read.
    xfer_server server(box / "src", {"--home", server_home.string(), "--public"});

    for (const auto* path : {"a.bin", "sub/b.bin"}) {
        const auto fetched = run_xfer({"fetch", server.address(), path, "-o",
                                       (box / "out").string(), "--home", fetch_home.string()});
        ASSERT_EQ(fetched.status, 0) << fetched.describe();
    }
    EXPECT_EQ(file_difference(source, box / "out/a.bin"), "");
    const auto out = snapshot_tree(box / "out", {});
    ASSERT_EQ(out.size(), 2u) << "OUTDIR holds exactly the fetched files";
    EXPECT_TRUE(out.contains("a.bin"));
    EXPECT_TRUE(out.contains("b.bin"));
    EXPECT_EQ(snapshot_tree(box / "src", {}), served_before)
        << "nothing added to or changed in the served tree";

    // The manifests went to each side's own cache directory, private to the user.
    EXPECT_GE(files_in(server_home / "cache" / "manifests"), 2u);
    EXPECT_EQ(files_in(fetch_home / "cache" / "manifests"), 2u)
        << "a fetched file is known when served later";
    for (const auto& dir :
         {server_home, server_home / "cache", server_home / "cache" / "manifests"}) {
        EXPECT_EQ(mode_of(dir), 0700u) << dir;
    }
}

TEST(XferHomeFiles, TheCacheSurvivesARestartOfTheServer) {
    sandbox box;
    write_random_file(box / "src/a.bin", 2 * mib, 8);
    const auto home = box / "home";
    {
        xfer_server first(box / "src", {"--home", home.string(), "-v", "--no-prehash", "--public"});
        const auto fetched =
            run_xfer({"fetch", first.address(), "a.bin", "-o", (box / "out1").string(), "--home",
                      (box / "fetch-home").string()});
        ASSERT_EQ(fetched.status, 0) << fetched.describe();
        first.stop();
        EXPECT_NE(first.process().stderr_text().find("hashing"), std::string::npos)
            << "the first server hashes, and says so\n"
            << first.process().describe();
    }
    ASSERT_EQ(files_in(home / "cache" / "manifests"), 1u);
    // A second server with the same home answers from the cache: -v shows no "hashing" line.
    xfer_server second(box / "src", {"--home", home.string(), "-v", "--no-prehash", "--public"});
    const auto fetched =
        run_xfer({"fetch", second.address(), "a.bin", "-o", (box / "out2").string(), "--home",
                  (box / "fetch-home").string()});
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    second.stop();
    EXPECT_EQ(second.process().stderr_text().find("hashing"), std::string::npos)
        << second.process().describe();
    EXPECT_EQ(files_in(home / "cache" / "manifests"), 1u);
}

}  // namespace
}  // namespace xfer::test
