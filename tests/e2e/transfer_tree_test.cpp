// End to end: `xfer fetch HOST DIR/` fetches a whole tree with its structure and metadata (modes,
// mtimes, empty directories, symlinks inside it, sparse files), leaves nothing else in OUTDIR,
// handles 20,000 small files, and resumes after kill -9 fetching only what was not verified.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"
#include "tests/support/tree_fixtures.hpp"

namespace xfer::test {
namespace {

namespace fs = std::filesystem;

TEST(TransferTree, KeepsStructureModesTimesSymlinksAndSparseness) {
    sandbox box;
    const auto tree = box / "src/proj";
    write_text(tree / "README", "hello\n");
    write_random_file(tree / "src/deep/er/still/data.bin", 3 * 1024 * 1024 + 17, 3);
    write_text(tree / "src/run.sh", "#!/bin/sh\n");
    ::chmod((tree / "src/run.sh").c_str(), 0750);
    write_text(tree / "private.txt", "secret");
    ::chmod((tree / "private.txt").c_str(), 0600);
    write_text(tree / "unicode/\xc3\xa9t\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac.txt", "utf-8 name");
    write_text(tree / std::string(255, 'L'), "long name");
    write_text(tree / "empty-file", "");
    fs::create_directories(tree / "empty/dir/inside");
    fs::create_symlink("README", tree / "link-in");
    fs::create_symlink("../../outside", tree / "link-out");
    ASSERT_EQ(::mkfifo((tree / "a-fifo").c_str(), 0644), 0);
    {  // 16 MiB apparent, two bytes of data
        const int fd = ::open((tree / "sparse.img").c_str(), O_CREAT | O_WRONLY, 0644);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(::pwrite(fd, "x", 1, 5'000'000), 1);
        ASSERT_EQ(::pwrite(fd, "y", 1, 16 * 1024 * 1024 - 1), 1);
        ::close(fd);
    }
    ::chmod((tree / "empty/dir").c_str(), 0700);
    set_mtime(tree / "README", 1'500'000'000, 123'456'789);
    set_mtime(tree / "link-in", 1'400'000'000, 0);
    set_mtime(tree / "empty/dir/inside", 1'300'000'000, 5);
    set_mtime(tree / "src/deep", 1'200'000'000, 0);

    xfer_server server(box / "src");
    const auto out = box / "out";
    const auto fetched = run_xfer({"fetch", server.address(), "proj/", "-o", out.string()});
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_NE(fetched.out.find("fetched"), std::string::npos) << fetched.describe();

    EXPECT_EQ(tree_difference(tree, out / "proj", {"a-fifo", "link-out"}), "");
    EXPECT_EQ(names_in(out), std::vector<std::string>{"proj"}) << "litter in OUTDIR";
    EXPECT_EQ(names_in(box / "src"), std::vector<std::string>{"proj"}) << "litter in the share";
    struct stat sparse {};
    ASSERT_EQ(::stat((out / "proj/sparse.img").c_str(), &sparse), 0);
    EXPECT_EQ(sparse.st_size, 16 * 1024 * 1024);
    EXPECT_LE(sparse.st_blocks * 512, 64 * 1024) << "the sparse file was filled in";
    EXPECT_TRUE(fs::is_symlink(out / "proj/link-in"));

    server.stop();
    const auto notes = server.process().stderr_text();
    EXPECT_NE(notes.find("a-fifo"), std::string::npos) << notes;
    EXPECT_NE(notes.find("link-out"), std::string::npos) << notes;

    // The same tree again: kept as it is, nothing downloaded.
    xfer_server again(box / "src");
    const auto second = run_xfer({"fetch", again.address(), "proj/", "-o", out.string()});
    ASSERT_EQ(second.status, 0) << second.describe();
    EXPECT_EQ(downloaded_bytes(second.out).value_or(1), 0u) << second.describe();
}

TEST(TransferTree, TwentyThousandSmallFiles) {
    sandbox box;
    const auto tree = box / "src/many";
    for (int dir = 0; dir < 100; ++dir) {
        for (int file = 0; file < 200; ++file) {
            const auto name = "d" + std::to_string(dir) + "/f" + std::to_string(file);
            write_text(tree / name, name + std::string(static_cast<size_t>(file * 7), 'z'));
        }
    }
    // Without prehash: it would index each of the 20,000 files as a file of its own meanwhile.
    xfer_server server(box / "src", {"--no-prehash"});
    const auto out = box / "out";
    const auto fetched = run_xfer({"fetch", server.address(), "many/", "-o", out.string()});
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(tree_difference(tree, out / "many", {}), "");
    EXPECT_EQ(names_in(out), std::vector<std::string>{"many"});
}

TEST(TransferTree, KillNineThenTheSameCommandResumes) {
    sandbox box;
    const auto tree = box / "src/big";
    const uint64_t file_size = 1024 * 1024 + 333;
    uint64_t total = 0;
    for (int file = 0; file < 240; ++file) {
        write_random_file(
            tree / ("part" + std::to_string(file / 40)) / ("f" + std::to_string(file)), file_size,
            static_cast<uint64_t>(file) + 1);
        total += file_size;
    }
    xfer_server server(box / "src");
    const auto out = box / "out";
    const std::vector<std::string> args{"fetch", server.address(), "big/", "-o", out.string()};
    {
        child_process fetch(xfer_command(args));
        ASSERT_TRUE(eventually([&] { return recorded_pieces(out) >= 1 || !fetch.running(); }));
        ASSERT_TRUE(fetch.running()) << "finished before it could be killed\n" << fetch.describe();
        fetch.send_signal(SIGKILL);
        fetch.wait(30s);
    }
    const uint32_t kept = recorded_pieces(out);
    EXPECT_GT(kept, 0u);
    EXPECT_FALSE(fs::exists(out / "big")) << "a killed fetch showed its tree as complete";

    const auto resumed = run_xfer(args);
    ASSERT_EQ(resumed.status, 0) << resumed.describe();
    EXPECT_EQ(tree_difference(tree, out / "big", {}), "");
    EXPECT_EQ(names_in(out), std::vector<std::string>{"big"}) << "resume state left behind";
    const auto downloaded = downloaded_bytes(resumed.out);
    ASSERT_TRUE(downloaded) << resumed.describe();
    EXPECT_LT(*downloaded, total) << "the resumed fetch fetched everything again";
}

}  // namespace
}  // namespace xfer::test
