// The transfer log: records survive any bytes a peer chose, the file rotates and is read oldest
// first, a torn line is skipped, the follower sees appends (across a rotation), filters select.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "shared/transfer_log/record_filter.hpp"
#include "shared/transfer_log/transfer_log_file.hpp"
#include "shared/transfer_log/transfer_log_follow.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::transfer_log {
namespace {

using namespace std::chrono_literals;

transfer_record sample(std::string path, uint64_t bytes = 1000) {
    transfer_record record;
    record.ended_at = wall_clock::time_point(1'796'000'000'000ms);
    record.way = direction::sent;
    record.peer_id = "XWSLX75-7FFETMB";
    record.peer_name = "alice";
    record.address = "127.0.0.1:7420";
    record.path = std::move(path);
    record.content = "17daef55";
    record.bytes = bytes;
    record.duration = 1234ms;
    record.result = outcome::done;
    return record;
}

bool same(const transfer_record& a, const transfer_record& b) {
    return a.ended_at == b.ended_at && a.way == b.way && a.peer_id == b.peer_id &&
           a.peer_name == b.peer_name && a.address == b.address && a.path == b.path &&
           a.content == b.content && a.bytes == b.bytes && a.duration == b.duration &&
           a.result == b.result && a.detail == b.detail;
}

std::vector<transfer_record> read_all(const std::filesystem::path& dir) {
    std::vector<transfer_record> records;
    read_transfer_log(dir, [&](const transfer_record& r) { records.push_back(r); });
    return records;
}

TEST(TransferRecord, HostileBytesInEveryTextFieldRoundTripOnOneLine) {
    auto record = sample("dir/\tfake\nv1\t0\tsent");
    record.peer_name = std::string("\x1b[31mevil\r%41\x7f\xff", 15);
    record.detail = "line one\nline two";
    record.result = outcome::failed;
    const auto line = encode_line(record);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_EQ(line.find('\x1b'), std::string::npos);
    EXPECT_EQ(std::count(line.begin(), line.end(), '\t'), 11);
    const auto decoded = decode_line(line);
    ASSERT_TRUE(decoded);
    EXPECT_TRUE(same(*decoded, record));
}

TEST(TransferRecord, LongFieldsAreCutOnAUtf8Boundary) {
    std::string name;
    while (name.size() < 2 * max_field_bytes) name += "\xc3\xa9";  // é
    auto record = sample("a");
    record.peer_name = name;
    const auto decoded = decode_line(encode_line(record));
    ASSERT_TRUE(decoded);
    EXPECT_LE(decoded->peer_name.size(), max_field_bytes);
    EXPECT_EQ(decoded->peer_name.size() % 2, 0u);
    EXPECT_TRUE(name.starts_with(decoded->peer_name));
}

TEST(TransferRecord, MalformedLinesAreRejectedWhole) {
    const auto good = encode_line(sample("a"));
    EXPECT_TRUE(decode_line(good));
    EXPECT_FALSE(decode_line("v2" + good.substr(2)));             // another version
    EXPECT_FALSE(decode_line(good + "\tx"));                      // a field too many
    EXPECT_FALSE(decode_line(good.substr(0, good.rfind('\t'))));  // a field short
    EXPECT_FALSE(decode_line(""));
    auto bad_number = good;
    bad_number.replace(bad_number.find("\t1000\t"), 6, "\t1e3\t");
    EXPECT_FALSE(decode_line(bad_number));
    auto bad_escape = good;
    bad_escape.replace(bad_escape.find("alice"), 5, "al%4");
    EXPECT_FALSE(decode_line(bad_escape));
    auto raw_control = good;
    raw_control.replace(raw_control.find("alice"), 5, "al\x1b");
    EXPECT_FALSE(decode_line(raw_control));
}

// Found by tests/fuzz/transfer_log_fuzz: a time of day the wall clock cannot hold (past the
// year 2262 in nanoseconds) overflowed when the line was decoded; such a line is not a record.
TEST(TransferRecord, ATimeTheClockCannotHoldIsRejected) {
    const auto good = encode_line(sample("a"));
    auto far = good;
    far.replace(far.find("\t1796000000000\t"), 15, "\t176459000000000\t");
    EXPECT_FALSE(decode_line(far));
    auto before = good;
    before.replace(before.find("\t1796000000000\t"), 15, "\t-9223372036854775\t");
    EXPECT_FALSE(decode_line(before));
    auto latest = good;
    latest.replace(latest.find("\t1796000000000\t"), 15, "\t9000000000000\t");
    const auto decoded = decode_line(latest);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(encode_line(*decoded), latest);
}

TEST(TransferLogFile, AppendsAreReadBackInOrderWithPrivateModes) {
    test::sandbox box;
    const auto dir = box / "state";
    transfer_log_file log(dir);
    ASSERT_FALSE(log.append(sample("one")));
    ASSERT_FALSE(log.append(sample("two")));
    const auto records = read_all(dir);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].path, "one");
    EXPECT_EQ(records[1].path, "two");
    struct stat info {};
    ASSERT_EQ(::stat(current_file(dir).c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat(dir.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0700u);
}

TEST(TransferLogFile, RotatesBySizeKeepingTwoFilesOldestFirst) {
    test::sandbox box;
    const auto dir = box / "state";
    const auto line_bytes = encode_line(sample("p00")).size() + 1;
    transfer_log_file log(dir, 3 * line_bytes);  // three records a file
    for (int i = 0; i < 10; ++i) {
        ASSERT_FALSE(log.append(sample("p" + std::string(i < 10 ? "0" : "") + std::to_string(i))));
    }
    EXPECT_LE(std::filesystem::file_size(current_file(dir)), 3 * line_bytes);
    EXPECT_LE(std::filesystem::file_size(rotated_file(dir)), 3 * line_bytes);
    const auto records = read_all(dir);
    // 10 appends, 3 per file: the last 4 are kept (3 in .1, 1 current), in order.
    ASSERT_EQ(records.size(), 4u);
    EXPECT_EQ(records.front().path, "p06");
    EXPECT_EQ(records.back().path, "p09");
}

TEST(TransferLogFile, ATornLastLineAndForeignLinesAreSkipped) {
    test::sandbox box;
    const auto dir = box / "state";
    transfer_log_file log(dir);
    ASSERT_FALSE(log.append(sample("kept")));
    {
        std::ofstream out(current_file(dir), std::ios::app | std::ios::binary);
        out << "not a record\n" << std::string(max_line_bytes + 10, 'x') << "\n";
        out << encode_line(sample("torn")).substr(0, 30);  // a crash mid-write
    }
    const auto records = read_all(dir);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].path, "kept");
}

TEST(TransferLogFile, AMissingLogIsEmpty) {
    test::sandbox box;
    EXPECT_TRUE(read_all(box / "nowhere").empty());
}

TEST(TransferLogFollower, SeesOnlyNewRecordsAndFollowsARotation) {
    test::sandbox box;
    const auto dir = box / "state";
    const auto line_bytes = encode_line(sample("p0")).size() + 1;
    transfer_log_file log(dir, 2 * line_bytes);
    ASSERT_FALSE(log.append(sample("before")));
    auto follower = transfer_log_follower::start(dir);
    ASSERT_TRUE(follower);
    EXPECT_TRUE(follower->wait(0ms).empty());
    std::vector<std::string> seen;
    for (int i = 0; i < 5; ++i) {
        ASSERT_FALSE(log.append(sample("p" + std::to_string(i))));
        for (const auto& r : follower->wait(2000ms)) seen.push_back(r.path);
    }
    for (int tries = 0; seen.size() < 5 && tries < 20; ++tries)
        for (const auto& r : follower->wait(100ms)) seen.push_back(r.path);
    EXPECT_EQ(seen, (std::vector<std::string>{"p0", "p1", "p2", "p3", "p4"}));
}

TEST(TransferLogFollower, StartsBeforeTheLogExists) {
    test::sandbox box;
    const auto dir = box / "state";
    auto follower = transfer_log_follower::start(dir);
    ASSERT_TRUE(follower);
    ASSERT_FALSE(transfer_log_file(dir).append(sample("first")));
    std::vector<std::string> seen;
    for (int tries = 0; seen.empty() && tries < 20; ++tries)
        for (const auto& r : follower->wait(100ms)) seen.push_back(r.path);
    EXPECT_EQ(seen, std::vector<std::string>{"first"});
}

TEST(RecordFilter, SincePeerAndPathSelect) {
    const auto record = sample("isos/debian.iso");
    record_filter none;
    EXPECT_TRUE(none.matches(record));
    EXPECT_TRUE((record_filter{.path = "isos"}).matches(record));
    EXPECT_TRUE((record_filter{.path = "isos/"}).matches(record));
    EXPECT_TRUE((record_filter{.path = "isos/debian.iso"}).matches(record));
    EXPECT_FALSE((record_filter{.path = "iso"}).matches(record));
    EXPECT_TRUE((record_filter{.peer = "alice"}).matches(record));
    EXPECT_TRUE((record_filter{.peer = "XWSLX75"}).matches(record));
    EXPECT_FALSE((record_filter{.peer = "ali"}).matches(record));
    EXPECT_FALSE((record_filter{.peer = ""}).matches(record));
    EXPECT_TRUE((record_filter{.since = record.ended_at}).matches(record));
    EXPECT_FALSE((record_filter{.since = record.ended_at + 1ms}).matches(record));
}

TEST(RecordFilter, SinceTakesAgesAndUtcDates) {
    const auto now = wall_clock::from_time_t(1'796'000'000);
    EXPECT_EQ(parse_since("90s", now).value(), now - 90s);
    EXPECT_EQ(parse_since("30m", now).value(), now - 30min);
    EXPECT_EQ(parse_since("2h", now).value(), now - 2h);
    EXPECT_EQ(parse_since("7d", now).value(), now - std::chrono::days(7));
    EXPECT_EQ(parse_since("2026-12-01", now).value(), wall_clock::from_time_t(1'796'083'200));
    EXPECT_EQ(parse_since("2026-12-01T10:30:00Z", now).value(),
              wall_clock::from_time_t(1'796'083'200 + 10 * 3600 + 30 * 60));
    for (const auto* bad : {"", "yesterday", "5", "5x", "-5m", "2026-13-01", "2026-12-01T10:30"}) {
        const auto parsed = parse_since(bad, now);
        ASSERT_FALSE(parsed) << bad;
        EXPECT_NE(parsed.error().find("not a time"), std::string::npos);
    }
}

}  // namespace
}  // namespace xfer::transfer_log
