// End to end, real processes on loopback: each way a fetch can fail ends with a non-zero exit
// and one stderr line that says what failed and where, and leaves nothing behind outside the
// output directory (and nothing under a final name inside it).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/e2e_net.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

constexpr uint64_t mib = 1024 * 1024;

// A served directory beside a file outside it that no fetch may reach.
struct shared_setup {
    sandbox box;
    std::filesystem::path out = box / "out";
    std::filesystem::path shared = box / "src";
    std::filesystem::path source;

    shared_setup() {
        source = write_random_file(shared / "a.bin", 300'000, 3);
        box.write("secret.txt", "outside the shared directory\n");
    }
    // Everything but OUTDIR (the server's manifest cache lives in xfer's cache dir, not here).
    std::map<std::string, std::string> outside_out() const {
        return snapshot_tree(box.path(), {out});
    }
};

TEST(TransferErrors, ConnectionRefusedNamesTheAddress) {
    shared_setup setup;
    const auto closed = "127.0.0.1:" + std::to_string(pick_free_port());
    const auto before = setup.outside_out();

    const auto fetched = run_xfer({"fetch", closed, "a.bin", "-o", setup.out.string()});

    EXPECT_TRUE(failed_saying(fetched, {closed, "refused"}, exit_code::network));
    EXPECT_TRUE(single_error_line(fetched));
    EXPECT_FALSE(setup.box.exists("out/a.bin"));
    EXPECT_EQ(setup.outside_out(), before);
}

TEST(TransferErrors, PathNotSharedNamesThePathAndTheSource) {
    shared_setup setup;
    xfer_server server(setup.shared);
    const auto before = setup.outside_out();

    const auto fetched =
        run_xfer({"fetch", server.address(), "missing.bin", "-o", setup.out.string()});

    EXPECT_TRUE(failed_saying(fetched, {"missing.bin", server.address()}, exit_code::not_found));
    EXPECT_TRUE(single_error_line(fetched));
    EXPECT_FALSE(setup.box.exists("out/missing.bin"));
    EXPECT_FALSE(setup.box.exists("out/missing.bin.xfer-part"));
    EXPECT_EQ(setup.outside_out(), before);
}

class TransferEscapingPath : public ::testing::TestWithParam<const char*> {};

TEST_P(TransferEscapingPath, IsRefusedAndNothingIsWritten) {
    shared_setup setup;
    xfer_server server(setup.shared);
    const std::string path = GetParam();
    const auto name = std::filesystem::path(path).filename().string();
    const auto before = setup.outside_out();

    const auto fetched = run_xfer({"fetch", server.address(), path, "-o", setup.out.string()});

    EXPECT_TRUE(failed_saying(fetched, {path, server.address()}, exit_code::refused));
    EXPECT_TRUE(single_error_line(fetched));
    EXPECT_FALSE(setup.box.exists("out/" + name));
    EXPECT_FALSE(setup.box.exists("out/" + name + ".xfer-part"));
    EXPECT_EQ(setup.outside_out(), before);
    EXPECT_TRUE(server.process().running()) << server.process().describe();
}

INSTANTIATE_TEST_SUITE_P(Paths, TransferEscapingPath,
                         ::testing::Values("../secret.txt", "/etc/passwd", "sub/../../secret.txt",
                                           "./../secret.txt"),
                         [](const auto& info) { return "case" + std::to_string(info.index); });

TEST(TransferErrors, SymlinksLeadingOutOfTheSharedDirectoryAreRefused) {
    shared_setup setup;
    std::filesystem::create_symlink("../secret.txt", setup.shared / "relative-link.txt");
    std::filesystem::create_symlink(setup.box / "secret.txt", setup.shared / "absolute-link.txt");
    std::filesystem::create_directory_symlink(setup.box.path(), setup.shared / "outside-dir");
    xfer_server server(setup.shared);
    const auto before = setup.outside_out();

    for (const std::string path :
         {"relative-link.txt", "absolute-link.txt", "outside-dir/secret.txt"}) {
        SCOPED_TRACE(path);
        const auto fetched = run_xfer({"fetch", server.address(), path, "-o", setup.out.string()});
        EXPECT_TRUE(failed_saying(fetched, {path, server.address()}));
        EXPECT_TRUE(single_error_line(fetched));
        const auto name = std::filesystem::path(path).filename().string();
        EXPECT_FALSE(setup.box.exists("out/" + name));
        EXPECT_FALSE(setup.box.exists("out/" + name + ".xfer-part"));
    }
    EXPECT_EQ(setup.outside_out(), before);
    // The shared file itself is still fine to fetch.
    const auto fetched = run_xfer({"fetch", server.address(), "a.bin", "-o", setup.out.string()});
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(setup.source, setup.out / "a.bin"), "");
}

TEST(TransferErrors, OutputDirectoryUnderARegularFile) {
    shared_setup setup;
    xfer_server server(setup.shared);
    setup.box.write("plain-file", "not a directory\n");
    const auto out = (setup.box / "plain-file/out").string();
    const auto before = setup.outside_out();

    const auto fetched = run_xfer({"fetch", server.address(), "a.bin", "-o", out});

    EXPECT_TRUE(failed_saying(fetched, {out}, exit_code::local_io));
    EXPECT_TRUE(single_error_line(fetched));
    EXPECT_EQ(setup.outside_out(), before);
}

TEST(TransferErrors, OutputDirectoryNotWritable) {
    shared_setup setup;
    xfer_server server(setup.shared);
    std::filesystem::create_directories(setup.out);
    std::optional<scoped_tmpfs> read_only;
    if (running_as_root()) {
        // chmod does not stop root: a read-only filesystem does.
        read_only.emplace(setup.out, "size=1m", /*read_only=*/true);
        if (!read_only->mounted())
            GTEST_SKIP() << "running as root and cannot mount a read-only tmpfs: "
                         << read_only->error();
    } else {
        ASSERT_EQ(::chmod(setup.out.c_str(), 0555), 0);
    }
    const auto before = setup.outside_out();

    const auto fetched = run_xfer({"fetch", server.address(), "a.bin", "-o", setup.out.string()});

    EXPECT_TRUE(failed_saying(fetched, {setup.out.string()}, exit_code::local_io));
    EXPECT_TRUE(single_error_line(fetched));
    EXPECT_FALSE(setup.box.exists("out/a.bin"));
    EXPECT_EQ(setup.outside_out(), before);
}

TEST(TransferErrors, DiskFullIsReportedBeforeDownloadingAndLeavesNoFinalFile) {
    if (!running_as_root()) GTEST_SKIP() << "needs root to mount a 1 MiB tmpfs as a full disk";
    sandbox box;
    const auto source = write_random_file(box / "src/four.bin", 4 * mib, 4);
    xfer_server server(box / "src");
    tcp_relay counted(server.port());
    const auto out = box / "out";
    scoped_tmpfs small_disk(out, "size=1m");
    if (!small_disk.mounted()) GTEST_SKIP() << small_disk.error();
    const std::vector<std::filesystem::path> fetch_may_write{out};
    const auto before = snapshot_tree(box.path(), fetch_may_write);

    const auto fetched = run_xfer({"fetch", counted.address(), "four.bin", "-o", out.string()});

    EXPECT_TRUE(failed_saying(fetched, {(out / "four.bin").string(), "No space left"},
                              exit_code::local_io));
    EXPECT_TRUE(single_error_line(fetched));
    EXPECT_FALSE(box.exists("out/four.bin"));
    EXPECT_EQ(snapshot_tree(box.path(), fetch_may_write), before);
    EXPECT_TRUE(snapshot_tree(out, {}).empty())
        << "no part file and no empty .xfer/ left in OUTDIR";
    // The whole file's space is reserved before any piece is asked for: a full disk costs no
    // download (only the manifest and bitfield, a few hundred bytes, come first).
    EXPECT_LT(counted.bytes_to_clients(), 64u * 1024)
        << "pieces were downloaded before the full disk was noticed";
}

// A tree reserves no space up front (its files are created as pieces arrive), so a full disk
// shows on the writer thread mid-transfer: one line naming the staging directory and the cause,
// and the tree never appears under its final name.
TEST(TransferErrors, DiskFullDuringATreeIsOneLineAndTheTreeNeverAppears) {
    if (!running_as_root()) GTEST_SKIP() << "needs root to mount a 1 MiB tmpfs as a full disk";
    sandbox box;
    for (int i = 0; i < 64; ++i)
        write_random_file(box / ("src/tree/f" + std::to_string(i)), 64 * 1024, 100 + i);
    xfer_server server(box / "src");
    const auto out = box / "out";
    scoped_tmpfs small_disk(out, "size=1m");
    if (!small_disk.mounted()) GTEST_SKIP() << small_disk.error();

    const auto fetched = run_xfer({"fetch", server.address(), "tree/", "-o", out.string()});

    EXPECT_TRUE(failed_saying(fetched, {(out / ".tree.xfer-part").string(), "No space left"},
                              exit_code::local_io));
    EXPECT_TRUE(single_error_line(fetched));
    EXPECT_FALSE(box.exists("out/tree")) << "a tree that could not be written appeared";
}

}  // namespace
}  // namespace xfer::test
