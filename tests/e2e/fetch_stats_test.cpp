// End to end: `xfer fetch --stats` of a real file says on stderr where the time went, in lines
// that fit 80 columns and name every byte hashed; the --json done event carries the same
// figures as a "stats" object with the fields docs/JSON.md lists (read by an independent
// parser).
#include <gtest/gtest.h>

#include <set>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/json_lines.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

constexpr uint64_t size = 32 * 1024 * 1024;

// A nested object of a parsed line, parsed in turn.
json_line object_field(const json_line& line, const std::string& key) {
    const auto it = line.fields.find(key);
    if (it == line.fields.end()) {
        ADD_FAILURE() << "no field " << key;
        return {};
    }
    auto parsed = parse_json_lines(it->second + "\n");
    EXPECT_EQ(parsed.error, "") << it->second;
    EXPECT_EQ(parsed.lines.size(), 1u) << it->second;
    return parsed.lines.empty() ? json_line{} : parsed.lines.front();
}

TEST(FetchStats, PrintsWhereTheTimeWentAfterTheSummary) {
    sandbox box;
    const auto source = write_random_file(box / "src/a.bin", size, 21);
    xfer_server server(box / "src");

    const auto fetched =
        run_xfer({"fetch", server.address(), "a.bin", "-o", (box / "out").string(), "--stats"});

    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(source, box / "out/a.bin"), "");
    EXPECT_NE(fetched.out.find("fetched "), std::string::npos) << "the summary is still there";
    std::vector<std::string> stats;
    bool in_stats = false;
    for (const auto& line : fetched.error_lines()) {
        in_stats = in_stats || line.starts_with("stats ");
        if (in_stats) stats.push_back(line);
    }
    ASSERT_GE(stats.size(), 6u) << fetched.err;
    for (const auto& line : stats) EXPECT_LT(line.size(), 80u) << line;
    const auto line_of = [&](const std::string& start) {
        for (const auto& line : stats)
            if (line.starts_with(start)) return line;
        return std::string{};
    };
    const auto hashing = line_of("hashing ");
    EXPECT_NE(hashing.find(", 32.0 MiB"), std::string::npos) << "every byte hashed: " << hashing;
    EXPECT_EQ(hashing.find(" 0.00 s busy"), std::string::npos) << "hashing took time: " << hashing;
    EXPECT_NE(line_of("disk ").find(", 32.0 MiB; fsync "), std::string::npos) << fetched.err;
    EXPECT_NE(line_of("  from ").find(server.address()), std::string::npos) << fetched.err;
    const auto cpu = line_of("cpu ");
    for (const std::string role : {"tls/recv ", "hash 1 ", "writer "})
        EXPECT_NE(cpu.find(role), std::string::npos) << role << " in " << cpu;
    EXPECT_TRUE(stats.back().starts_with("bound by: ")) << fetched.err;
}

TEST(FetchStats, TheJsonDoneEventCarriesTheDocumentedStatsObject) {
    sandbox box;
    const auto source = write_random_file(box / "src/a.bin", size, 22);
    xfer_server server(box / "src");

    const auto fetched = run_xfer(
        {"fetch", server.address(), "a.bin", "-o", (box / "out").string(), "--json", "-q"});

    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(source, box / "out/a.bin"), "");
    const auto parsed = parse_json_lines(fetched.out);
    ASSERT_EQ(parsed.error, "");
    ASSERT_FALSE(parsed.lines.empty());
    const auto& done = parsed.lines.back();
    ASSERT_EQ(done.event(), "done");
    const auto stats = object_field(done, "stats");
    for (const std::string key : {"seconds", "loop_busy_seconds", "network_wait_seconds"})
        EXPECT_TRUE(stats.number(key).has_value()) << key;
    EXPECT_GT(*stats.number("seconds"), 0);
    const auto hash = object_field(stats, "hash");
    EXPECT_EQ(hash.number("bytes"), size);
    EXPECT_GT(hash.number("busy_seconds").value_or(0), 0);
    EXPECT_GE(hash.number("threads").value_or(0), 1);
    const auto write = object_field(stats, "write");
    EXPECT_EQ(write.number("bytes"), size);
    EXPECT_EQ(write.number("threads"), 1);
    EXPECT_TRUE(write.number("busy_seconds").has_value());
    EXPECT_TRUE(write.number("sync_seconds").has_value());
    const auto& threads = stats.fields.at("threads");
    for (const std::string role : {"tls/recv", "hash 1", "writer"}) {
        EXPECT_NE(threads.find("{\"role\":\"" + role + "\",\"user_seconds\":"), std::string::npos)
            << threads;
    }
    const auto& sources = stats.fields.at("sources");
    EXPECT_NE(sources.find("{\"address\":\"" + server.address() + "\",\"wait_seconds\":"),
              std::string::npos)
        << sources;
    EXPECT_NE(sources.find(",\"bytes_received\":"), std::string::npos) << sources;
    const auto bound = object_field(stats, "bound_by");
    EXPECT_TRUE(std::set<std::string>({"hash", "disk", "receive", "network", "limit", "none"})
                    .contains(bound.text("what")))
        << bound.text("what");
    EXPECT_TRUE(bound.number("busy").has_value());
    EXPECT_FALSE(bound.text("text").empty());
}

}  // namespace
}  // namespace xfer::test
