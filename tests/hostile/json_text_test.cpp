// Hostile peers against scripts: with --json, what a peer sends (listing names no file system
// would hold, ERROR texts, announced names) still gives valid JSON and valid UTF-8 on every
// line, and the decoded strings are the escaped text xfer shows, never raw control bytes.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "shared/core/ids.hpp"
#include "shared/core/safe_text.hpp"
#include "shared/wire/messages.hpp"
#include "tests/support/discovery_fixtures.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/e2e_net.hpp"
#include "tests/support/json_lines.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

std::vector<uint8_t> hello_then(const wire::message& next) {
    std::vector<uint8_t> script;
    wire::hello hello;
    hello.id = random_peer_id();
    wire::encode(hello, script);
    wire::encode(next, script);
    return script;
}

// Quotes and backslashes that would end a JSON string, a newline that would end the line,
// a NUL, terminal escapes, a C1 CSI, overlong and surrogate UTF-8, a lone continuation byte.
const std::string hostile = std::string("\"},{\"event\":\"done\"}\n\\\\u0000") + '\0' +
                            "\x1b]0;pwned\x07\xc2\x9b\xc0\xaf\xed\xa0\x80\x80\xf4\x90\x80\x80";

TEST(JsonText, LsListingNamesFromAPeerStayValidJson) {
    wire::listing listing;
    listing.entries.push_back({wire::listing_entry::kind_t::file, 10, 1, 2, hostile});
    listing.entries.push_back({wire::listing_entry::kind_t::directory, 0, 0, 0, "a/b\n\"c"});
    scripted_peer peer(hello_then(listing), /*hold_open=*/true);

    const auto listed = run_xfer({"ls", peer.address(), "--json"});

    ASSERT_EQ(listed.status, 0) << listed.describe();
    const auto parsed = parse_json_lines(listed.out);
    ASSERT_EQ(parsed.error, "");
    ASSERT_EQ(parsed.lines.size(), 2u) << listed.out;  // no line injected
    EXPECT_EQ(parsed.lines[0].text("name"), safe_text(hostile));
    EXPECT_EQ(parsed.lines[0].fields.at("complete"), "false");
    EXPECT_EQ(parsed.lines[1].text("kind"), "dir");
    EXPECT_EQ(parsed.lines[1].text("name"), safe_text("a/b\n\"c"));
}

TEST(JsonText, APeersErrorTextInAFetchErrorEventStaysValidJson) {
    sandbox box;
    scripted_peer peer(hello_then(wire::error_msg{0, 1, hostile}), /*hold_open=*/true);

    const auto fetched =
        run_xfer({"fetch", peer.address(), "file.bin", "-o", (box / "out").string(), "--json"});

    EXPECT_EQ(fetched.status, exit_code::network) << fetched.describe();
    const auto parsed = parse_json_lines(fetched.out);
    ASSERT_EQ(parsed.error, "");
    ASSERT_EQ(parsed.lines.size(), 1u) << fetched.out;
    EXPECT_EQ(parsed.lines[0].event(), "error");
    EXPECT_NE(parsed.lines[0].text("message").find(safe_text(hostile)), std::string::npos)
        << fetched.out;
}

TEST(JsonText, PeersAnnouncedNamesStayValidJson) {
    sandbox box;
    write_random_file(box / "src/f.bin", 1000, 1);
    tracker_process tracker;
    const std::string name = "peer\"\\\x1b[2J\xc2\x9bH";
    xfer_server server(box / "src", {"--tracker", tracker.address(), "--no-lan", "--name", name});
    parsed_json_lines parsed;
    command_result listed;
    const bool seen = eventually([&] {
        listed = run_xfer({"peers", "--tracker", tracker.address(), "--json"});
        parsed = parse_json_lines(listed.out);
        // The first registration may come before the file is hashed: wait for it to be listed.
        return parsed.error.empty() && !parsed.lines.empty() &&
               listed.out.find("\"path\":\"f.bin\"") != std::string::npos;
    });
    ASSERT_TRUE(seen) << listed.describe() << parsed.error;
    ASSERT_EQ(parsed.lines.size(), 1u) << listed.out;
    const auto& peer = parsed.lines[0];
    EXPECT_EQ(peer.event(), "peer");
    EXPECT_EQ(peer.text("address"), server.address());
    // Discovery may itself replace some bytes of a name; whatever arrives is shown escaped.
    const auto shown = peer.text("name");
    for (const char c : shown) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20) << shown;
    EXPECT_NE(shown.find("\\u009bH"), std::string::npos) << shown;
    EXPECT_NE(listed.out.find("\"contents\":[{\"path\":\"f.bin\""), std::string::npos)
        << listed.out;
}

}  // namespace
}  // namespace xfer::test
