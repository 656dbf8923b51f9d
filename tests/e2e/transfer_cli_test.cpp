// End to end, real processes: `xfer ls` on a large directory, `xfer manifest` checked against
// a manifest the test builds itself, and --help for every command.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "shared/core/ids.hpp"
#include "shared/hash/sha256.hpp"
#include "shared/manifest/manifest.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

// The value after "KEY:" on its own line of `xfer manifest` output.
std::string field(const std::string& text, const std::string& key) {
    for (const auto& line : lines_of(text)) {
        if (line.starts_with(key + ":")) {
            const auto value = line.substr(key.size() + 1);
            const auto start = value.find_first_not_of(' ');
            return start == std::string::npos ? "" : value.substr(start);
        }
    }
    return {};
}

TEST(TransferLs, ListsEveryOneOfFiveThousandFiles) {
    sandbox box;
    constexpr int file_count = 5000;
    std::set<std::string> expected;
    for (int i = 0; i < file_count; ++i) {
        const auto name = "file-" + std::to_string(i) + ".txt";
        box.write("src/" + name, std::to_string(i));
        expected.insert(name);
    }
    xfer_server server(box / "src");

    const auto listed = run_xfer({"ls", server.address()});

    ASSERT_EQ(listed.status, 0) << listed.describe();
    std::set<std::string> seen;
    for (const auto& line : lines_of(listed.out)) {
        // "file  <size>  NAME  (complete, N bytes)"
        const auto start = line.find("file-");
        if (start == std::string::npos) continue;
        seen.insert(line.substr(start, line.find(' ', start) - start));
    }
    EXPECT_EQ(seen.size(), expected.size());
    EXPECT_EQ(seen, expected);
}

// The manifest of `path` built here from the format's definition: SHA-256 of each piece.
manifest manifest_built_by_test(const std::filesystem::path& path) {
    const auto size = std::filesystem::file_size(path);
    manifest m;
    m.file_size = size;
    m.piece_size = choose_piece_size(size);
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> piece(m.piece_size);
    for (uint64_t offset = 0; offset < size; offset += m.piece_size) {
        const auto length = static_cast<size_t>(std::min<uint64_t>(m.piece_size, size - offset));
        in.read(reinterpret_cast<char*>(piece.data()), static_cast<std::streamsize>(length));
        m.piece_hashes.push_back(sha256({piece.data(), length}));
    }
    return m;
}

class TransferManifest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(TransferManifest, ContentIdIsTheSha256OfTheManifestEncoding) {
    sandbox box;
    const uint64_t size = GetParam();
    const auto file = write_random_file(box / "m.bin", size, 77 + size);
    const auto expected = manifest_built_by_test(file);
    const auto encoded = encode_manifest(expected);

    const auto described = run_xfer({"manifest", file.string(), "--pieces"});

    ASSERT_EQ(described.status, 0) << described.describe();
    EXPECT_EQ(field(described.out, "content id"), to_hex(sha256(encoded))) << described.out;
    EXPECT_EQ(field(described.out, "size"), std::to_string(size) + " bytes");
    EXPECT_EQ(field(described.out, "piece size"), std::to_string(expected.piece_size) + " bytes");
    const auto pieces = field(described.out, "pieces");
    EXPECT_EQ(pieces.substr(0, pieces.find(' ')),
              std::to_string((size + expected.piece_size - 1) / expected.piece_size));
    EXPECT_EQ(field(described.out, "manifest"), std::to_string(encoded.size()) + " bytes");

    // --pieces: "INDEX OFFSET LENGTH SHA256", one line per piece, after the summary.
    std::vector<std::string> piece_lines;
    for (const auto& line : lines_of(described.out)) {
        if (!line.empty() && std::isdigit(static_cast<unsigned char>(line[0])))
            piece_lines.push_back(line);
    }
    ASSERT_EQ(piece_lines.size(), expected.piece_count()) << described.out;
    for (uint32_t piece = 0; piece < expected.piece_count(); ++piece) {
        EXPECT_EQ(piece_lines[piece], std::to_string(piece) + " " +
                                          std::to_string(expected.piece_offset(piece)) + " " +
                                          std::to_string(expected.piece_length(piece)) + " " +
                                          to_hex(expected.piece_hashes[piece]));
    }
}

INSTANTIATE_TEST_SUITE_P(Sizes, TransferManifest,
                         ::testing::Values(uint64_t{0}, uint64_t{1}, uint64_t{3 * 1024 * 1024 + 7},
                                           uint64_t{20 * 1024 * 1024}));

TEST(TransferManifestErrors, MissingFileFailsWithOneLineNamingIt) {
    sandbox box;
    const auto missing = (box / "nope.bin").string();
    const auto described = run_xfer({"manifest", missing});
    EXPECT_TRUE(failed_saying(described, {missing}));
    EXPECT_TRUE(single_error_line(described));
}

// Command names from the "commands:" section of `xfer --help`.
std::vector<std::string> listed_commands(const std::string& help) {
    std::vector<std::string> names;
    bool in_commands = false;
    for (const auto& line : lines_of(help)) {
        if (line == "commands:") {
            in_commands = true;
        } else if (in_commands && line.starts_with("  ")) {
            std::istringstream words(line);
            std::string name;
            words >> name;
            names.push_back(name);
        } else if (in_commands) {
            break;
        }
    }
    return names;
}

TEST(TransferHelp, EveryCommandExitsZeroAndShowsAnExample) {
    const auto top = run_xfer({"--help"});
    ASSERT_EQ(top.status, 0) << top.describe();
    EXPECT_NE(top.out.find("example"), std::string::npos) << top.out;
    const auto commands = listed_commands(top.out);
    for (const std::string name : {"serve", "fetch", "ls", "manifest"}) {
        EXPECT_NE(std::find(commands.begin(), commands.end(), name), commands.end())
            << name << " missing from\n"
            << top.out;
    }
    for (const auto& name : commands) {
        SCOPED_TRACE(name);
        const auto help = run_xfer({name, "--help"});
        EXPECT_EQ(help.status, 0) << help.describe();
        EXPECT_NE(help.out.find("example"), std::string::npos) << help.out;
        // An example is a command line a user can copy.
        EXPECT_NE(help.out.find("  xfer " + name + " "), std::string::npos) << help.out;
        EXPECT_EQ(help.err, "") << "help belongs on stdout";
    }
}

}  // namespace
}  // namespace xfer::test
