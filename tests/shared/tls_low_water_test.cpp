// A TLS record's segments wake its reader once, when the record is whole (issue 13: a swarm
// host's CPU goes per wake-up). The client end is a socketpair whose ciphertext the test carries
// by hand onto a loopback TCP connection, a few thousand bytes at a time, so what the server's
// poll sees after each part is known. Nothing is timed: the test waits until the kernel shows
// the bytes it carried (SIOCINQ), then asks poll with a zero timeout.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "shared/tls/record_tracker.hpp"
#include "shared/tls/tls_stream.hpp"
#include "tests/support/tls_peer.hpp"

namespace xfer::test {
namespace {

// A loopback TCP connection: the accepted end and the connecting end.
std::pair<unique_fd, unique_fd> tcp_pair() {
    unique_fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), length), 0);
    EXPECT_EQ(::listen(listener.get(), 1), 0);
    EXPECT_EQ(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &length), 0);
    unique_fd dialled(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    EXPECT_EQ(::connect(dialled.get(), reinterpret_cast<sockaddr*>(&address), length), 0);
    unique_fd accepted(::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    return {std::move(accepted), std::move(dialled)};
}

// Everything readable on `fd` now (non-blocking).
std::vector<uint8_t> take_all(int fd) {
    std::vector<uint8_t> bytes;
    uint8_t buffer[65536];
    for (ssize_t got; (got = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT)) > 0;)
        bytes.insert(bytes.end(), buffer, buffer + got);
    return bytes;
}

void send_all(int fd, std::span<const uint8_t> bytes) {
    ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
}

// Waits (bounded, a condition not a time) until `fd` has at least `bytes` unread.
bool shows_at_least(int fd, int bytes) {
    for (int attempt = 0; attempt < 5000; ++attempt) {
        int queued = 0;
        if (::ioctl(fd, SIOCINQ, &queued) == 0 && queued >= bytes) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
}

bool readable_now(int fd) {
    pollfd item{fd, POLLIN, 0};
    return ::poll(&item, 1, 0) == 1 && (item.revents & POLLIN);
}

int low_water(int fd) {
    int mark = 0;
    socklen_t size = sizeof mark;
    EXPECT_EQ(::getsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &mark, &size), 0);
    return mark;
}

struct carried_tls {
    std::unique_ptr<tls::tls_stream> client;
    std::unique_ptr<tls::tls_stream> server;
    unique_fd client_wire;  // the socketpair end the client's ciphertext comes out of
    unique_fd server_wire;  // the TCP end that feeds the server

    carried_tls() {
        int fds[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
        client_wire = unique_fd(fds[1]);
        client = std::make_unique<tls::tls_stream>(unique_fd(fds[0]), fresh_tls_context(),
                                                   tls::side::client);
        auto [accepted, dialled] = tcp_pair();
        server_wire = std::move(dialled);
        server = std::make_unique<tls::tls_stream>(std::move(accepted), fresh_tls_context(),
                                                   tls::side::server);
    }

    // Each side takes turns and the test carries what each wrote to the other.
    bool handshake() {
        for (int turn = 0; turn < 100; ++turn) {
            if (client->advance().error) return false;
            const auto to_server = take_all(client_wire.get());
            if (!to_server.empty()) {
                send_all(server_wire.get(), to_server);
                if (!shows_at_least(server->fd(), static_cast<int>(to_server.size()))) return false;
            }
            if (server->advance().error) return false;
            const auto to_client = take_all(server_wire.get());
            if (!to_client.empty()) send_all(client_wire.get(), to_client);
            if (client->handshake_done() && server->handshake_done()) return true;
        }
        return false;
    }
};

TEST(TlsLowWater, ARecordsSegmentsWakeTheReaderOnlyOnceTheRecordIsWhole) {
    carried_tls tls;
    ASSERT_TRUE(tls.handshake());
    std::vector<uint8_t> plaintext(16000);
    for (size_t i = 0; i < plaintext.size(); ++i) plaintext[i] = static_cast<uint8_t>(i * 13);
    ASSERT_EQ(tls.client->write_some(plaintext, false).bytes, plaintext.size());
    const auto record = take_all(tls.client_wire.get());
    ASSERT_GT(record.size(), plaintext.size());  // one record: header, body and tag
    const std::span<const uint8_t> wire(record);
    const int server_fd = tls.server->fd();

    // Its first 3,000 bytes: OpenSSL can open nothing yet, and the mark is the rest.
    send_all(tls.server_wire.get(), wire.first(3000));
    ASSERT_TRUE(shows_at_least(server_fd, 3000));
    uint8_t out[20000];
    const auto first = tls.server->read_some(out);
    EXPECT_TRUE(first.would_block);
    EXPECT_EQ(first.bytes, 0u);
    EXPECT_EQ(low_water(server_fd), static_cast<int>(record.size()) - 3000);

    // 10,000 more, still short of the record's end: the socket holds them, poll stays quiet.
    send_all(tls.server_wire.get(), wire.subspan(3000, 10000));
    ASSERT_TRUE(shows_at_least(server_fd, 10000));
    EXPECT_FALSE(readable_now(server_fd)) << "a part of a record woke the reader";

    // The rest: now it wakes, and the whole record reads back as it was written.
    send_all(tls.server_wire.get(), wire.subspan(13000));
    ASSERT_TRUE(shows_at_least(server_fd, static_cast<int>(record.size()) - 3000));
    EXPECT_TRUE(readable_now(server_fd));
    std::vector<uint8_t> received;
    for (;;) {
        const auto got = tls.server->read_some(out);
        ASSERT_FALSE(got.error) << tls.server->failure_detail();
        if (got.bytes == 0) break;
        received.insert(received.end(), out, out + got.bytes);
    }
    EXPECT_EQ(received, plaintext);
    // At a record boundary any byte is worth a wake again (a 35-byte HAVE must not wait).
    EXPECT_EQ(low_water(server_fd), 1);
}

TEST(TlsLowWater, TheTrackerFollowsRecordsSplitAnywhere) {
    tls::record_tracker records;
    const uint8_t header[] = {0x17, 0x03, 0x03, 0x01, 0x00};  // a 256-byte body
    records.consumed(std::span(header).first(2));
    EXPECT_EQ(records.bytes_to_record_end(), 0u);  // the length is not in yet
    records.consumed(std::span(header).subspan(2));
    EXPECT_EQ(records.bytes_to_record_end(), 256u);
    const std::vector<uint8_t> body(250, 0xAA);
    records.consumed(body);
    EXPECT_EQ(records.bytes_to_record_end(), 6u);
    // The end of one record, an empty one, and the start of a third, in one read.
    std::vector<uint8_t> read(6, 0xAA);
    const uint8_t empty[] = {0x17, 0x03, 0x03, 0x00, 0x00};
    const uint8_t third[] = {0x17, 0x03, 0x03, 0x40, 0x11, 0xBB};  // 16,401 bytes, one seen
    read.insert(read.end(), std::begin(empty), std::end(empty));
    read.insert(read.end(), std::begin(third), std::end(third));
    records.consumed(read);
    EXPECT_EQ(records.bytes_to_record_end(), 16400u);
    records.consumed(std::vector<uint8_t>(16400, 0xBB));
    EXPECT_EQ(records.bytes_to_record_end(), 0u);  // a boundary
}

}  // namespace
}  // namespace xfer::test
