// A hostile sender that names many addresses in PEERS must not make a fetch connect to all of
// them: the test owns a listener on each named address and counts the connections that arrive.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "receiver/introduced_peers.hpp"
#include "shared/core/fd.hpp"
#include "shared/core/ids.hpp"
#include "shared/wire/messages.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/e2e_net.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

// Listens on `host`, any free port; returns the port (0 on failure).
uint16_t listen_on(const unique_fd& fd, const std::string& host) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    ::inet_pton(AF_INET, host.c_str(), &address.sin_addr);
    auto* raw = reinterpret_cast<sockaddr*>(&address);
    socklen_t length = sizeof address;
    if (::bind(fd.get(), raw, length) != 0 || ::listen(fd.get(), 64) != 0 ||
        ::getsockname(fd.get(), raw, &length) != 0) {
        return 0;
    }
    return ntohs(address.sin_port);
}

// Listeners on 127.0.0.2, 127.0.0.3...: each connection is counted and closed at once.
class counting_listeners {
  public:
    explicit counting_listeners(int count) {
        for (int i = 0; i < count; ++i) {
            unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
            const auto host = "127.0.0." + std::to_string(i + 2);
            const auto port = listen_on(fd, host);
            if (port == 0) throw std::runtime_error("cannot listen on " + host);
            named.push_back({port, host});
            listeners_.push_back(std::move(fd));
        }
        thread_ = std::thread([this] { count_until_stopped(); });
    }
    ~counting_listeners() { stop(); }
    // Stops counting after taking every connection already queued; returns the count.
    int stop() {
        stopping_ = true;
        if (thread_.joinable()) thread_.join();
        return accepted_;
    }

    std::vector<wire::peer_address> named;

  private:
    void count_until_stopped() {
        std::vector<pollfd> items;
        for (const auto& fd : listeners_) items.push_back({fd.get(), POLLIN, 0});
        for (;;) {
            const bool last_pass = stopping_.load();
            ::poll(items.data(), items.size(), last_pass ? 0 : 50);
            for (const auto& item : items) {
                while (const int client = ::accept4(item.fd, nullptr, nullptr, SOCK_CLOEXEC)) {
                    if (client < 0) break;
                    ++accepted_;
                    ::close(client);
                }
            }
            if (last_pass) return;
        }
    }

    std::vector<unique_fd> listeners_;
    std::atomic<bool> stopping_{false};
    int accepted_ = 0;  // the counting thread's until stop() joins it
    std::thread thread_;
};

TEST(PeerAddresses, AFetchConnectsToAtMostTheBoundOfAddressesOnePeerNames) {
    sandbox box;
    counting_listeners targets(150);
    // HELLO, then PEERS frames naming every target (and again, in case a frame is dropped).
    std::vector<uint8_t> script;
    wire::hello hello;
    hello.id = random_peer_id();
    wire::encode(hello, script);
    for (int round = 0; round < 2; ++round) {
        for (size_t first = 0; first < targets.named.size(); first += wire::max_peers_per_message) {
            wire::peers_msg peers{1, {}};
            for (size_t i = first;
                 i < targets.named.size() && i < first + wire::max_peers_per_message; ++i) {
                peers.peers.push_back(targets.named[i]);
            }
            wire::encode(peers, script);
        }
    }
    scripted_peer introducer(script, /*hold_open=*/false);
    const auto fetched =
        run_xfer({"fetch", introducer.address(), "a.bin", "-o", (box / "out").string()}, 60s);
    EXPECT_NE(fetched.status, 0) << fetched.describe();
    const int attempts = targets.stop();
    EXPECT_GT(attempts, 0) << "the fetch did not follow PEERS at all: " << fetched.describe();
    EXPECT_LE(attempts, static_cast<int>(receiver::max_introduced_per_introducer))
        << fetched.describe();
    EXPECT_FALSE(std::filesystem::exists(box / "out/a.bin"));
}

// Connections waiting in a listener's queue (the kernel completes a loopback connect without an
// accept, and keeps it queued after the client closes).
int queued_connections(const unique_fd& listener) {
    int count = 0;
    while (const int client = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC)) {
        if (client < 0) break;
        ++count;
        ::close(client);
    }
    return count;
}

TEST(PeerAddresses, AFetchNeverDialsUnspecifiedMulticastOrBroadcastAddresses) {
    sandbox box;
    unique_fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    const uint16_t port = listen_on(listener, "127.0.0.1");
    ASSERT_NE(port, 0);
    // 0.0.0.0:PORT reaches 127.0.0.1:PORT on Linux: a disguised second address of this host.
    // The last, a plain 127.0.0.1:PORT, shows that the PEERS frame was acted on. (Port 0 in
    // PEERS is a malformed frame already; for connect-back and discovery see wire_address.)
    const std::vector<wire::peer_address> named{
        {port, "0.0.0.0"},          {port, "::ffff:0.0.0.0"},  {port, "224.0.0.1"},
        {port, "239.255.74.20"},    {port, "255.255.255.255"}, {port, "ff02::1"},
        {port, "::ffff:224.0.0.1"}, {port, "127.0.0.1"}};
    std::vector<uint8_t> script;
    wire::hello hello;
    hello.id = random_peer_id();
    wire::encode(hello, script);
    wire::encode(wire::peers_msg{1, named}, script);
    scripted_peer introducer(script, /*hold_open=*/false);
    const auto fetched =
        run_xfer({"fetch", "-v", introducer.address(), "a.bin", "-o", (box / "out").string()}, 60s);
    EXPECT_NE(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(queued_connections(listener), 1) << "only 127.0.0.1:" << port << " may be dialled\n"
                                               << fetched.describe();
    EXPECT_NE(fetched.err.find("ignoring peer address 0.0.0.0:" + std::to_string(port) +
                               ": an unspecified address"),
              std::string::npos)
        << fetched.describe();
}

}  // namespace
}  // namespace xfer::test
