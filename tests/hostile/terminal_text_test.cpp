// Hostile peers against the user's terminal: every string a peer sends (ERROR texts, listing
// names, peer names, announced paths) must reach stdout, stderr and log lines with its control
// bytes shown escaped, never raw. A raw ESC or C1 CSI lets a peer retitle, clear or rewrite the
// terminal (the class of croc's CVE-2023-43621).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "shared/core/ids.hpp"
#include "shared/wire/messages.hpp"
#include "tests/support/discovery_fixtures.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/e2e_net.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

// OSC "set window title", CSI "clear screen", the same as a C1 CSI in UTF-8 (C2 9B), a bare
// 8-bit CSI, a backspace run and a carriage return that would overwrite the line.
const std::string hostile_text =
    "owned\x1b]0;pwned\x07\x1b[2J\xc2\x9b"
    "2J\x9b"
    "H\b\b\b\rfake";

// "" if `output` holds no terminal control: every byte below 0x20 but '\n', DEL, a C1 control
// in UTF-8 (C2 80..C2 9F) or a bare byte 0x80..0x9F that does not continue a UTF-8 sequence.
std::string raw_control_in(const std::string& output) {
    for (size_t i = 0; i < output.size(); ++i) {
        const auto byte = static_cast<unsigned char>(output[i]);
        const bool c0 = (byte < 0x20 && byte != '\n') || byte == 0x7F;
        const bool c1_utf8 = byte == 0xC2 && i + 1 < output.size() &&
                             static_cast<unsigned char>(output[i + 1]) >= 0x80 &&
                             static_cast<unsigned char>(output[i + 1]) <= 0x9F;
        const bool bare_c1 = byte >= 0x80 && byte <= 0x9F &&
                             (i == 0 || static_cast<unsigned char>(output[i - 1]) < 0xC0);
        if (c0 || c1_utf8 || bare_c1) {
            return "raw byte 0x" + std::to_string(byte) + " (decimal) at offset " +
                   std::to_string(i) + " in:\n" + output;
        }
    }
    return "";
}

std::vector<uint8_t> hello_then(const wire::message& next) {
    std::vector<uint8_t> script;
    wire::hello hello;
    hello.id = random_peer_id();
    wire::encode(hello, script);
    wire::encode(next, script);
    return script;
}

class TerminalText : public ::testing::TestWithParam<const char*> {};

TEST_P(TerminalText, FetchShowsAPeersErrorTextEscaped) {
    sandbox box;
    scripted_peer peer(hello_then(wire::error_msg{0, 1, hostile_text}),
                       /*hold_open=*/true);
    std::vector<std::string> args{"fetch", peer.address(), "file.bin", "-o",
                                  (box / "out").string()};
    if (std::string(GetParam()) != "") args.push_back(GetParam());
    const auto fetched = run_xfer(args);
    ASSERT_EQ(fetched.status, exit_code::network) << fetched.describe();
    EXPECT_EQ(raw_control_in(fetched.err), "");
    EXPECT_EQ(raw_control_in(fetched.out), "");
    // Shown, not dropped: the user sees what the peer said.
    EXPECT_NE(fetched.err.find("owned\\x1b]0;pwned\\x07\\x1b[2J\\u009b2J\\x9bH"), std::string::npos)
        << fetched.describe();
}

TEST_P(TerminalText, LsShowsAPeersErrorTextEscaped) {
    scripted_peer peer(hello_then(wire::error_msg{0, 1, hostile_text}),
                       /*hold_open=*/true);
    std::vector<std::string> args{"ls", peer.address()};
    if (std::string(GetParam()) != "") args.push_back(GetParam());
    const auto listed = run_xfer(args);
    ASSERT_EQ(listed.status, exit_code::network) << listed.describe();
    EXPECT_EQ(raw_control_in(listed.err), "");
    EXPECT_NE(listed.err.find("owned\\x1b]0;pwned"), std::string::npos) << listed.describe();
}

TEST_P(TerminalText, LsShowsListingNamesEscaped) {
    wire::listing listing;
    listing.entries.push_back({wire::listing_entry::kind_t::file, 10, 0, 0, hostile_text});
    listing.entries.push_back({wire::listing_entry::kind_t::directory, 0, 0, 0, "dir\x1b[31m"});
    scripted_peer peer(hello_then(listing), /*hold_open=*/true);
    std::vector<std::string> args{"ls", peer.address()};
    if (std::string(GetParam()) != "") args.push_back(GetParam());
    const auto listed = run_xfer(args);
    ASSERT_EQ(listed.status, 0) << listed.describe();
    EXPECT_EQ(raw_control_in(listed.out), "");
    EXPECT_EQ(raw_control_in(listed.err), "");
    EXPECT_NE(listed.out.find("owned\\x1b]0;pwned"), std::string::npos) << listed.describe();
    EXPECT_NE(listed.out.find("dir\\x1b[31m/"), std::string::npos) << listed.describe();
}

// Quiet, plain, and with debug logging (log lines quote peers too).
INSTANTIATE_TEST_SUITE_P(Verbosity, TerminalText, ::testing::Values("", "-vv"),
                         [](const auto& info) {
                             return std::string(info.param).empty() ? "Plain" : "Debug";
                         });

TEST(TerminalTextPeers, PeersShowsAnnouncedNamesAndPathsEscaped) {
    sandbox box;
    std::filesystem::create_directories(box / "src");
    // A real peer can announce any name and share any file name the file system allows.
    const std::string file_name =
        "clip\x1b]0;t\x07\xc2\x9b"
        "2J.bin";
    write_random_file(box / "src" / file_name, 1000, 1);
    tracker_process tracker;
    xfer_server server(box / "src", {"--tracker", tracker.address(), "--no-lan", "--name",
                                     "peer\x1b[2J\xc2\x9b"
                                     "H"});
    command_result listed;
    const bool seen = eventually([&] {
        listed = run_xfer({"peers", "--tracker", tracker.address()});
        return listed.out.find(server.address()) != std::string::npos;
    });
    ASSERT_TRUE(seen) << listed.describe();
    EXPECT_EQ(raw_control_in(listed.out), "");
    EXPECT_EQ(raw_control_in(listed.err), "");
    // Discovery itself may replace an ESC; the C1 CSI must still be shown escaped.
    EXPECT_NE(listed.out.find("peer"), std::string::npos) << listed.describe();
    EXPECT_NE(listed.out.find("\\u009bH"), std::string::npos) << listed.describe();

    const auto shown = run_xfer({"ls", server.address()});
    ASSERT_EQ(shown.status, 0) << shown.describe();
    EXPECT_EQ(raw_control_in(shown.out), "");
    EXPECT_NE(shown.out.find("clip\\x1b]0;t\\x07\\u009b2J.bin"), std::string::npos)
        << shown.describe();
}

}  // namespace
}  // namespace xfer::test
