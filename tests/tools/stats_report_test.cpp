// fetch --stats without a fetch: the bound-by decision from scripted figures (each step made the
// busiest in turn), and the report's lines (aligned, within 80 columns however many sources and
// threads, the figures they name) and its JSON object.
#include <gtest/gtest.h>

#include "tools/xfer/format.hpp"
#include "tools/xfer/stats_report.hpp"

namespace xfer::cli {
namespace {

constexpr uint64_t mib = 1024 * 1024;

// One second, one source, one hash thread, one writer: nothing busier than 30 %.
receiver::fetch_stats calm() {
    receiver::fetch_stats stats;
    stats.seconds = 1.0;
    stats.loop_idle_seconds = 0.7;  // the loop busy 0.3 s
    stats.network_wait_seconds = 0.2;
    stats.sources = {{"192.168.1.5:7420", 0.2, 1024 * mib}};
    stats.hash_threads = 1;
    stats.hash_busy_seconds = 0.3;
    stats.hashed_bytes = 1024 * mib;
    stats.writer_threads = 1;
    stats.write_busy_seconds = 0.25;
    stats.written_bytes = 1024 * mib;
    stats.sync_seconds = 0.02;
    stats.threads = {{"tls/recv", 0.2, 0.1}, {"hash 1", 0.29, 0.01}, {"writer", 0.0, 0.2}};
    return stats;
}

TEST(StatsBoundBy, HashingBusiestIsSha256OnItsCores) {
    auto stats = calm();
    stats.hash_busy_seconds = 0.92;
    const auto bound = bound_by(stats);
    EXPECT_EQ(bound.what, "hash");
    EXPECT_NEAR(bound.busy, 0.92, 1e-9);
    EXPECT_EQ(bound.text, "SHA-256 on 1 core, 92 % busy");
}

TEST(StatsBoundBy, SeveralHashThreadsCountAsThatManyCores) {
    auto stats = calm();
    stats.hash_threads = 3;
    stats.hash_busy_seconds = 2.7;  // 90 % of three cores
    EXPECT_EQ(bound_by(stats).text, "SHA-256 on 3 cores, 90 % busy");
    stats.hash_busy_seconds = 0.9;  // one core's worth of three: 30 %, not the bound
    EXPECT_NE(bound_by(stats).what, "hash");
}

TEST(StatsBoundBy, WritesAndTheFinalFsyncTogetherAreTheDisk) {
    auto stats = calm();
    stats.write_busy_seconds = 0.6;
    stats.sync_seconds = 0.2;
    const auto bound = bound_by(stats);
    EXPECT_EQ(bound.what, "disk");
    EXPECT_EQ(bound.text, "disk writes and final fsync, 80 % busy");
}

TEST(StatsBoundBy, ABusyLoopIsReceiving) {
    auto stats = calm();
    stats.loop_idle_seconds = 0.1;
    stats.network_wait_seconds = 0.05;
    stats.sync_seconds = 0.05;  // the loop waits for it: not receiving
    const auto bound = bound_by(stats);
    EXPECT_EQ(bound.what, "receive");
    EXPECT_EQ(bound.text, "receiving (recv, TLS, fetch loop) on 1 core, 85 % busy");
}

TEST(StatsBoundBy, WaitingForOneSourceNamesIt) {
    auto stats = calm();
    stats.loop_idle_seconds = 0.9;
    stats.network_wait_seconds = 0.85;
    const auto bound = bound_by(stats);
    EXPECT_EQ(bound.what, "network");
    EXPECT_EQ(bound.text, "192.168.1.5:7420 (network or sender), waited for 85 % of the time");
    stats.sources.push_back({"192.168.1.6:7420", 0.5, 0});
    EXPECT_EQ(bound_by(stats).text,
              "the sources (network or senders), waited for 85 % of the time");
}

TEST(StatsBoundBy, WaitingUnderLimitDownIsTheLimit) {
    auto stats = calm();
    stats.loop_idle_seconds = 0.95;
    stats.network_wait_seconds = 0.95;
    stats.limit_down = 10 * mib;
    const auto bound = bound_by(stats);
    EXPECT_EQ(bound.what, "limit");
    EXPECT_EQ(bound.text,
              "--limit-down " + format_rate(10.0 * mib) + ", waited for data 95 % of the time");
}

TEST(StatsBoundBy, NothingBusyForHalfTheTimeIsNoSingleStep) {
    const auto bound = bound_by(calm());
    EXPECT_EQ(bound.what, "none");
    EXPECT_NEAR(bound.busy, 0.3, 1e-9);
    EXPECT_EQ(bound.text, "no single step (the busiest: SHA-256 on 1 core, 30 % busy)");
}

TEST(StatsBoundBy, NothingFetchedSaysSo) {
    auto stats = calm();
    stats.hashed_bytes = 0;
    stats.written_bytes = 0;
    EXPECT_EQ(bound_by(stats).what, "nothing");
    stats = receiver::fetch_stats{};  // no time at all: no division by zero
    EXPECT_EQ(bound_by(stats).text, "nothing was fetched");
}

TEST(StatsBoundBy, ABusyShareAboveOneIsShownAsAHundred) {
    auto stats = calm();
    stats.hash_busy_seconds = 1.2;  // clock reads around a piece overlap the wall's ends
    EXPECT_EQ(bound_by(stats).text, "SHA-256 on 1 core, 100 % busy");
}

TEST(StatsLines, NameEachFigureAndEndWithTheBound) {
    auto stats = calm();
    stats.hash_busy_seconds = 0.92;
    const auto lines = stats_lines(stats);
    ASSERT_GE(lines.size(), 6u);
    EXPECT_EQ(lines.back(), "bound by: SHA-256 on 1 core, 92 % busy");
    const auto has = [&](const std::string& start, const std::string& part) {
        for (const auto& line : lines)
            if (line.starts_with(start) && line.find(part) != std::string::npos) return true;
        return false;
    };
    EXPECT_TRUE(has("stats     ", "1.00 s in all"));
    EXPECT_TRUE(has("network   ", "0.20 s (20 %)"));
    EXPECT_TRUE(has("  from    ", "192.168.1.5:7420  0.20 s (20 %), 1.00 GiB"));
    EXPECT_TRUE(has("hashing   ", "0.92 s busy (92 % of 1 core), 1.00 GiB"));
    EXPECT_TRUE(has("disk      ", "writes 0.25 s busy (25 %), 1.00 GiB; fsync 0.02 s"));
    EXPECT_TRUE(has("cpu       ", "tls/recv 0.20+0.10 s, hash 1 0.29+0.01 s, writer 0.00+0.20 s"));
}

TEST(StatsLines, ManySourcesAndThreadsStillFitEightyColumns) {
    auto stats = calm();
    stats.sources.clear();
    for (int i = 0; i < 20; ++i) {
        stats.sources.push_back(
            {"[fd00:1234:5678:9abc:def0:1234:5678:" + std::to_string(1000 + i) + "]:7420", 12.5,
             123456789012});
    }
    stats.hash_threads = 7;
    stats.writer_threads = 4;
    stats.threads = {{"tls/recv", 123.45, 67.89}};
    for (int i = 1; i <= 7; ++i) stats.threads.push_back({"hash " + std::to_string(i), 99.9, 1.0});
    for (int i = 1; i <= 4; ++i) stats.threads.push_back({"writer " + std::to_string(i), 0, 55.5});
    const auto lines = stats_lines(stats);
    size_t cpu_lines = 0;
    std::string cpu_text;
    for (const auto& line : lines) {
        EXPECT_LT(display_columns(line), 80u) << line;
        if (line.starts_with("cpu ") || (cpu_lines > 0 && line.starts_with("          "))) {
            ++cpu_lines;
            cpu_text += line;
        }
    }
    EXPECT_GE(cpu_lines, 2u) << "twelve threads wrap onto more lines";
    EXPECT_NE(cpu_text.find("writer 4 0.00+55.50 s"), std::string::npos) << cpu_text;
    EXPECT_NE(std::find(lines.begin(), lines.end(), "          and 12 more sources"), lines.end());
    EXPECT_TRUE(lines.back().starts_with("bound by: "));
}

TEST(StatsJson, CarriesEveryFigureUnderItsDocumentedName) {
    auto stats = calm();
    stats.hash_busy_seconds = 0.92;
    const auto text = stats_json(stats).str();
    for (const std::string part :
         {"\"seconds\":1.000", "\"loop_busy_seconds\":0.280", "\"network_wait_seconds\":0.200",
          "\"sources\":[{\"address\":\"192.168.1.5:7420\",\"wait_seconds\":0.200,"
          "\"bytes_received\":1073741824}]",
          "\"hash\":{\"threads\":1,\"busy_seconds\":0.920,\"bytes\":1073741824}",
          "\"write\":{\"threads\":1,\"busy_seconds\":0.250,\"bytes\":1073741824,"
          "\"sync_seconds\":0.020}",
          "{\"role\":\"hash 1\",\"user_seconds\":0.290,\"system_seconds\":0.010}",
          "\"bound_by\":{\"what\":\"hash\",\"busy\":0.920,\"text\":\"SHA-256 on 1 core, 92 % "
          "busy\"}"}) {
        EXPECT_NE(text.find(part), std::string::npos) << part << "\n in " << text;
    }
}

}  // namespace
}  // namespace xfer::cli
