// Hostile receivers that never get past TLS (issue 9, classes 2 and 3 with TLS on every
// connection): hundreds of connections that start a handshake and never finish it must not
// lock a real fetch out of `xfer serve`, and a ClientHello trickled a byte at a time must not
// hold a slot past the HELLO deadline (the handshake counts against it).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
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

// The first flight a TLS 1.3 client sends (its ClientHello), made by OpenSSL into memory.
std::vector<uint8_t> client_hello() {
    SSL_CTX* context = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION);
    SSL* ssl = SSL_new(context);
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl, in, out);
    SSL_set_connect_state(ssl);
    (void)SSL_do_handshake(ssl);  // wants to read the ServerHello: the flight is in `out`
    std::vector<uint8_t> bytes(static_cast<size_t>(BIO_ctrl_pending(out)));
    BIO_read(out, bytes.data(), static_cast<int>(bytes.size()));
    SSL_free(ssl);
    SSL_CTX_free(context);
    return bytes;
}

// A plain TCP connection from `source` (a 127/8 address) to 127.0.0.1:port, or an invalid fd.
unique_fd tcp_connect(const std::string& source, uint16_t port) {
    unique_fd socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!socket) return {};
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    if (::bind(socket.get(), reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) return {};
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (::connect(socket.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) return {};
    return socket;
}

// True once the server closed (or reset) the connection: poll says readable and a read gets
// the end of stream, or an error.
bool closed_by_server(int fd) {
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, 0) <= 0) return false;
    uint8_t byte[512];
    const ssize_t got = ::recv(fd, byte, sizeof byte, MSG_DONTWAIT);
    return got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

TEST(TlsHandshake, AFetchIsServedWhileHundredsOfHandshakesNeverFinish) {
    sandbox box;
    const auto original = write_random_file(box / "src/a.bin", 3'000'000, 51);
    xfer_server server(box / "src");

    // More half-open connections than the whole table, every address at its limit: a third
    // send nothing, a third the record header of a ClientHello, a third all of it but one byte.
    const auto hello = client_hello();
    ASSERT_GT(hello.size(), 5u);
    const size_t per_address = sender::max_connections_per_address;
    const size_t addresses = sender::sender_options{}.max_connections / per_address + 4;
    std::vector<unique_fd> attack;
    for (size_t a = 1; a <= addresses; ++a) {
        const auto source = "127.0.1." + std::to_string(a);
        for (size_t i = 0; i < per_address; ++i) {
            auto socket = tcp_connect(source, server.port());
            ASSERT_TRUE(socket) << "cannot connect from " << source;
            const size_t part = attack.size() % 3 == 0   ? 0
                                : attack.size() % 3 == 1 ? 5
                                                         : hello.size() - 1;
            if (part > 0) (void)::send(socket.get(), hello.data(), part, MSG_NOSIGNAL);
            attack.push_back(std::move(socket));
        }
    }

    const auto fetched =
        run_xfer({"fetch", server.address(), "a.bin", "-o", (box / "out").string()});
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(original, box / "out/a.bin"), "");
    EXPECT_TRUE(server.process().running()) << server.process().describe();
}

TEST(TlsHandshake, AClientHelloTrickledAByteAtATimeIsDropped) {
    sandbox box;
    write_random_file(box / "src/a.bin", 1000, 52);
    xfer_server server(box / "src");
    const auto hello = client_hello();
    // Slow enough that the whole ClientHello would take four HELLO deadlines.
    const auto pause =
        std::chrono::duration_cast<std::chrono::milliseconds>(4 * sender::hello_deadline) /
        hello.size();
    auto socket = tcp_connect("127.0.0.1", server.port());
    ASSERT_TRUE(socket);
    size_t sent = 0;
    for (; sent < hello.size(); ++sent) {
        if (closed_by_server(socket.get())) break;
        if (::send(socket.get(), &hello[sent], 1, MSG_NOSIGNAL) != 1) break;
        std::this_thread::sleep_for(pause);
    }
    EXPECT_LT(sent, hello.size()) << "the whole ClientHello went in without the sender dropping it";
}

// Hundreds of connections that complete TLS, half of them also HELLO, and then send KEEPALIVE
// every 200 ms and nothing else, for as long as a real fetch runs: KEEPALIVE is not progress, so
// they cannot hold the slots the fetch needs.
TEST(TlsHandshake, AFetchIsServedWhileHundredsOfTlsConnectionsOnlyKeepAlive) {
    sandbox box;
    const auto original = write_random_file(box / "src/a.bin", 3'000'000, 54);
    xfer_server server(box / "src");
    const size_t per_address = sender::max_connections_per_address;
    const size_t addresses = sender::sender_options{}.max_connections / per_address + 2;
    std::vector<uint8_t> hello_bytes;
    wire::hello hello;
    hello.id = random_peer_id();
    wire::encode(hello, hello_bytes);
    std::vector<uint8_t> keepalive;
    wire::encode(wire::keepalive{}, keepalive);
    std::vector<std::unique_ptr<tls_peer>> attack;
    for (size_t a = 1; a <= addresses; ++a) {
        for (size_t i = 0; i < per_address; ++i) {
            auto peer =
                tls_peer::connect(server.port(), startup_timeout, "127.0.2." + std::to_string(a));
            if (!peer || !peer->ok()) continue;  // refused once the table is full: fine
            if (attack.size() % 2 == 0 && !peer->send(hello_bytes)) continue;
            peer->set_timeout(std::chrono::milliseconds(50));
            attack.push_back(std::move(peer));
        }
    }
    EXPECT_GE(attack.size(), sender::sender_options{}.max_connections / 2);
    std::atomic<bool> keeping_alive{true};
    std::thread alive([&] {
        while (keeping_alive) {
            for (auto& peer : attack) {
                if (peer) (void)peer->send(keepalive);
                if (peer) (void)peer->receive();  // drain what the sender says (its KEEPALIVEs)
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    });
    const auto fetched =
        run_xfer({"fetch", server.address(), "a.bin", "-o", (box / "out").string()});
    keeping_alive = false;
    alive.join();
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(original, box / "out/a.bin"), "");
}

// A LAN listener checks that an announced peer answers with a bare TCP connect (no byte sent):
// every serve on the LAN sees those, so they must not each cost a warning; a client that sends
// something that is not TLS still does.
TEST(TlsHandshake, APortCheckIsNoWarningButPlaintextIs) {
    sandbox box;
    write_random_file(box / "src/a.bin", 1000, 53);
    xfer_server server(box / "src");
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(tcp_connect("127.0.0.1", server.port()));
    {
        auto plaintext = tcp_connect("127.0.0.1", server.port());
        ASSERT_TRUE(plaintext);
        const std::string request = "GET / HTTP/1.1\r\n\r\n";
        (void)::send(plaintext.get(), request.data(), request.size(), MSG_NOSIGNAL);
    }
    const auto warned = [&] {
        const auto text = server.process().stderr_text();
        size_t count = 0;
        for (size_t at = text.find("no TLS handshake"); at != std::string::npos;
             at = text.find("no TLS handshake", at + 1))
            ++count;
        return count;
    };
    ASSERT_TRUE(eventually([&] { return warned() >= 1; })) << server.process().describe();
    EXPECT_EQ(warned(), 1u) << server.process().describe();
}

}  // namespace
}  // namespace xfer::test
