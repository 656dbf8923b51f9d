// tls_stream over a socketpair, both ends in this thread, nothing timed: the handshake proves
// each side's peer ID; a write the socket cannot take (WANT_WRITE) is retried with the same
// bytes until they all arrive; decrypted bytes TLS holds show as buffered input when poll sees
// nothing; a peer that speaks plaintext is told apart from a TLS failure.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <numeric>
#include <vector>

#include "shared/core/error.hpp"
#include "shared/net/send_queue.hpp"
#include "shared/tls/tls_stream.hpp"
#include "shared/wire/messages.hpp"
#include "tests/support/sandbox.hpp"
#include "tests/support/tls_peer.hpp"

namespace xfer::test {
namespace {

struct tls_pair {
    std::shared_ptr<const tls::tls_context> client_context = fresh_tls_context();
    std::shared_ptr<const tls::tls_context> server_context = fresh_tls_context();
    std::unique_ptr<tls::tls_stream> client;
    std::unique_ptr<tls::tls_stream> server;

    explicit tls_pair(int buffer_bytes = 0) {
        int fds[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
        if (buffer_bytes > 0) {
            for (const int fd : fds) {
                ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer_bytes, sizeof buffer_bytes);
                ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof buffer_bytes);
            }
        }
        client =
            std::make_unique<tls::tls_stream>(unique_fd(fds[0]), client_context, tls::side::client);
        server =
            std::make_unique<tls::tls_stream>(unique_fd(fds[1]), server_context, tls::side::server);
    }

    // Each side takes turns; a handshake needs a few round trips, never hundreds.
    bool handshake() {
        for (int turn = 0; turn < 100; ++turn) {
            if (client->advance().error || server->advance().error) return false;
            if (client->handshake_done() && server->handshake_done()) return true;
        }
        return false;
    }
};

std::vector<uint8_t> pattern(size_t size, uint8_t seed) {
    std::vector<uint8_t> bytes(size);
    for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 9));
    return bytes;
}

// Reads what is there now into `into`; true if anything came.
bool drain(tls::tls_stream& from, std::vector<uint8_t>& into) {
    uint8_t buffer[16384];
    bool any = false;
    for (;;) {
        const auto got = from.read_some(buffer);
        EXPECT_FALSE(got.error) << got.error.message() << " " << from.failure_detail();
        if (got.bytes == 0) return any;
        into.insert(into.end(), buffer, buffer + got.bytes);
        any = true;
    }
}

TEST(TlsStream, HandshakeProvesEachSidesPeerIdAndNamesTheCipher) {
    tls_pair pair;
    // Before the handshake neither side claims to know the other.
    EXPECT_EQ(pair.client->verified_peer(), nullptr);
    EXPECT_TRUE(pair.client->wants_write()) << "a client must send its ClientHello first";
    EXPECT_FALSE(pair.server->wants_write());
    ASSERT_TRUE(pair.handshake()) << pair.client->failure_detail() << pair.server->failure_detail();
    ASSERT_NE(pair.client->verified_peer(), nullptr);
    ASSERT_NE(pair.server->verified_peer(), nullptr);
    EXPECT_EQ(*pair.client->verified_peer(), pair.server_context->our_id());
    EXPECT_EQ(*pair.server->verified_peer(), pair.client_context->our_id());
    EXPECT_EQ(pair.client->describe().rfind("TLS 1.3 TLS_AES_128_GCM_SHA256, ", 0), 0u)
        << pair.client->describe();
}

TEST(TlsStream, BothEndsExportTheSameKeyingMaterialAndAnotherSessionDiffers) {
    tls_pair pair;
    std::array<uint8_t, 32> client{}, server{}, other{};
    EXPECT_FALSE(pair.client->export_keying_material("EXPORTER-xfer-test", client))
        << "exported before the handshake";
    ASSERT_TRUE(pair.handshake());
    ASSERT_TRUE(pair.client->export_keying_material("EXPORTER-xfer-test", client));
    ASSERT_TRUE(pair.server->export_keying_material("EXPORTER-xfer-test", server));
    EXPECT_EQ(client, server);
    EXPECT_NE(client, (std::array<uint8_t, 32>{}));
    tls_pair second;
    ASSERT_TRUE(second.handshake());
    ASSERT_TRUE(second.client->export_keying_material("EXPORTER-xfer-test", other));
    EXPECT_NE(client, other) << "two sessions share keying material";
}

TEST(TlsStream, WritesTheSocketCannotTakeAreRetriedUntilEveryByteArrives) {
    tls_pair pair(4096);
    ASSERT_TRUE(pair.handshake());
    const auto sent = pattern(3 * 1024 * 1024, 3);
    std::vector<uint8_t> received;
    size_t offset = 0;
    size_t blocked = 0;
    while (received.size() < sent.size()) {
        if (offset < sent.size()) {
            const auto step =
                pair.client->write_some({sent.data() + offset, sent.size() - offset}, false);
            ASSERT_FALSE(step.error) << pair.client->failure_detail();
            offset += step.bytes;
            if (step.would_block) ++blocked;
        }
        drain(*pair.server, received);
    }
    EXPECT_GT(blocked, 0u) << "the socket never pushed back: WANT_WRITE was not exercised";
    EXPECT_TRUE(received == sent) << "bytes differ after " << blocked << " blocked writes";
}

TEST(TlsStream, FileDataGoesOutWithTheHeaderBeforeItThroughSmallBuffers) {
    sandbox box;
    const auto file_bytes = pattern(700 * 1024 + 13, 9);
    box.write("f.bin", std::string(file_bytes.begin(), file_bytes.end()));
    const unique_fd file(::open((box / "f.bin").c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(file);
    tls_pair pair(4096);
    ASSERT_TRUE(pair.handshake());
    ASSERT_FALSE(pair.client->kernel_tls_send()) << "kernel TLS cannot run over a socketpair";

    const std::vector<uint8_t> header = {1, 2, 3, 4, 5, 6, 7};
    const auto accepted = pair.client->write_some(header, /*more=*/true);
    ASSERT_EQ(accepted.bytes, header.size());
    std::vector<uint8_t> received;
    const uint64_t start = 1000;  // from an offset, as a piece inside a file
    uint64_t done = 0;
    size_t blocked = 0;
    while (received.size() < header.size() + file_bytes.size() - start) {
        if (start + done < file_bytes.size()) {
            const auto step = pair.client->send_file(file.get(), start + done,
                                                     file_bytes.size() - start - done, false);
            ASSERT_FALSE(step.error) << step.error.message();
            done += step.bytes;
            if (step.would_block) ++blocked;
        }
        drain(*pair.server, received);
    }
    EXPECT_GT(blocked, 0u);
    std::vector<uint8_t> expected = header;
    expected.insert(expected.end(), file_bytes.begin() + start, file_bytes.end());
    EXPECT_TRUE(received == expected);
}

// A tree's block: a header and many small file ranges, gathered into one run of records (not a
// record and a socket write per file), exact in order even when the socket keeps pushing back.
TEST(TlsStream, ManySmallFileRangesGatheredBehindAHeaderArriveInOrder) {
    sandbox box;
    const auto file_bytes = pattern(700 * 1024, 11);
    box.write("small.bin", std::string(file_bytes.begin(), file_bytes.end()));
    const unique_fd file(::open((box / "small.bin").c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(file);
    tls_pair pair(4096);
    ASSERT_TRUE(pair.handshake());
    net::send_queue queue;
    std::vector<uint8_t> expected;
    for (int block = 0; block < 2; ++block) {
        const std::vector<uint8_t> header(9, static_cast<uint8_t>(0xa0 + block));
        queue.bytes_for_append() = header;
        expected.insert(expected.end(), header.begin(), header.end());
        // 120 ranges of 2,500 bytes: more than one staging chunk, so a run is cut in two.
        for (int range = 0; range < 120; ++range) {
            const uint64_t offset = (block * 120 + range) * 2500 + (range % 7);
            queue.append_file(nullptr, file.get(), offset, 2500);
            expected.insert(expected.end(), file_bytes.begin() + offset,
                            file_bytes.begin() + offset + 2500);
        }
    }
    std::vector<uint8_t> received;
    size_t blocked = 0;
    while (received.size() < expected.size()) {
        if (!queue.empty() || pair.client->wants_write()) {
            const auto step = queue.flush(*pair.client);
            ASSERT_FALSE(step.error) << step.error.message();
            if (step.would_block) ++blocked;
        }
        ASSERT_TRUE(drain(*pair.server, received) || !queue.empty() || pair.client->wants_write() ||
                    received.size() == expected.size())
            << "stuck: " << received.size() << " of " << expected.size() << " bytes";
    }
    EXPECT_GT(blocked, 0u);
    EXPECT_TRUE(received == expected);
    EXPECT_FALSE(pair.client->wants_write()) << "bytes left staged after the queue emptied";
}

TEST(TlsStream, BytesTlsHoldsAreBufferedInputWhenThePollSeesNothing) {
    tls_pair pair;
    ASSERT_TRUE(pair.handshake());
    // Three records; the server's read-ahead takes all of them off the socket at once.
    for (uint8_t record = 0; record < 3; ++record)
        ASSERT_EQ(pair.client->write_some(pattern(1000, record), false).bytes, 1000u);
    uint8_t small[10];
    ASSERT_EQ(pair.server->read_some(small).bytes, sizeof small);
    pollfd item{pair.server->fd(), POLLIN, 0};
    EXPECT_EQ(::poll(&item, 1, 0), 0) << "the socket still showed bytes; nothing to prove";
    EXPECT_TRUE(pair.server->has_buffered_input());
    std::vector<uint8_t> rest;
    drain(*pair.server, rest);
    EXPECT_EQ(rest.size(), 3000u - sizeof small);
    // After a read that would block, nothing is held: poll may wait.
    EXPECT_FALSE(pair.server->has_buffered_input());
}

TEST(TlsStream, APlaintextPeerIsNotTlsAndAGarbledRecordIsATlsFailure) {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    tls::tls_stream server(unique_fd(fds[1]), fresh_tls_context(), tls::side::server);
    const unique_fd plain(fds[0]);
    std::vector<uint8_t> hello;  // what an xfer before 0.2 sends first
    wire::encode(wire::hello{}, hello);
    ASSERT_EQ(::write(plain.get(), hello.data(), hello.size()), static_cast<ssize_t>(hello.size()));
    const auto step = server.advance();
    EXPECT_EQ(step.error, make_error_code(errc::not_tls)) << server.failure_detail();
    EXPECT_FALSE(server.wants_write());

    tls_pair pair;
    ASSERT_TRUE(pair.handshake());
    // A record with a flipped byte fails its AES-GCM tag: TLS itself failed, not "not TLS".
    const auto record = pattern(64, 1);
    ASSERT_EQ(pair.client->write_some(record, false).bytes, record.size());
    uint8_t wire_bytes[256];
    const ssize_t taken = ::recv(pair.server->fd(), wire_bytes, sizeof wire_bytes, 0);
    ASSERT_GT(taken, 20);
    wire_bytes[taken - 1] ^= 0x55;
    // Put the damaged record back where the server reads it: through the client's socket end.
    ASSERT_EQ(::send(pair.client->fd(), wire_bytes, static_cast<size_t>(taken), 0), taken);
    uint8_t out[64];
    EXPECT_EQ(pair.server->read_some(out).error, make_error_code(errc::tls_failed));
}

}  // namespace
}  // namespace xfer::test
