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
#include "tests/support/tls_peer.hpp"

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

// A TLS connection from `source` (a 127.x.y.z address) to 127.0.0.1:port, as an xfer receiver
// makes: the attack has to get past the handshake like anyone else.
std::unique_ptr<tls_peer> connect_from(const std::string& source, uint16_t port) {
    auto peer = tls_peer::connect(port, startup_timeout, source);
    if (!peer || !peer->ok()) return nullptr;
    return peer;
}

// Waits (bounded) for the first 5 bytes the server sends: true if they head a HELLO frame.
bool answered_with_hello(tls_peer& peer) {
    uint8_t header[5];
    if (!peer.receive_exact(header, sizeof header)) return false;
    return header[4] == static_cast<uint8_t>(wire::message_type::hello);
}

// Still open: no end of stream among what the server sent (a KEEPALIVE is fine).
bool still_open(tls_peer& peer) {
    peer.set_timeout(std::chrono::milliseconds(0));
    for (;;) {
        const auto got = peer.receive();
        if (!got) return true;           // nothing more now: open
        if (got->empty()) return false;  // closed or failed
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
    std::vector<std::unique_ptr<tls_peer>> attack;
    const auto hello = encoded_hello();
    for (size_t a = 1; a <= addresses; ++a) {
        const auto source = "127.0.0." + std::to_string(a);
        for (size_t i = 0; i < per_address; ++i) {
            auto peer = connect_from(source, server.port());
            ASSERT_TRUE(peer) << "cannot connect (TLS) from " << source;
            ASSERT_TRUE(peer->send(hello));
            attack.push_back(std::move(peer));
        }
    }
    size_t greeted = 0;
    for (const auto& peer : attack) greeted += answered_with_hello(*peer) ? 1 : 0;
    EXPECT_GE(greeted, sender::sender_options{}.max_connections) << "the attack filled the table";

    const auto fetched =
        run_xfer({"fetch", server.address(), "a.bin", "-o", (box / "out").string()});
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(original, box / "out/a.bin"), "");

    // The attack was still going on: most of its connections were kept, only a few evicted.
    size_t open = 0;
    for (const auto& peer : attack) open += still_open(*peer) ? 1 : 0;
    EXPECT_GE(open, sender::sender_options{}.max_connections - 2 * per_address);
}

TEST(ConnectionSlots, AFetchIsServedWhileConnectionsHoldContentOpenWithoutReading) {
    sandbox box;
    const auto original = write_random_file(box / "src/a.bin", 3'000'000, 43);
    xfer_server server(box / "src");
    // Each attack connection does HELLO and OPEN, then never reads a byte nor asks for any:
    // it holds content open (it used to count as being served, never evicted).
    const size_t per_address = sender::max_connections_per_address;
    const size_t addresses = sender::sender_options{}.max_connections / per_address + 2;
    auto opening = encoded_hello();
    wire::encode(wire::open_request{1, content_id{}, "a.bin"}, opening);
    std::vector<std::unique_ptr<tls_peer>> attack;
    for (size_t a = 1; a <= addresses; ++a) {
        const auto source = "127.0.0." + std::to_string(a);
        for (size_t i = 0; i < per_address; ++i) {
            // Once the table is full of connections that just OPENed, newcomers are refused.
            auto peer = connect_from(source, server.port());
            if (peer && peer->send(opening)) attack.push_back(std::move(peer));
        }
    }
    EXPECT_GE(attack.size(), sender::sender_options{}.max_connections) << "the table is full";
    // A lower bound only: by then every attack connection has made no progress for longer than
    // the grace a connection being served has (a slower machine only makes them staler).
    std::this_thread::sleep_for(sender::served_grace + 1s);
    const auto fetched =
        run_xfer({"fetch", server.address(), "a.bin", "-o", (box / "out").string()});
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(original, box / "out/a.bin"), "");
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
    auto peer = connect_from("127.0.0.1", server.port());
    ASSERT_TRUE(peer);
    size_t sent = 0;
    for (; sent < hello.size(); ++sent) {
        if (!still_open(*peer)) break;
        peer->set_timeout(startup_timeout);
        if (!peer->send(&hello[sent], 1)) break;
        std::this_thread::sleep_for(pause);
    }
    EXPECT_LT(sent, hello.size()) << "the whole HELLO went in without the sender dropping it";
}

}  // namespace
}  // namespace xfer::test
