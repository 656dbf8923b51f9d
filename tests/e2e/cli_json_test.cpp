// End to end, real processes: --json on fetch, ls, id and serve prints one valid JSON object
// per line (checked by an independent parser), with the events and fields docs/JSON.md lists,
// nothing else on stdout, and no progress display on stderr.
#include <gtest/gtest.h>
#include <signal.h>

#include <set>

#include "shared/core/safe_text.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/json_lines.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

parsed_json_lines parsed_or_fail(const std::string& out) {
    auto parsed = parse_json_lines(out);
    EXPECT_EQ(parsed.error, "");
    return parsed;
}

TEST(CliJson, FetchPrintsStartProgressAndDoneAndNothingElse) {
    sandbox box;
    const uint64_t size = 3'000'000;
    const auto source = write_random_file(box / "src/a.bin", size, 11);
    xfer_server server(box / "src");

    const auto fetched =
        run_xfer({"fetch", server.address(), "a.bin", "-o", (box / "out").string(), "--json"});

    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(source, box / "out/a.bin"), "");
    EXPECT_EQ(fetched.err, "") << "no progress display, no text summary";
    const auto parsed = parsed_or_fail(fetched.out);
    ASSERT_GE(parsed.lines.size(), 3u) << fetched.out;
    EXPECT_EQ(parsed.lines.front().event(), "start");
    EXPECT_EQ(parsed.lines.front().text("path"), "a.bin");
    EXPECT_EQ(parsed.lines.front().number("wanted_bytes"), size);
    const auto& done = parsed.lines.back();
    EXPECT_EQ(done.event(), "done");
    EXPECT_EQ(done.text("target"), (box / "out/a.bin").string());
    EXPECT_EQ(done.number("downloaded_bytes"), size);
    EXPECT_EQ(done.fields.at("whole_file"), "true");
    std::set<std::string> events;
    for (const auto& line : parsed.lines) events.insert(line.event());
    EXPECT_TRUE(events.contains("progress")) << fetched.out;
    EXPECT_TRUE(events.contains("peer_up")) << fetched.out;
    for (const auto& event : events) {
        EXPECT_TRUE(std::set<std::string>({"start", "peer_up", "peer_down", "progress", "done"})
                        .contains(event))
            << "undocumented event " << event;
    }
}

TEST(CliJson, AFailedFetchEndsWithAnErrorEventAndItsExitStatus) {
    sandbox box;
    write_random_file(box / "src/a.bin", 1000, 1);
    xfer_server server(box / "src");

    const auto fetched = run_xfer(
        {"fetch", server.address(), "missing.bin", "-o", (box / "out").string(), "--json"});

    EXPECT_TRUE(failed_saying(fetched, {"missing.bin"}, exit_code::not_found));
    EXPECT_TRUE(single_error_line(fetched));
    const auto parsed = parsed_or_fail(fetched.out);
    ASSERT_FALSE(parsed.lines.empty()) << fetched.out;
    const auto& error = parsed.lines.back();
    EXPECT_EQ(error.event(), "error");
    EXPECT_EQ(error.text("class"), "not_found");
    EXPECT_EQ(error.number("exit_status"), exit_code::not_found);
    EXPECT_NE(error.text("message").find("missing.bin"), std::string::npos);
}

TEST(CliJson, LsGivesHostileFileNamesAsValidJsonThatDecodesToTheShownText) {
    sandbox box;
    // What a file system allows in a name: quotes, backslashes, newlines, escape sequences,
    // a C1 CSI, a right-to-left override and bytes that are not UTF-8.
    const std::vector<std::string> names = {"quote\"d",        "back\\slash",
                                            "new\nline",       "esc\x1b[2J\x1b]0;title\x07",
                                            "c1\xc2\x9bH",     "rtl\xe2\x80\xaetxt.exe",
                                            "bad\xff\xfe\xc3", "plain.txt"};
    for (const auto& name : names) box.write("src/" + name, "x");
    box.write("src/sub\x1b[31m/inner.bin", "y");
    xfer_server server(box / "src");

    const auto listed = run_xfer({"ls", server.address(), "--json"});

    ASSERT_EQ(listed.status, 0) << listed.describe();
    for (const char c : listed.out) {
        const auto byte = static_cast<unsigned char>(c);
        ASSERT_FALSE((byte < 0x20 && byte != '\n') || byte == 0x7F) << "raw control in output";
    }
    const auto parsed = parsed_or_fail(listed.out);
    std::set<std::string> shown;
    for (const auto& line : parsed.lines) {
        EXPECT_EQ(line.event(), "entry");
        shown.insert(line.text("kind") + " " + line.text("name"));
    }
    std::set<std::string> expected{"dir " + safe_text("sub\x1b[31m")};
    for (const auto& name : names) expected.insert("file " + safe_text(name));
    EXPECT_EQ(shown, expected) << listed.out;
}

TEST(CliJson, LsOfAClosedPortIsANetworkFailure) {
    const auto closed = "127.0.0.1:" + std::to_string(pick_free_port());
    const auto listed = run_xfer({"ls", closed, "--json"});
    EXPECT_TRUE(failed_saying(listed, {closed}, exit_code::network));
    const auto parsed = parsed_or_fail(listed.out);
    ASSERT_EQ(parsed.lines.size(), 1u) << listed.out;
    EXPECT_EQ(parsed.lines[0].text("class"), "network");
}

TEST(CliJson, IdGivesThePeerIdThePlainOutputShows) {
    sandbox box;
    const auto home = (box / "home").string();
    const auto first = run_xfer({"id", "--home", home, "--json"});
    ASSERT_EQ(first.status, 0) << first.describe();
    const auto plain = run_xfer({"id", "--home", home});
    ASSERT_EQ(plain.status, 0) << plain.describe();
    const auto again = run_xfer({"id", "--home", home, "--json"});
    const auto parsed_first = parsed_or_fail(first.out);
    const auto parsed_again = parsed_or_fail(again.out);
    ASSERT_EQ(parsed_first.lines.size(), 1u);
    ASSERT_EQ(parsed_again.lines.size(), 1u);
    EXPECT_EQ(parsed_first.lines[0].event(), "id");
    EXPECT_EQ(parsed_first.lines[0].text("peer_id") + "\n",
              plain.out.substr(0, plain.out.find('\n') + 1));
    EXPECT_EQ(parsed_first.lines[0].fields.at("created"), "true");
    EXPECT_EQ(parsed_again.lines[0].fields.at("created"), "false");
    EXPECT_EQ(parsed_again.lines[0].text("peer_id"), parsed_first.lines[0].text("peer_id"));
}

TEST(CliJson, ServeSaysWhereItListensAndWhatItSentWhenStopped) {
    sandbox box;
    const auto source = write_random_file(box / "src/a.bin", 500'000, 5);
    child_process server(xfer_command(
        {"serve", (box / "src").string(), "--listen", "127.0.0.1:0", "--no-lan", "--json"}));
    const auto line = server.wait_for_line("\"listening\"", startup_timeout);
    ASSERT_TRUE(line) << server.describe();
    const auto listening = parse_json_lines(*line + "\n");
    ASSERT_EQ(listening.error, "");
    ASSERT_EQ(listening.lines.size(), 1u);
    const auto address = listening.lines[0].text("address");
    ASSERT_TRUE(address.starts_with("127.0.0.1:")) << *line;

    const auto fetched = run_xfer({"fetch", address, "a.bin", "-o", (box / "out").string(), "-q"});
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(server.stop(), 0) << server.describe();

    const auto parsed = parsed_or_fail(server.stdout_text());
    ASSERT_EQ(parsed.lines.size(), 3u) << server.stdout_text();
    // Not --public: a pairing code for new receivers (tests/e2e/pairing_cli_test.cpp).
    EXPECT_EQ(parsed.lines[1].event(), "pairing_code");
    EXPECT_EQ(parsed.lines[2].event(), "stopped");
    EXPECT_GE(parsed.lines[2].number("bytes_sent").value_or(0), 500'000);
    EXPECT_EQ(parsed.lines[2].number("receivers_served"), 1);
}

TEST(CliJson, ManifestGivesTheContentIdAndPiecesThePlainOutputShows) {
    sandbox box;
    const auto file = write_random_file(box / "m.bin", 5'000'000, 4);
    const auto plain = run_xfer({"manifest", file.string(), "--pieces"});
    ASSERT_EQ(plain.status, 0) << plain.describe();
    const auto json = run_xfer({"manifest", file.string(), "--pieces", "--json"});
    ASSERT_EQ(json.status, 0) << json.describe();
    const auto parsed = parsed_or_fail(json.out);
    ASSERT_GE(parsed.lines.size(), 2u) << json.out;
    const auto& head = parsed.lines.front();
    EXPECT_EQ(head.event(), "manifest");
    EXPECT_EQ(head.number("size"), 5'000'000);
    EXPECT_NE(plain.out.find("content id:  " + head.text("content_id") + "\n"), std::string::npos)
        << plain.out;
    ASSERT_EQ(static_cast<double>(parsed.lines.size()), 1 + head.number("pieces").value_or(-1))
        << json.out;
    const auto& last = parsed.lines.back();
    EXPECT_EQ(last.event(), "piece");
    EXPECT_EQ(last.number("offset").value_or(0) + last.number("length").value_or(0), 5'000'000);
    EXPECT_NE(plain.out.find(last.text("sha256")), std::string::npos);

    const auto missing = run_xfer({"manifest", (box / "nope").string(), "--json"});
    EXPECT_NE(missing.status, 0);
    const auto error = parsed_or_fail(missing.out);
    ASSERT_EQ(error.lines.size(), 1u) << missing.out;
    EXPECT_EQ(error.lines[0].event(), "error");
    EXPECT_NE(error.lines[0].text("message").find("nope"), std::string::npos);
}

TEST(CliJson, TrackerSaysWhereItListensAndThatItStopped) {
    child_process tracker(xfer_command({"tracker", "--listen", "127.0.0.1:0", "--json"}));
    const auto line = tracker.wait_for_line("\"listening\"", startup_timeout);
    ASSERT_TRUE(line) << tracker.describe();
    const auto parsed = parsed_or_fail(*line + "\n");
    ASSERT_EQ(parsed.lines.size(), 1u);
    EXPECT_EQ(parsed.lines[0].text("address").substr(0, 10), "127.0.0.1:");
    EXPECT_NE(port_of(parsed.lines[0].text("address")), 0);
    EXPECT_EQ(tracker.stop(), 0) << tracker.describe();
    const auto all = parsed_or_fail(tracker.stdout_text());
    ASSERT_EQ(all.lines.size(), 2u) << tracker.stdout_text();
    EXPECT_EQ(all.lines[1].event(), "stopped");
}

}  // namespace
}  // namespace xfer::test
