// Ctrl-C at the moments transfer_interrupt_test.cpp does not reach: a fetch waiting on a sender
// that answers TCP but not TLS, or TLS but nothing after; a fetch that runs its own sender too
// (--listen); a tree mid-transfer; and `xfer serve` interrupted while it is serving. Every one
// must stop by itself (no forced exit, no crash: the suite runs again under ASan), a fetch with
// 130 and its resume state kept, so that the same command completes byte-identical.
#include <gtest/gtest.h>

#include <csignal>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/e2e_net.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

constexpr uint64_t mib = 1024 * 1024;

// Stopped by the signal itself: the status is 130, the fetch said so, no forced exit.
void expect_clean_interrupt(child_process& fetch) {
    const auto status = fetch.wait(30s);
    EXPECT_EQ(status, exit_code::interrupted) << fetch.describe();
    EXPECT_NE(fetch.stderr_text().find("interrupted; run the same command again to resume"),
              std::string::npos)
        << fetch.describe();
    EXPECT_EQ(fetch.stderr_text().find("stopped at once"), std::string::npos)
        << "the fetch needed the forced exit to stop\n"
        << fetch.describe();
}

bool said(child_process& process, std::string_view text) {
    return process.stderr_text().find(text) != std::string::npos;
}

TEST(InterruptPoints, WhileASenderAnswersTcpButNeverTls) {
    sandbox box;
    scripted_peer silent({}, /*hold_open=*/true, transport::plaintext);
    child_process fetch(
        xfer_command({"fetch", "-v", silent.address(), "a.bin", "-o", (box / "out").string()}));
    ASSERT_TRUE(eventually([&] { return silent.connections() > 0 || !fetch.running(); }));
    ASSERT_TRUE(fetch.running()) << fetch.describe();
    fetch.send_signal(SIGINT);
    expect_clean_interrupt(fetch);
}

TEST(InterruptPoints, WhileASenderCompletedTlsButSendsNothing) {
    sandbox box;
    scripted_peer silent({}, /*hold_open=*/true);
    child_process fetch(
        xfer_command({"fetch", "-v", silent.address(), "a.bin", "-o", (box / "out").string()}));
    // The receiver logs the sender's peer ID once the TLS handshake is done.
    ASSERT_TRUE(eventually([&] { return said(fetch, " over TLS") || !fetch.running(); }))
        << fetch.describe();
    ASSERT_TRUE(fetch.running()) << fetch.describe();
    fetch.send_signal(SIGINT);
    expect_clean_interrupt(fetch);
}

TEST(InterruptPoints, AFetchWithItsOwnSenderMidTransferResumes) {
    sandbox box;
    const uint64_t size = 24 * mib + 17;
    const auto source = write_random_file(box / "src/a.bin", size, 61);
    xfer_server server(box / "src");
    tcp_relay slow(server.port(), 4 * mib);  // several seconds: a wide window mid-transfer
    const auto out = box / "out";
    {
        child_process fetch(xfer_command({"fetch", slow.address(), "a.bin", "-o", out.string(),
                                          "-q", "--listen", "127.0.0.1:0"}));
        ASSERT_TRUE(eventually([&] { return recorded_pieces(out) >= 2 || !fetch.running(); }));
        ASSERT_TRUE(fetch.running()) << "finished before the signal\n" << fetch.describe();
        fetch.send_signal(SIGINT);
        expect_clean_interrupt(fetch);
    }
    EXPECT_FALSE(box.exists("out/a.bin")) << "an interrupted fetch left its final name";
    EXPECT_GE(recorded_pieces(out), 2u);
    const auto resumed = run_xfer({"fetch", server.address(), "a.bin", "-o", out.string()});
    ASSERT_EQ(resumed.status, 0) << resumed.describe();
    EXPECT_EQ(file_difference(source, out / "a.bin"), "");
}

TEST(InterruptPoints, ATreeMidTransferResumes) {
    sandbox box;
    std::vector<std::filesystem::path> files;
    for (int i = 0; i < 12; ++i) {
        files.push_back(write_random_file(
            box / ("src/tree/d" + std::to_string(i % 3)) / ("f" + std::to_string(i)),
            2 * mib + 5u * i, 70 + i));
    }
    xfer_server server(box / "src");
    tcp_relay slow(server.port(), 4 * mib);
    const auto out = box / "out";
    {
        child_process fetch(
            xfer_command({"fetch", slow.address(), "tree/", "-o", out.string(), "-q"}));
        ASSERT_TRUE(eventually([&] { return recorded_pieces(out) >= 2 || !fetch.running(); }));
        ASSERT_TRUE(fetch.running()) << "finished before the signal\n" << fetch.describe();
        fetch.send_signal(SIGINT);
        expect_clean_interrupt(fetch);
    }
    EXPECT_FALSE(box.exists("out/tree")) << "an interrupted fetch showed its tree as complete";
    const auto resumed = run_xfer({"fetch", server.address(), "tree/", "-o", out.string()});
    ASSERT_EQ(resumed.status, 0) << resumed.describe();
    for (const auto& file : files) {
        const auto relative = std::filesystem::relative(file, box / "src");
        EXPECT_EQ(file_difference(file, out / relative), "") << relative;
    }
}

TEST(InterruptPoints, ServeInterruptedWhileServingStopsAndTheFetchResumes) {
    sandbox box;
    const uint64_t size = 24 * mib + 3;
    const auto source = write_random_file(box / "src/a.bin", size, 62);
    const auto out = box / "out";
    {
        xfer_server server(box / "src");
        tcp_relay slow(server.port(), 4 * mib);
        child_process fetch(
            xfer_command({"fetch", slow.address(), "a.bin", "-o", out.string(), "-q"}));
        ASSERT_TRUE(eventually([&] { return recorded_pieces(out) >= 2 || !fetch.running(); }));
        ASSERT_TRUE(fetch.running()) << "finished before the signal\n" << fetch.describe();
        server.process().send_signal(SIGINT);
        EXPECT_EQ(server.process().wait(30s), 0) << server.process().describe();
        EXPECT_FALSE(said(server.process(), "stopped at once")) << server.process().describe();
        // The fetch loses its only source: it ends by itself, with an error, not a crash.
        const auto status = fetch.wait(120s);
        ASSERT_TRUE(status) << fetch.describe();
        EXPECT_NE(*status, 0) << fetch.describe();
        EXPECT_LT(*status, 128) << "the fetch crashed\n" << fetch.describe();
    }
    EXPECT_FALSE(box.exists("out/a.bin"));
    xfer_server again(box / "src");
    const auto resumed = run_xfer({"fetch", again.address(), "a.bin", "-o", out.string()});
    ASSERT_EQ(resumed.status, 0) << resumed.describe();
    EXPECT_EQ(file_difference(source, out / "a.bin"), "");
    const auto downloaded = downloaded_bytes(resumed.out);
    ASSERT_TRUE(downloaded) << resumed.describe();
    EXPECT_LT(*downloaded, size) << "the resumed fetch started over\n" << resumed.describe();
}

}  // namespace
}  // namespace xfer::test
