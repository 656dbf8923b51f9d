// `xfer fetch NAME --tracker T` and `xfer ls NAME --tracker T`: a peer's name or peer ID as a
// real `xfer tracker` lists it (the name it registered, the ID of the key that signed the
// registration) stands for the address it registered; two peers with one name are listed by
// ID, and a name nobody has is one line. Every process has a --home of its own, so each serve
// is another identity; the serves do not announce on the LAN (--no-lan).
#include <gtest/gtest.h>

#include "tests/support/discovery_fixtures.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

// `xfer serve DIR --tracker T --name NAME --public --no-lan --listen 127.0.0.1:0 --home HOME`.
std::unique_ptr<child_process> serve(const std::filesystem::path& directory,
                                     const std::string& tracker, const std::string& name,
                                     const std::filesystem::path& home) {
    auto child = std::make_unique<child_process>(
        xfer_command({"serve", directory.string(), "--tracker", tracker, "--name", name, "--public",
                      "--no-lan", "--listen", "127.0.0.1:0", "--home", home.string()}));
    if (!child->wait_for_line("serving ", discovery_deadline)) ADD_FAILURE() << child->describe();
    return child;
}

// Waits until the tracker lists `count` peers called `name` (registration is asynchronous).
void wait_until_listed(const std::string& tracker, const std::string& name, size_t count,
                       const std::filesystem::path& home) {
    const auto deadline = std::chrono::steady_clock::now() + discovery_deadline;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto listed = run_xfer({"peers", "--tracker", tracker, "--home", home.string()});
        ASSERT_EQ(listed.status, 0) << listed.describe();
        size_t found = 0;
        for (size_t at = 0; (at = listed.out.find(name + "  ", at)) != std::string::npos; ++at)
            found += at == 0 || listed.out[at - 1] == '\n';
        if (found == count) return;
    }
    FAIL() << "the tracker never listed " << count << " peers called " << name;
}

// xfer with LAN listening confined to this test's loopback port (it hears nothing there).
command_result xfer_here(const std::vector<std::string>& args) {
    child_process child(xfer_command(args),
                        process_options::with_environment(loopback_lan_environment()));
    const auto status = child.wait(command_timeout);
    return {status, child.stdout_text(), child.stderr_text(), child.describe()};
}

command_result fetch(std::vector<std::string> args) {
    args.insert(args.begin(), "fetch");
    return xfer_here(args);
}

TEST(PeerNamesTracker, ANameOrIdInTheTrackersListStandsForThatPeersAddress) {
    sandbox box;
    const auto source = write_random_file(box / "src/a.bin", 600'000, 21);
    const auto client = box / "client-home";
    tracker_process tracker({"--home", (box / "tracker-home").string()});
    const auto server_home = box / "server-home";
    const auto server_id = first_line(run_xfer({"id", "--home", server_home.string()}).out);
    const auto server = serve(box / "src", tracker.address(), "tracked-box", server_home);
    wait_until_listed(tracker.address(), "tracked-box", 1, client);

    const auto by_name = fetch({"tracked-box", "a.bin", "-o", (box / "o1").string(), "--tracker",
                                tracker.endpoint(), "--home", client.string(), "-q"});
    ASSERT_EQ(by_name.status, 0) << by_name.describe() << server->describe();
    EXPECT_EQ(file_difference(source, box / "o1/a.bin"), "");

    const auto by_id = fetch({server_id.substr(0, 7), "a.bin", "-o", (box / "o2").string(),
                              "--tracker", tracker.endpoint(), "--home", client.string(), "-q"});
    ASSERT_EQ(by_id.status, 0) << by_id.describe();
    EXPECT_EQ(file_difference(source, box / "o2/a.bin"), "");

    const auto listed = xfer_here(
        {"ls", "tracked-box", "--tracker", tracker.endpoint(), "--home", client.string()});
    EXPECT_EQ(listed.status, 0) << listed.describe();
    EXPECT_NE(listed.out.find("a.bin"), std::string::npos) << listed.describe();
}

TEST(PeerNamesTracker, TwoPeersWithOneNameAreListedByIdAndNothingIsFetched) {
    sandbox box;
    write_random_file(box / "src/a.bin", 100'000, 22);
    const auto client = box / "client-home";
    tracker_process tracker({"--home", (box / "tracker-home").string()});
    std::vector<std::string> ids;
    std::vector<std::unique_ptr<child_process>> servers;
    for (const auto* home : {"twin-1", "twin-2"}) {
        ids.push_back(first_line(run_xfer({"id", "--home", (box / home).string()}).out));
        servers.push_back(serve(box / "src", tracker.address(), "twin", box / home));
    }
    wait_until_listed(tracker.address(), "twin", 2, client);

    const auto ambiguous = fetch({"twin", "a.bin", "-o", (box / "out").string(), "--tracker",
                                  tracker.endpoint(), "--home", client.string()});
    EXPECT_TRUE(failed_saying(ambiguous,
                              {"2 peers on the tracker answer to 'twin'", ids[0].substr(0, 7),
                               ids[1].substr(0, 7), "give the peer ID instead"},
                              exit_code::not_found));
    EXPECT_TRUE(single_error_line(ambiguous));
    EXPECT_FALSE(std::filesystem::exists(box / "out/a.bin"));
}

TEST(PeerNamesTracker, ANameNobodyHasIsOneLineNamingTheLanAndTheTracker) {
    sandbox box;
    const auto client = box / "client-home";
    tracker_process tracker({"--home", (box / "tracker-home").string()});
    // Not a host name either (an apostrophe and a space), so no resolver is asked.
    const auto unknown = fetch({"nobody's box", "a.bin", "-o", (box / "out").string(), "--tracker",
                                tracker.address(), "--home", client.string()});
    EXPECT_TRUE(failed_saying(unknown,
                              {"no peer called 'nobody's box' seen on the LAN or the tracker (xfer "
                               "peers lists who is there)"},
                              exit_code::not_found));
    EXPECT_TRUE(single_error_line(unknown));
    EXPECT_FALSE(std::filesystem::exists(box / "out/a.bin"));
    const auto listed = xfer_here(
        {"ls", "nobody's box", "--tracker", tracker.address(), "--home", client.string()});
    EXPECT_TRUE(failed_saying(listed, {"seen on the LAN or the tracker"}, exit_code::not_found));
}

}  // namespace
}  // namespace xfer::test
