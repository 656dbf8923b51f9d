// `xfer serve --tracker` and `xfer fetch --tracker` end to end: registration, fetching from
// every holder, a holder joining mid-fetch, and entries that do not speak xfer.
// These need presence wired into serve and peer_finder into fetch.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "shared/core/fd.hpp"
#include "shared/discovery/tracker_key.hpp"
#include "tests/support/discovery_fixtures.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/e2e_net.hpp"
#include "tests/support/tree_fixtures.hpp"

namespace xfer::test {
namespace {

constexpr size_t file_size = 8 << 20;

// `xfer serve DIR --tracker T --name NAME --listen 127.0.0.1:0 --no-lan`, waited for.
std::unique_ptr<child_process> serve(const std::filesystem::path& directory,
                                     const std::string& tracker, const std::string& name) {
    auto child = std::make_unique<child_process>(
        std::vector<std::string>{XFER_BINARY, "serve", directory.string(), "--tracker", tracker,
                                 "--name", name, "--listen", "127.0.0.1:0", "--no-lan"});
    if (!child->wait_for_line("serving ", discovery_deadline)) ADD_FAILURE() << child->describe();
    return child;
}

uint16_t served_port(child_process& server) {
    const auto line = server.wait_for_line("serving ", 1s);
    return line ? net::parse_endpoint(last_word(*line), 0).value().port : 0;
}

// Waits until every name has a line in `xfer peers` that starts with the name and holds `shows`
// (by default: a content complete).
void wait_until_listed(const std::string& tracker, const std::vector<std::string>& names,
                       const std::string& shows = "100%") {
    const auto deadline = std::chrono::steady_clock::now() + discovery_deadline;
    while (std::chrono::steady_clock::now() < deadline) {
        child_process peers({XFER_BINARY, "peers", "--tracker", tracker});
        ASSERT_EQ(peers.wait(discovery_deadline), 0) << peers.describe();
        size_t found = 0;
        for (const auto& line : peers.stdout_lines()) {
            for (const auto& name : names)
                found += line.starts_with(name + "  ") && line.find(shows) != std::string::npos;
        }
        if (found == names.size()) return;
    }
    FAIL() << "peers never listed all of the servers with " << shows;
}

// A TCP server on 127.0.0.1 that answers every connection with bytes that are not xfer.
class impostor {
  public:
    impostor() : socket_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(socket_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
        ::listen(socket_.get(), 16);
        socklen_t length = sizeof address;
        ::getsockname(socket_.get(), reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] {
            while (!stop_) {
                unique_fd client(::accept(socket_.get(), nullptr, nullptr));
                if (!client) continue;
                const std::string junk = "HTTP/1.0 400 Bad Request\r\n\r\nnot xfer";
                [[maybe_unused]] auto sent =
                    ::send(client.get(), junk.data(), junk.size(), MSG_NOSIGNAL);
            }
        });
    }
    ~impostor() {
        stop_ = true;
        ::shutdown(socket_.get(), SHUT_RDWR);
        thread_.join();
    }
    uint16_t port() const { return port_; }

  private:
    unique_fd socket_;
    uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

TEST(DiscoveryFetchE2E, ServeRegistersAndPeersListsIt) {
    scratch_directory scratch;
    tracker_process tracker;
    std::vector<std::unique_ptr<child_process>> servers;
    for (const std::string name : {"one", "two", "three"}) {
        write_test_file(scratch.path() / name / (name + ".bin"), 4096, 1);
        servers.push_back(serve(scratch.path() / name, tracker.address(), name));
    }
    wait_until_listed(tracker.address(), {"one", "two", "three"});
    child_process peers({XFER_BINARY, "peers", "--tracker", tracker.address()});
    ASSERT_EQ(peers.wait(discovery_deadline), 0);
    const auto lines = peers.stdout_lines();
    ASSERT_EQ(lines.size(), 3u) << peers.describe();
    EXPECT_NE(lines[0].find("127.0.0.1:" + std::to_string(served_port(*servers[0])) +
                            "  one.bin (4096 bytes, 100%)"),
              std::string::npos)
        << lines[0];

    child_process watch({XFER_BINARY, "peers", "--tracker", tracker.address(), "--watch"});
    ASSERT_TRUE(watch.wait_for_line("three", discovery_deadline)) << watch.describe();
    servers[2]->send_signal(SIGKILL);
    EXPECT_TRUE(watch.wait_for_line(
        "leave three 127.0.0.1:" + std::to_string(served_port(*servers[2])), discovery_deadline))
        << watch.describe();
}

TEST(DiscoveryFetchE2E, FetchTrackerPullsFromEveryHolder) {
    scratch_directory scratch;
    tracker_process tracker;
    std::vector<std::unique_ptr<child_process>> servers;
    for (const std::string name : {"h1", "h2", "h3"}) {
        write_test_file(scratch.path() / name / "data.bin", file_size, 42);
        servers.push_back(serve(scratch.path() / name, tracker.address(), name));
    }
    wait_until_listed(tracker.address(), {"h1", "h2", "h3"});
    const auto out = scratch.path() / "out";
    std::filesystem::create_directories(out);
    child_process fetch({XFER_BINARY, "fetch", "--tracker", tracker.address(), "data.bin", "-o",
                         out.string(), "-v"});
    ASSERT_EQ(fetch.wait(discovery_deadline * 2), 0) << fetch.describe();
    EXPECT_TRUE(fetch.wait_for_line("fetched", 1s)) << fetch.describe();
    EXPECT_TRUE(file_bytes(out / "data.bin") == file_bytes(scratch.path() / "h1" / "data.bin"));
    // -v logs each source as it is used: every holder's address must be among them.
    const auto log = fetch.stderr_text();
    for (auto& server : servers) {
        const auto address = "127.0.0.1:" + std::to_string(served_port(*server));
        EXPECT_NE(log.find(address), std::string::npos) << "holder " << address << " not used\n"
                                                        << log;
    }
}

// A tree by path (DIR/): the tracker names the files a peer holds, so a peer with files under
// proj/ is asked for the tree, and every holder serves part of it.
TEST(DiscoveryFetchE2E, FetchTrackerByTreePathPullsTheTreeFromEveryHolder) {
    scratch_directory scratch;
    tracker_process tracker;
    std::vector<std::unique_ptr<child_process>> servers;
    for (const std::string name : {"h1", "h2", "h3"}) {
        // The same tree, times included: one version (one content id) at every holder.
        const auto tree = scratch.path() / name / "proj";
        for (int i = 0; i < 6; ++i)
            write_test_file(tree / ("f" + std::to_string(i)), 200'000 + 1'000 * i, 60 + i);
        write_test_file(tree / "sub" / "big.bin", file_size, 66);
        for (const auto& item : std::filesystem::recursive_directory_iterator(tree))
            if (item.is_regular_file()) set_mtime(item.path(), 1'600'000'000, 0);
        set_mtime(tree / "sub", 1'600'000'000, 0);
        set_mtime(tree, 1'600'000'000, 0);
        servers.push_back(serve(scratch.path() / name, tracker.address(), name));
    }
    const auto tree = scratch.path() / "h1" / "proj";
    wait_until_listed(tracker.address(), {"h1", "h2", "h3"});
    const auto out = scratch.path() / "out";
    child_process fetch(
        {XFER_BINARY, "fetch", "--tracker", tracker.address(), "proj/", "-o", out.string(), "-v"});
    ASSERT_EQ(fetch.wait(discovery_deadline * 2), 0) << fetch.describe();
    EXPECT_EQ(tree_difference(tree, out / "proj"), "");
    const auto log = fetch.stderr_text();
    for (auto& server : servers) {
        const auto address = "127.0.0.1:" + std::to_string(served_port(*server));
        EXPECT_NE(log.find(address), std::string::npos) << "holder " << address << " not used\n"
                                                        << log;
    }
}

// A fetch of a tree in progress with --listen registers the tree ("proj", so far), and a later
// fetch of proj/ through the tracker pulls from it too: a tree swarms as a file does.
TEST(DiscoveryFetchE2E, ATreeFetchInProgressIsFoundAsAHolderOfTheTree) {
    scratch_directory scratch;
    tracker_process tracker;
    const auto tree = scratch.path() / "seed" / "proj";
    for (int i = 0; i < 4; ++i)
        write_test_file(tree / ("f" + std::to_string(i)), 300'000 + i, 70 + i);
    write_test_file(tree / "sub" / "big.bin", file_size, 75);
    auto seeder = serve(scratch.path() / "seed", tracker.address(), "seed");
    wait_until_listed(tracker.address(), {"seed"});
    const auto leech_address = "127.0.0.1:" + std::to_string(pick_free_port());
    child_process leech({XFER_BINARY, "fetch", "--tracker", tracker.address(), "proj/", "-o",
                         (scratch.path() / "leech").string(), "--listen", leech_address,
                         "--limit-down", "1M", "--linger", "0", "--name", "leech"});
    // The tree in progress registered (as "proj", its size and share so far).
    ASSERT_NO_FATAL_FAILURE(wait_until_listed(tracker.address(), {"leech"}, "  proj ("))
        << leech.describe();
    const auto out = scratch.path() / "out";
    child_process fetch(
        {XFER_BINARY, "fetch", "--tracker", tracker.address(), "proj/", "-o", out.string(), "-v"});
    ASSERT_EQ(fetch.wait(discovery_deadline * 2), 0) << fetch.describe();
    EXPECT_EQ(tree_difference(tree, out / "proj"), "");
    EXPECT_NE(fetch.stderr_text().find(leech_address), std::string::npos)
        << "the fetch in progress was not asked\n"
        << fetch.describe();
    ASSERT_EQ(leech.wait(discovery_deadline * 4), 0) << leech.describe();
    EXPECT_EQ(tree_difference(tree, scratch.path() / "leech" / "proj"), "");
}

TEST(DiscoveryFetchE2E, HolderJoiningMidFetchIsUsed) {
    scratch_directory scratch;
    tracker_process tracker;
    write_test_file(scratch.path() / "frozen" / "data.bin", file_size, 43);
    write_test_file(scratch.path() / "late" / "data.bin", file_size, 43);
    auto frozen = serve(scratch.path() / "frozen", tracker.address(), "frozen");
    wait_until_listed(tracker.address(), {"frozen"});
    // Registered but unable to answer: the fetch can only finish from a peer that joins later.
    frozen->send_signal(SIGSTOP);
    const auto out = scratch.path() / "out";
    std::filesystem::create_directories(out);
    child_process fetch(
        {XFER_BINARY, "fetch", "--tracker", tracker.address(), "data.bin", "-o", out.string()});
    const auto deadline = std::chrono::steady_clock::now() + discovery_deadline;
    while (!has_tcp_connection(fetch.pid(), served_port(*frozen)) && fetch.running() &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
    }
    ASSERT_TRUE(has_tcp_connection(fetch.pid(), served_port(*frozen)))
        << "the fetch should have found the frozen holder via the tracker\n"
        << fetch.describe();

    auto late = serve(scratch.path() / "late", tracker.address(), "late");
    const auto status = fetch.wait(discovery_deadline * 2);
    frozen->send_signal(SIGCONT);
    ASSERT_EQ(status, 0) << fetch.describe();
    EXPECT_TRUE(file_bytes(out / "data.bin") == file_bytes(scratch.path() / "late" / "data.bin"));
}

TEST(DiscoveryFetchE2E, EntryThatDoesNotSpeakXferFailsCleanly) {
    scratch_directory scratch;
    tracker_process tracker;
    impostor fake;
    presence_spec spec{"liar",      tracker.address(),
                       false,       fake.port(),
                       "127.0.0.1", {test_content("data.bin", 9, file_size, 32, 32)}};
    // Signed with this installation's key, so the fetch by path trusts the record and tries
    // the address (an untrusted signer would not be tried at all: discovery_trust_test).
    spec.environment = {"XFER_TEST_PRESENCE_OWN_IDENTITY=1"};
    auto liar = start_presence(spec);
    ASSERT_TRUE(liar->wait_for_line("presence ready", discovery_deadline)) << liar->describe();
    wait_until_listed(tracker.address(), {"liar"});

    const auto out = scratch.path() / "out";
    std::filesystem::create_directories(out);
    child_process alone(
        {XFER_BINARY, "fetch", "--tracker", tracker.address(), "data.bin", "-o", out.string()});
    const auto failed = alone.wait(discovery_deadline * 2);
    ASSERT_TRUE(failed) << "a fetch whose only holder is not xfer must end, not hang\n"
                        << alone.describe();
    EXPECT_NE(*failed, 0) << alone.describe();
    EXPECT_LT(*failed, 128) << "an error exit, not a crash\n" << alone.describe();
    EXPECT_FALSE(alone.stderr_text().empty());

    write_test_file(scratch.path() / "real" / "data.bin", file_size, 44);
    auto real = serve(scratch.path() / "real", tracker.address(), "real");
    wait_until_listed(tracker.address(), {"liar", "real"});
    child_process fetch(
        {XFER_BINARY, "fetch", "--tracker", tracker.address(), "data.bin", "-o", out.string()});
    ASSERT_EQ(fetch.wait(discovery_deadline * 2), 0) << fetch.describe();
    EXPECT_TRUE(file_bytes(out / "data.bin") == file_bytes(scratch.path() / "real" / "data.bin"));
}

TEST(DiscoveryFetchE2E, NoHolderIsAClearError) {
    scratch_directory scratch;
    tracker_process tracker;
    child_process fetch({XFER_BINARY, "fetch", "--tracker", tracker.address(),
                         "nobody-has-this.bin", "-o", scratch.path().string()});
    const auto status = fetch.wait(discovery_deadline * 2);
    ASSERT_TRUE(status) << fetch.describe();
    EXPECT_EQ(*status, exit_code::not_found) << fetch.describe();
    EXPECT_NE(fetch.stderr_text().find("nobody-has-this.bin"), std::string::npos)
        << fetch.describe();
}

TEST(DiscoveryFetchE2E, ASilentTrackerIsNamedAsSilentNotAsEmpty) {
    // Port 1 on loopback: nothing listens, so the tracker never answers. That is a network
    // failure to report as such, not "no peer has it" (a loaded tracker that answers late must
    // not be taken for one that answered "nobody").
    scratch_directory scratch;
    const auto key =
        discovery::format_tracker_key(discovery::tracker_keypair::generate().public_key());
    child_process fetch({XFER_BINARY, "fetch", "--tracker", key + "@127.0.0.1:1", "some.bin", "-o",
                         scratch.path().string(), "--stall-timeout", "1"});
    const auto status = fetch.wait(discovery_deadline * 2);
    ASSERT_TRUE(status) << fetch.describe();
    EXPECT_EQ(*status, exit_code::network) << fetch.describe();
    EXPECT_NE(fetch.stderr_text().find("no answer from tracker 127.0.0.1:1 within"),
              std::string::npos)
        << fetch.describe();
    EXPECT_EQ(fetch.stderr_text().find("no peer has"), std::string::npos) << fetch.describe();
    EXPECT_TRUE(std::filesystem::is_empty(scratch.path())) << "nothing written";
}

}  // namespace
}  // namespace xfer::test
