// No lost HAVE: a real sender over TCP, a remote receiver with a partial content open, and
// piece-verified events of which some are dropped on purpose (the publisher's test hook, as a
// full high-water mark or a late subscription would). Every verified piece must still reach the
// receiver as HAVE: the sender notices the gap in the events' sequence numbers (or a heartbeat
// ahead of them) and resyncs from the store's bitfield.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "sender/sender.hpp"
#include "shared/bus/sequence.hpp"
#include "shared/net/socket.hpp"
#include "shared/wire/messages.hpp"
#include "tests/shared/piece_store_fixture.hpp"
#include "tests/support/tls_peer.hpp"

namespace xfer::sender {
namespace {

using namespace std::chrono_literals;

// A client speaking the wire protocol over TLS, reading with a short timeout so the test can
// keep the bus going while it waits.
class wire_client {
  public:
    explicit wire_client(const net::endpoint& sender) {
        peer_ = test::tls_peer::connect(sender.port, 10s);
        EXPECT_TRUE(peer_ && peer_->ok()) << "no TLS session with the sender";
        if (peer_) peer_->set_timeout(100ms);
    }

    void send(const wire::message& message) {
        std::vector<uint8_t> out;
        wire::encode(message, out);
        ASSERT_TRUE(peer_ && peer_->send(out));
    }

    // The next whole message, or nullopt if none arrived within the read timeout.
    std::optional<wire::message> receive() {
        if (!peer_) return std::nullopt;
        uint8_t raw[wire::frame_header_size];
        if (!read_exact(raw, sizeof raw, /*may_time_out=*/true)) return std::nullopt;
        wire::frame_header header{};
        EXPECT_FALSE(wire::validate_header(raw, header));
        std::vector<uint8_t> body(header.length);
        if (!read_exact(body.data(), body.size(), /*may_time_out=*/false)) return std::nullopt;
        auto message = wire::decode(header.type, body);
        EXPECT_TRUE(message) << "type " << int(header.type);
        if (!message) return std::nullopt;
        return *message;
    }

  private:
    // Once a frame has started, the rest is waited for (the sender writes it at once).
    bool read_exact(uint8_t* out, size_t size, bool may_time_out) {
        size_t done = 0;
        while (done < size) {
            const auto step = peer_->stream().read_some({out + done, size - done});
            EXPECT_FALSE(step.error || step.closed) << "the sender closed the connection";
            if (step.error || step.closed) return false;
            done += step.bytes;
            if (done == size || step.bytes > 0 || peer_->stream().has_buffered_input()) continue;
            pollfd item{peer_->fd(), POLLIN, 0};
            if (::poll(&item, 1, 100) == 0 && done == 0 && may_time_out) return false;
        }
        return true;
    }
    std::unique_ptr<test::tls_peer> peer_;
};

// The parameter: the sender serves from its own store object on the same directory, as an
// `xfer serve` beside an `xfer fetch` does (so missed bits must come from the resume state on
// disk), rather than from the fetching store itself (one process, `xfer fetch --listen`).
class LostHave : public test::store_test, public ::testing::WithParamInterface<bool> {
  protected:
    void SetUp() override {
        store_ = open_store();
        ASSERT_TRUE(store_);
        source_ = test::make_source(6 * wire::block_size, 42);
        ASSERT_GE(source_.m.piece_count(), 4u);
        auto entry = store_->open_for_fetching("f.bin", source_.encoded, false);
        ASSERT_TRUE(entry) << entry.error().message();
        entry_ = *entry;
        sender_options options;
        options.listen = {"127.0.0.1", 0};
        options.id = random_peer_id();
        options.tls = test::test_tls_context();
        options.bind_directory_bus = false;
        options.prehash = false;
        auto serving = store_;
        if (GetParam()) {
            auto separate = piece_store::open(root(), /*create=*/false, manifest_cache_dir());
            ASSERT_TRUE(separate) << separate.error().message();
            serving = *separate;
        }
        auto started = sender::start(context_, serving, options);
        ASSERT_TRUE(started) << started.error();
        sender_ = std::move(*started);
        pub_.set(zmq::sockopt::linger, 0);
        pub_.connect(bus::store_events_endpoint);
    }

    // A receiver that opened f.bin and read its MANIFEST and (empty) BITFIELD.
    std::unique_ptr<wire_client> open_receiver() {
        auto client = std::make_unique<wire_client>(sender_->listening());
        wire::hello hello;
        hello.id = random_peer_id();
        client->send(hello);
        client->send(wire::open_request{1, source_.id, "f.bin"});
        bool got_bitfield = false;
        for (int reads = 0; reads < 600 && !got_bitfield; ++reads) {
            auto message = client->receive();
            if (!message) continue;
            if (auto* bits = std::get_if<wire::bitfield_msg>(&*message)) {
                EXPECT_EQ(bits->bits, std::vector<uint8_t>(bits->bits.size(), 0))
                    << "nothing had yet";
                got_bitfield = true;
            }
            EXPECT_FALSE(std::holds_alternative<wire::error_msg>(*message))
                << std::get<wire::error_msg>(*message).text;
        }
        EXPECT_TRUE(got_bitfield) << "the sender never answered OPEN";
        return client;
    }

    void verify_piece(uint32_t piece) {
        ASSERT_FALSE(store_->write_piece(*entry_, piece, source_.piece(piece)));
        publisher_.publish({bus::event_type::piece_verified, source_.id, piece, {}});
    }

    // HAVEs the receiver hears until it has heard of every piece in `wanted` (or a minute passed:
    // then the test fails). Meanwhile the publisher heartbeats, as the fetch loop does.
    std::set<uint32_t> haves_until(wire_client& client, const std::set<uint32_t>& wanted) {
        std::set<uint32_t> heard;
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while (!std::includes(heard.begin(), heard.end(), wanted.begin(), wanted.end()) &&
               std::chrono::steady_clock::now() < deadline) {
            publisher_.heartbeat();
            while (auto message = client.receive()) {
                if (auto* have = std::get_if<wire::have>(&*message)) {
                    EXPECT_EQ(have->handle, 1u);
                    heard.insert(have->piece);
                }
            }
        }
        return heard;
    }

    zmq::context_t context_;
    std::shared_ptr<piece_store> store_;
    test::source_content source_;
    std::shared_ptr<content_entry> entry_;
    std::unique_ptr<sender> sender_;
    zmq::socket_t pub_{context_, zmq::socket_type::pub};
    bus::sequenced_publisher publisher_{pub_};
};

TEST_P(LostHave, ADroppedPieceVerifiedEventStillBecomesHave) {
    auto receiver = open_receiver();
    std::set<uint32_t> dropped;
    publisher_.drop_for_test([&](const bus::event& e) {
        if (e.piece != 1) return false;
        dropped.insert(e.piece);
        return true;
    });
    for (const uint32_t piece : {0u, 1u, 2u}) verify_piece(piece);
    ASSERT_EQ(dropped, (std::set<uint32_t>{1})) << "the hook dropped piece 1's event";
    const auto heard = haves_until(*receiver, {0, 1, 2});
    EXPECT_TRUE(heard.contains(1)) << "HAVE for the piece whose event was dropped";
    EXPECT_EQ(heard, (std::set<uint32_t>{0, 1, 2})) << "and no HAVE for a piece not verified";
}

TEST_P(LostHave, TheLastEventDroppedIsCaughtByTheHeartbeat) {
    auto receiver = open_receiver();
    publisher_.drop_for_test([](const bus::event& e) { return e.piece == 3; });
    verify_piece(0);
    verify_piece(3);  // no event follows it: only a heartbeat can reveal its loss
    EXPECT_EQ(haves_until(*receiver, {0, 3}), (std::set<uint32_t>{0, 3}));
}

TEST_P(LostHave, EveryEventDroppedStillAnnouncesEveryPiece) {
    auto receiver = open_receiver();
    publisher_.drop_for_test([](const bus::event&) { return true; });
    std::set<uint32_t> all;
    for (uint32_t piece = 0; piece < source_.m.piece_count(); ++piece) {
        verify_piece(piece);
        all.insert(piece);
    }
    EXPECT_EQ(haves_until(*receiver, all), all);
}

INSTANTIATE_TEST_SUITE_P(Store, LostHave, ::testing::Values(false, true), [](const auto& info) {
    return info.param ? "SeparateProcessStore" : "SharedStore";
});

}  // namespace
}  // namespace xfer::sender
