// The progress display's layout, without a terminal: at 40, 80 and 200 columns no line reaches
// the last column (so none wraps), the peer lines fit in the rows there are, and the numbers say
// what they count.
#include <gtest/gtest.h>

#include "tools/xfer/format.hpp"
#include "tools/xfer/progress_display_layout.hpp"

namespace xfer::cli {
namespace {

constexpr uint64_t mib = 1024 * 1024;

progress_state busy_fetch(size_t peers) {
    progress_state state;
    state.name = "debian-12.5.0-amd64-netinst-with-a-rather-long-name.iso";
    state.manifest_known = true;
    state.wanted_bytes = 2048 * mib;
    state.verified_bytes = 1434 * mib;
    state.rate = 12.3 * mib;
    for (size_t i = 0; i < peers; ++i) {
        state.peers.push_back(
            {i % 2 ? progress_peer::direction::up : progress_peer::direction::down,
             "peer-" + std::to_string(i) + " (192.168.100." + std::to_string(i) + ":7420)",
             3.5 * mib, 300 * mib + i});
    }
    return state;
}

class ProgressLayoutWidth : public ::testing::TestWithParam<int> {};

TEST_P(ProgressLayoutWidth, NoLineReachesTheLastColumn) {
    const int width = GetParam();
    for (const size_t peers : {0u, 1u, 3u, 40u}) {
        for (const auto& line : layout_progress(busy_fetch(peers), width, 24)) {
            EXPECT_LT(display_columns(line), static_cast<size_t>(width)) << "'" << line << "'";
        }
    }
    progress_state connecting;
    connecting.name = std::string(300, 'n');
    for (const auto& line : layout_progress(connecting, width, 24)) {
        EXPECT_LT(display_columns(line), static_cast<size_t>(width)) << line;
    }
    EXPECT_LT(display_columns(layout_resume_notice(1434 * mib, 2048 * mib, width)),
              static_cast<size_t>(width));
}

TEST_P(ProgressLayoutWidth, TotalLineKeepsThePercentAndVerifiedAmount) {
    const auto lines = layout_progress(busy_fetch(2), GetParam(), 24);
    ASSERT_FALSE(lines.empty());
    EXPECT_NE(lines[0].find("70%"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("1.40 GiB"), std::string::npos) << lines[0];
}

TEST_P(ProgressLayoutWidth, SummaryFitsOnOneLine) {
    fetch_summary summary;
    summary.target =
        "/home/someone/downloads/isos/debian-12.5.0-amd64-netinst-with-a-rather-long-name.iso";
    summary.wanted_bytes = 2048 * mib;
    summary.downloaded_bytes = 614 * mib;
    summary.resumed_bytes = 1434 * mib;
    summary.uploading = true;
    summary.uploaded_bytes = 12345;
    summary.seconds = 61;
    const auto line = layout_summary(summary, GetParam());
    EXPECT_LT(display_columns(line), static_cast<size_t>(GetParam())) << line;
    EXPECT_TRUE(line.starts_with("fetched ")) << line;
    EXPECT_EQ(line.find('\n'), std::string::npos);
    // The file name and how much, at every width.
    EXPECT_NE(line.find("name.iso  "), std::string::npos) << line;
    EXPECT_NE(line.find("2.00 GiB in 1m01s"), std::string::npos) << line;
}

TEST_P(ProgressLayoutWidth, ATreeShowsFilesAndTheCurrentFileWithinTheWidth) {
    auto state = busy_fetch(3);
    state.name = "photos";
    state.file_count = 20000;
    state.files_complete = 1234;
    state.current_file = "2024/holidays/a-long-directory-name/" + std::string(200, 'x') + ".jpg";
    const auto lines = layout_progress(state, GetParam(), 24);
    ASSERT_EQ(lines.size(), 5u);
    for (const auto& line : lines)
        EXPECT_LT(display_columns(line), static_cast<size_t>(GetParam())) << "'" << line << "'";
    EXPECT_TRUE(lines[1].starts_with("  file ~")) << lines[1];
    EXPECT_TRUE(lines[1].ends_with("xxx.jpg")) << "the end of the name is what tells" << lines[1];
    if (GetParam() >= 80) {
        EXPECT_NE(lines[0].find("1234/20000 files"), std::string::npos) << lines[0];
        EXPECT_NE(lines[0].find("ETA"), std::string::npos) << lines[0];
    }
    // Complete: no file line; one row: the total alone.
    state.files_complete = state.file_count;
    EXPECT_EQ(layout_progress(state, GetParam(), 24).size(), 4u);
    state.files_complete = 0;
    EXPECT_EQ(layout_progress(state, GetParam(), 1).size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Terminals, ProgressLayoutWidth, ::testing::Values(40, 80, 200));

TEST(ProgressLayout, At80ColumnsTheWholeTotalLineIsThere) {
    auto state = busy_fetch(0);
    state.name = "debian.iso";
    const auto lines = layout_progress(state, 80, 24);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("debian.iso ["), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("1.40 GiB / 2.00 GiB"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("12.3 MiB/s"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("ETA"), std::string::npos) << lines[0];
}

TEST(ProgressLayout, PeerLinesSayWhatTheyCountAndLineUp) {
    const auto lines = layout_progress(busy_fetch(2), 120, 24);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_TRUE(lines[1].starts_with("  down peer-0")) << lines[1];
    EXPECT_TRUE(lines[1].ends_with("300 MiB received")) << lines[1];
    EXPECT_TRUE(lines[2].starts_with("  up   peer-1")) << lines[2];
    EXPECT_TRUE(lines[2].ends_with("300 MiB sent")) << lines[2];
    EXPECT_EQ(lines[1].find("MiB/s"), lines[2].find("MiB/s"));
}

TEST(ProgressLayout, PeerLabelsAndNamesNeverReachTheTerminalRaw) {
    auto state = busy_fetch(2);
    state.name = "a\x1b]0;owned\x07.iso";
    state.peers[0].label = "->\x1b[2J10.0.0.1:7420";
    state.peers[1].label =
        "<-\xc2\x9b"
        "31m10.0.0.2:7420";  // U+009B, the one-byte CSI
    fetch_summary summary;
    summary.target = "out/\x1b[1;1Hx.bin";
    auto lines = layout_progress(state, 200, 24);
    lines.push_back(layout_summary(summary, 0));
    lines.push_back(layout_summary(summary, 60));
    for (const auto& line : lines) {
        EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
        EXPECT_EQ(line.find("\xc2\x9b"), std::string::npos) << line;
        EXPECT_EQ(line.find('\x07'), std::string::npos) << line;
    }
    EXPECT_NE(lines[0].find("\\x1b"), std::string::npos) << lines[0];
    EXPECT_NE(lines[2].find("\\u009b"), std::string::npos) << lines[2];
}

TEST(ProgressLayout, PeersBeyondTheRowsAreCountedNotDrawn) {
    const auto lines = layout_progress(busy_fetch(40), 80, 10);
    ASSERT_EQ(lines.size(), 10u);
    EXPECT_EQ(lines.back(), "  +32 more peers");
    EXPECT_EQ(layout_progress(busy_fetch(9), 80, 10).size(), 10u);  // exactly fits: no "more" line
    EXPECT_EQ(layout_progress(busy_fetch(9), 80, 10).back().find("more"), std::string::npos);
    EXPECT_EQ(layout_progress(busy_fetch(5), 80, 1).size(), 1u);
}

TEST(ProgressLayout, ResumeNoticeSaysHowMuchOfWhat) {
    EXPECT_EQ(layout_resume_notice(1434 * mib, 2048 * mib, 80),
              "resuming: 1.40 GiB of 2.00 GiB already verified");
}

TEST(ProgressLayout, SummaryForScriptsKeepsEveryCount) {
    fetch_summary summary;
    summary.target = std::string(300, 'p');
    summary.wanted_bytes = 10;
    summary.downloaded_bytes = 10;
    summary.seconds = 1;
    const auto line = layout_summary(summary, 0);
    EXPECT_NE(line.find(summary.target), std::string::npos);
    EXPECT_NE(line.find("(10 bytes downloaded)"), std::string::npos) << line;
}

TEST(ProgressLayout, OneFileAndOneByteAreSingular) {
    fetch_summary summary;
    summary.target = "tree";
    summary.file_count = 1;
    summary.wanted_bytes = 1;
    summary.downloaded_bytes = 1;
    summary.seconds = 1;
    const auto line = layout_summary(summary, 0);
    EXPECT_NE(line.find("tree  1 file, 1 B in"), std::string::npos) << line;
    EXPECT_NE(line.find("(1 byte downloaded)"), std::string::npos) << line;
}

TEST(CountOf, SaysOneThingAndManyThings) {
    EXPECT_EQ(count_of(0, "file"), "0 files");
    EXPECT_EQ(count_of(1, "byte"), "1 byte");
    EXPECT_EQ(count_of(55'428'812, "byte"), "55428812 bytes");
    EXPECT_EQ(count_of(1, "directory", "directories"), "1 directory");
    EXPECT_EQ(count_of(3, "directory", "directories"), "3 directories");
}

TEST(FitColumns, CutsWholeCodePointsAndMarksTheCut) {
    EXPECT_EQ(fit_columns("abcdef", 6), "abcdef");
    EXPECT_EQ(fit_columns("abcdef", 4), "abc~");
    EXPECT_EQ(fit_columns("\xc3\xa9\xc3\xa9\xc3\xa9", 2), "\xc3\xa9~");
    EXPECT_EQ(display_columns("\xc3\xa9t\xc3\xa9"), 3u);
}

}  // namespace
}  // namespace xfer::cli
