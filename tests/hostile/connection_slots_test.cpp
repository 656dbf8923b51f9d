// Hostile receivers against a sender's connection slots: hundreds of connections that do a
// HELLO and then only sit there, from one address and from many (127.0.0.2, 127.0.0.3...: all of
// 127/8 is loopback), must not lock a real fetch out; and a HELLO trickled a byte at a time
// must not hold a slot.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "sender/admission_policy.hpp"
#include "sender/sender.hpp"
#include "shared/core/fd.hpp"
#include "shared/core/ids.hpp"
#include "shared/wire/messages.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

std::vector<uint8_t> encoded_hello(const std::string& listen_host = "") {
    wire::hello hello;
    hello.id = random_peer_id();
    hello.listen_host = listen_host;
    std::vector<uint8_t> bytes;
    wire::encode(hello, bytes);
    return bytes;
}

// A blocking TCP connection from `source` (a 127.x.y.z address) to 127.0.0.1:port.
unique_fd connect_from(const std::string& source, uint16_t port) {
    unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
        ::connect(fd.get(), reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
        return unique_fd{};
    }
    return fd;
}

// Waits (bounded) for the first 5 bytes the server sends: true if they head a HELLO frame.
bool answered_with_hello(int fd) {
    uint8_t header[5];
    size_t got = 0;
    while (got < sizeof header) {
        pollfd item{fd, POLLIN, 0};
        if (::poll(&item, 1, static_cast<int>(startup_timeout.count())) <= 0) return false;
        const ssize_t n = ::recv(fd, header + got, sizeof header - got, 0);
        if (n <= 0) return false;
        got += static_cast<size_t>(n);
    }
    return header[4] == static_cast<uint8_t>(wire::message_type::hello);
}

// Still open: no end of stream among what the server sent (a KEEPALIVE is fine).
bool still_open(int fd) {
    uint8_t buffer[4096];
    for (;;) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n > 0) continue;
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
}

TEST(ConnectionSlots, AFetchIsServedWhileIdleConnectionsFillTheTable) {
    sandbox box;
    const auto original = write_random_file(box / "src/a.bin", 3'000'000, 41);
    xfer_server server(box / "src");

    // More idle, HELLO'd connections than the sender's whole table, each address at its limit:
    // 127.0.0.1 (where the fetch comes from too) and 127.0.0.2 onwards.
    const size_t per_address = sender::max_connections_per_address;
    const size_t addresses = sender::sender_options{}.max_connections / per_address + 2;
    std::vector<unique_fd> attack;
    const auto hello = encoded_hello();
    for (size_t a = 1; a <= addresses; ++a) {
        const auto source = "127.0.0." + std::to_string(a);
        for (size_t i = 0; i < per_address; ++i) {
            auto fd = connect_from(source, server.port());
            ASSERT_TRUE(fd) << "cannot connect from " << source;
            ASSERT_EQ(::send(fd.get(), hello.data(), hello.size(), MSG_NOSIGNAL),
                      static_cast<ssize_t>(hello.size()));
            attack.push_back(std::move(fd));
        }
    }
    size_t greeted = 0;
    for (const auto& fd : attack) greeted += answered_with_hello(fd.get()) ? 1 : 0;
    EXPECT_GE(greeted, sender::sender_options{}.max_connections) << "the attack filled the table";

    const auto fetched =
        run_xfer({"fetch", server.address(), "a.bin", "-o", (box / "out").string()});
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(original, box / "out/a.bin"), "");

    // The attack was still going on: most of its connections were kept, only a few evicted.
    size_t open = 0;
    for (const auto& fd : attack) open += still_open(fd.get()) ? 1 : 0;
    EXPECT_GE(open, sender::sender_options{}.max_connections - 2 * per_address);
}

TEST(ConnectionSlots, AHelloTrickledAByteAtATimeIsDropped) {
    sandbox box;
    write_random_file(box / "src/a.bin", 1000, 42);
    xfer_server server(box / "src");
    // Long enough that trickling it takes several hello deadlines.
    const auto hello = encoded_hello(std::string(200, 'h'));
    const auto pause =
        std::chrono::duration_cast<std::chrono::milliseconds>(4 * sender::hello_deadline) /
        hello.size();
    auto fd = connect_from("127.0.0.1", server.port());
    ASSERT_TRUE(fd);
    size_t sent = 0;
    for (; sent < hello.size(); ++sent) {
        if (!still_open(fd.get())) break;
        if (::send(fd.get(), &hello[sent], 1, MSG_NOSIGNAL) != 1) break;
        std::this_thread::sleep_for(pause);
    }
    EXPECT_LT(sent, hello.size()) << "the whole HELLO went in without the sender dropping it";
}

}  // namespace
}  // namespace xfer::test
