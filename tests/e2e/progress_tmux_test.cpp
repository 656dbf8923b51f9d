// The progress display on a real terminal: `xfer fetch` runs in a detached tmux pane 40, 80 or
// 200 columns wide, resuming a half-fetched file through a paced relay; the pane is captured
// mid-transfer, after the window is resized (SIGWINCH) and after the end. No line may wrap, and
// no line of an earlier frame may be left behind: the screen holds the resume notice, one total
// line and one line for the source, and at the end the notice and the summary.
#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/e2e_net.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

constexpr uint64_t mib = 1024 * 1024;

// A tmux server of our own (its own socket, no user config), killed when the test ends.
class tmux_session {
  public:
    tmux_session(const std::string& command, int columns)
        : socket_("xfer-test-" + std::to_string(::getpid()) + "-" + std::to_string(columns)) {
        started_ = run_program({"tmux", "-L", socket_, "-f", "/dev/null", "new-session", "-d", "-x",
                                std::to_string(columns), "-y", "24", "-s", "t", command});
    }
    ~tmux_session() { run_program({"tmux", "-L", socket_, "kill-server"}); }
    const command_result& started() const { return started_; }

    // The visible pane, wrapped lines joined (-J): a line longer than the pane is one that wrapped.
    std::vector<std::string> lines() const {
        const auto captured =
            run_program({"tmux", "-L", socket_, "capture-pane", "-p", "-J", "-t", "t"});
        std::vector<std::string> lines;
        std::istringstream in(captured.out);
        for (std::string line; std::getline(in, line);) {
            while (!line.empty() && line.back() == ' ') line.pop_back();
            if (!line.empty()) lines.push_back(line);
        }
        return lines;
    }
    void resize(int columns) const {
        run_program({"tmux", "-L", socket_, "resize-window", "-t", "t", "-x",
                     std::to_string(columns), "-y", "24"});
    }

  private:
    std::string socket_;
    command_result started_;
};

bool tmux_available() {
    return run_program({"sh", "-c", "command -v tmux"}).status == 0;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines) text += "|" + line + "\n";
    return text;
}

bool fits(const std::vector<std::string>& lines, int columns) {
    for (const auto& line : lines) {
        if (line.size() >= static_cast<size_t>(columns)) return false;
    }
    return true;
}

// At 40 columns without "already".
const std::string resume_notice = "resuming: 24.0 MiB of 48.0 MiB already verified";
const std::string narrow_resume_notice = "resuming: 24.0 MiB of 48.0 MiB verified";

// Mid-transfer: the total line and the source line, after the resume notice. When the window
// narrows, tmux re-wraps the earlier lines and pushes the top ones into its history (the
// notice among them), so from then on the notice may be gone from view; nothing else may be.
bool shows_one_clean_frame(std::vector<std::string> lines, int columns, bool notice_required) {
    if (!fits(lines, columns)) return false;
    if (!lines.empty() && lines.front().starts_with("resuming: ")) {
        if (!resume_notice.starts_with(lines.front()) && lines.front() != narrow_resume_notice)
            return false;
        lines.erase(lines.begin());
    } else if (notice_required) {
        return false;
    }
    return lines.size() == 2 && lines[0].starts_with("big.bin") &&
           lines[0].find('%') != std::string::npos && lines[1].starts_with("  down ") &&
           lines[1].find("127.0.0") != std::string::npos;
}

class ProgressOnATerminal : public ::testing::TestWithParam<int> {};

TEST_P(ProgressOnATerminal, FitsTheWidthAndLeavesNoStaleLines) {
    if (!tmux_available()) {
        std::printf("skipped: tmux is not installed (tools/install-deps installs it)\n");
        GTEST_SKIP() << "tmux is not installed";
    }
    const int columns = GetParam();
    const int resized = columns == 80 ? 40 : 80;
    sandbox box;
    const auto source = write_random_file(box / "src/big.bin", 48 * mib, 3);
    xfer_server server(box / "src");
    const auto out = box / "out";
    const auto half =
        run_xfer({"fetch", server.address(), "big.bin", "-o", out.string(), "--range", "0:50%"});
    ASSERT_EQ(half.status, 0) << half.describe();
    // Paced so the fetch is still running while the pane is looked at and resized.
    tcp_relay slow(server.port(), 256 * 1024);
    const auto done_marker = box / "exit-status";
    const std::string command = std::string(XFER_BINARY) + " fetch " + slow.address() +
                                " big.bin -o " + out.string() + "; echo $? > " +
                                done_marker.string() + "; exec sleep 600";
    tmux_session pane(command, columns);
    ASSERT_EQ(pane.started().status, 0) << pane.started().describe();

    std::vector<std::string> seen;
    ASSERT_TRUE(eventually([&] {
        return shows_one_clean_frame(seen = pane.lines(), columns, true);
    })) << "at "
        << columns << " columns:\n"
        << joined(seen);
    EXPECT_EQ(seen.front(), columns > 48 ? resume_notice : narrow_resume_notice);
    // A frame drawn for `now` after one drawn for `before`: narrower, every line fits the new
    // width; wider, the total line uses the room (the old frame fits the old width).
    const auto redrawn_for = [&](int now, int before) {
        seen = pane.lines();
        const bool new_width = now < before ? fits(seen, now) : !fits(seen, before);
        return new_width && shows_one_clean_frame(seen, now, false);
    };
    pane.resize(resized);
    EXPECT_TRUE(eventually([&] { return redrawn_for(resized, columns); }))
        << "after resizing to " << resized << " columns:\n"
        << joined(seen);
    pane.resize(columns);
    EXPECT_TRUE(eventually([&] { return redrawn_for(columns, resized); }))
        << "after resizing back to " << columns << " columns:\n"
        << joined(seen);

    slow.set_rate(0);
    ASSERT_TRUE(eventually([&] { return std::filesystem::exists(done_marker); }, command_timeout));
    // The block is gone; the summary stands alone (below the notice, if still in view).
    EXPECT_TRUE(eventually([&] {
        seen = pane.lines();
        if (!seen.empty() && seen.front().starts_with("resuming: ")) seen.erase(seen.begin());
        return seen.size() == 1 && seen[0].starts_with("fetched ") && fits(seen, columns);
    })) << "at the end:\n"
        << joined(seen);
    EXPECT_EQ(file_difference(source, out / "big.bin"), "");
}

// A tree at 80 columns: the total says files and bytes done of all, rate and ETA; the next line
// names the file being written; then the source. At the end one summary with the file count.
TEST(ProgressOnATerminalForATree, FilesBytesTheCurrentFileRateAndEta) {
    if (!tmux_available()) {
        std::printf("skipped: tmux is not installed (tools/install-deps installs it)\n");
        GTEST_SKIP() << "tmux is not installed";
    }
    sandbox box;
    for (int i = 0; i < 40; ++i) {
        write_random_file(box / "src/album/disc" / ("track-" + std::to_string(i) + ".flac"),
                          256 * 1024, 50 + static_cast<uint64_t>(i));
    }
    xfer_server server(box / "src");
    tcp_relay slow(server.port(), 256 * 1024);
    const auto out = box / "out";
    const auto done_marker = box / "exit-status";
    const std::string command = std::string(XFER_BINARY) + " fetch " + slow.address() +
                                " album/ -o " + out.string() + "; echo $? > " +
                                done_marker.string() + "; exec sleep 600";
    tmux_session pane(command, 80);
    ASSERT_EQ(pane.started().status, 0) << pane.started().describe();
    std::vector<std::string> seen;
    ASSERT_TRUE(eventually([&] {
        seen = pane.lines();
        return seen.size() == 3 && fits(seen, 80) && seen[0].starts_with("album ") &&
               seen[0].find("%") != std::string::npos &&
               seen[0].find("/40 files") != std::string::npos &&
               seen[0].find("/ 10.0 MiB") != std::string::npos &&
               seen[0].find("ETA") != std::string::npos &&
               seen[1].starts_with("  file disc/track-") && seen[1].ends_with(".flac") &&
               seen[2].starts_with("  down ");
    })) << joined(seen);
    slow.set_rate(0);
    ASSERT_TRUE(eventually([&] { return std::filesystem::exists(done_marker); }, command_timeout));
    EXPECT_TRUE(eventually([&] {
        seen = pane.lines();
        return seen.size() == 1 && seen[0].starts_with("fetched ") &&
               seen[0].find("40 files, 10.0 MiB") != std::string::npos && fits(seen, 80);
    })) << "at the end:\n"
        << joined(seen);
}

INSTANTIATE_TEST_SUITE_P(Widths, ProgressOnATerminal, ::testing::Values(40, 80, 200),
                         [](const auto& info) { return std::to_string(info.param) + "_columns"; });

}  // namespace
}  // namespace xfer::test
