// known_peers on disk: the text round-trips (names with any bytes included), a corrupt line is
// reported with its number and kept, the file is mode 600 in a mode-700 directory, oversized
// files are refused, and updates under the lock do not lose each other's change.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>

#include "shared/trust/known_peers_file.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::trust {
namespace {

peer_id id_of(uint8_t seed) {
    peer_id id;
    id.digest.fill(seed);
    return id;
}

timestamp at(long seconds) {
    return timestamp(std::chrono::seconds(seconds));
}

TEST(KnownPeersFile, TimestampsAreUtcIso8601) {
    EXPECT_EQ(format_timestamp(at(0)), "1970-01-01T00:00:00Z");
    EXPECT_EQ(format_timestamp(at(1796131089)), "2026-12-01T13:18:09Z");
    EXPECT_EQ(parse_timestamp("2026-12-01T13:18:09Z"), at(1796131089));
    EXPECT_FALSE(parse_timestamp("2026-12-01 13:18:09"));
    EXPECT_FALSE(parse_timestamp("2026-13-01T13:18:09Z"));
    EXPECT_FALSE(parse_timestamp("2026-12-01T13:18:0xZ"));
}

// Found by tests/fuzz/known_peers_fuzz: a year past 2262 (a hand-edit, a clock far off) went
// through the nanosecond clock when written back and overflowed.
TEST(KnownPeersFile, TimestampsFarInTheFutureRoundTrip) {
    const auto far = parse_timestamp("4050-02-03T04:05:06Z");
    ASSERT_TRUE(far);
    EXPECT_EQ(format_timestamp(*far), "4050-02-03T04:05:06Z");
    const auto last = parse_timestamp("9999-12-31T23:59:59Z");
    ASSERT_TRUE(last);
    EXPECT_EQ(format_timestamp(*last), "9999-12-31T23:59:59Z");
}

TEST(KnownPeersFile, RoundTripsEveryField) {
    known_peers table;
    ASSERT_TRUE(table.add(id_of(1), "laptop", trust_level::paired, at(1796131089)));
    table.seen_at(id_of(1), "10.0.0.5:7420", at(1796131100));
    table.seen_at(id_of(1), "[::1]:7420", at(1796131200));
    ASSERT_TRUE(table.add(id_of(2), "my nas 100%\x1b[2J\n", trust_level::allowed, at(5)));
    ASSERT_TRUE(table.add(id_of(3), "", trust_level::seen, at(6)));
    ASSERT_TRUE(table.add(id_of(4), "-", trust_level::seen, at(7)));
    const auto text = format_known_peers(table, {});
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << "names are escaped in the file";
    const auto loaded = parse_known_peers(text, "known_peers");
    EXPECT_TRUE(loaded.warnings.empty()) << loaded.warnings.front();
    ASSERT_EQ(loaded.table.size(), 4u);
    for (const auto& peer : table.all()) {
        const auto* back = loaded.table.find(peer.id);
        ASSERT_NE(back, nullptr);
        EXPECT_EQ(back->name, peer.name);
        EXPECT_EQ(back->trust, peer.trust);
        EXPECT_EQ(back->addresses, peer.addresses);
        EXPECT_EQ(back->first_seen, peer.first_seen);
        EXPECT_EQ(back->last_seen, peer.last_seen);
    }
    EXPECT_EQ(format_known_peers(loaded.table, {}), text);
}

// Found by tests/fuzz/known_peers_fuzz: a corrupt line ending in two CRs lost one when written
// back, and the rewritten line then read as a valid peer: a rewrite must not change what a line
// says.
TEST(KnownPeersFile, ACorruptLineIsWrittenBackExactlyAndStaysCorrupt) {
    const auto line = identity::format_peer_id(id_of(3)) +
                      " seen 2026-12-01T13:18:09Z 2026-12-01T13:18:09Z name 127.0.0.1:7420 \r\r";
    const auto loaded = parse_known_peers(line + "\n", "f");
    ASSERT_EQ(loaded.table.size(), 0u);
    ASSERT_EQ(loaded.unreadable_lines.size(), 1u);
    const auto again =
        parse_known_peers(format_known_peers(loaded.table, loaded.unreadable_lines), "f");
    EXPECT_EQ(again.table.size(), 0u) << "the rewrite made a corrupt line a peer";
    EXPECT_EQ(again.unreadable_lines, loaded.unreadable_lines);
}

TEST(KnownPeersFile, ACorruptLineIsReportedKeptAndTheRestLoaded) {
    known_peers table;
    ASSERT_TRUE(table.add(id_of(1), "good", trust_level::paired, at(10)));
    auto text = format_known_peers(table, {});
    text += "NOT-AN-ID paired 2026-12-01T13:18:09Z 2026-12-01T13:18:09Z x -\n";
    text += identity::format_peer_id(id_of(2)) +
            " trusted 2026-12-01T13:18:09Z "
            "2026-12-01T13:18:09Z x -\n";
    text += "\n# a comment\n";
    const auto loaded = parse_known_peers(text, "/c/trust/known_peers");
    ASSERT_EQ(loaded.table.size(), 1u);
    EXPECT_NE(loaded.table.find(id_of(1)), nullptr);
    ASSERT_EQ(loaded.warnings.size(), 2u);
    EXPECT_NE(loaded.warnings[0].find("/c/trust/known_peers line 3: bad peer ID"),
              std::string::npos)
        << loaded.warnings[0];
    EXPECT_NE(loaded.warnings[1].find("line 4: trust must be"), std::string::npos)
        << loaded.warnings[1];
    ASSERT_EQ(loaded.unreadable_lines.size(), 2u);
    const auto again = format_known_peers(loaded.table, loaded.unreadable_lines);
    EXPECT_NE(again.find("NOT-AN-ID paired"), std::string::npos) << "kept for the user to fix";
}

TEST(KnownPeersFile, ADuplicateIdAndBadFieldsAreLineErrors) {
    const auto id = identity::format_peer_id(id_of(1));
    const std::string line = id + " seen 2026-12-01T13:18:09Z 2026-12-01T13:18:09Z n a:1\n";
    const auto loaded = parse_known_peers(
        line + line + id + " seen 2026-12-01T13:18:09Z 2026-12-01T13:18:09Z %zz -\n" + "a b c\n",
        "f");
    EXPECT_EQ(loaded.table.size(), 1u);
    ASSERT_EQ(loaded.warnings.size(), 3u);
    EXPECT_NE(loaded.warnings[0].find("already on an earlier line"), std::string::npos);
    EXPECT_NE(loaded.warnings[1].find("%-escape"), std::string::npos);
    EXPECT_NE(loaded.warnings[2].find("expected 6 fields, found 3"), std::string::npos);
}

TEST(KnownPeersFile, AMissingFileIsAnEmptyTable) {
    test::sandbox box;
    const auto loaded = load_known_peers(box / "config");
    ASSERT_TRUE(loaded) << loaded.error();
    EXPECT_EQ(loaded->table.size(), 0u);
}

TEST(KnownPeersFile, UpdateWritesAPrivateFileAtomically) {
    test::sandbox box;
    const auto config = box / "config";
    const auto written = update_known_peers(config, [](known_peers& table) {
        return table.add(id_of(1), "laptop", trust_level::paired, at(1));
    });
    ASSERT_TRUE(written) << written.error();
    struct stat info {};
    ASSERT_EQ(::stat(known_peers_path(config).c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat((config / "trust").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0700u);
    const auto loaded = load_known_peers(config);
    ASSERT_TRUE(loaded) << loaded.error();
    ASSERT_NE(loaded->table.find(id_of(1)), nullptr);
    for (const auto& entry : std::filesystem::directory_iterator(config / "trust"))
        EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos);
}

TEST(KnownPeersFile, ARefusedChangeWritesNothing) {
    test::sandbox box;
    const auto result = update_known_peers(box / "config", [](known_peers&) {
        return std::expected<void, std::string>(std::unexpected("no"));
    });
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), "no");
    EXPECT_FALSE(std::filesystem::exists(known_peers_path(box / "config")));
}

TEST(KnownPeersFile, AnOversizedFileIsRefusedNamingIt) {
    test::sandbox box;
    box.write("config/trust/known_peers", std::string(max_known_peers_file_bytes + 1, '#'));
    const auto loaded = load_known_peers(box / "config");
    ASSERT_FALSE(loaded);
    EXPECT_NE(loaded.error().find("known_peers is larger than"), std::string::npos)
        << loaded.error();
}

TEST(KnownPeersFile, ConcurrentUpdatesLoseNothing) {
    test::sandbox box;
    const auto config = box / "config";
    std::vector<std::thread> writers;
    for (uint8_t seed = 1; seed <= 8; ++seed) {
        writers.emplace_back([&config, seed] {
            for (int round = 0; round < 5; ++round) {
                peer_id id = id_of(seed);
                id.digest[0] = static_cast<uint8_t>(round);
                ASSERT_TRUE(update_known_peers(config, [&](known_peers& table) {
                    return table.add(id, "p", trust_level::seen, at(1));
                }));
            }
        });
    }
    for (auto& writer : writers) writer.join();
    const auto loaded = load_known_peers(config);
    ASSERT_TRUE(loaded) << loaded.error();
    EXPECT_EQ(loaded->table.size(), 40u);
}

}  // namespace
}  // namespace xfer::trust
