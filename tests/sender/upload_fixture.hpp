// What the sender's unit tests share: a store in a sandbox, the sender_context an upload
// connection runs in, and scripted receivers: each an upload_connection over a fake_stream, fed
// encoded frames and decoded back from what the connection wrote. No sockets, no clock: every
// read is dated by the test.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "sender/upload_connection.hpp"
#include "shared/hash/sha256.hpp"
#include "shared/manifest/manifest.hpp"
#include "shared/net/frame_reader.hpp"
#include "shared/store/piece_store.hpp"
#include "tests/support/fake_stream.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {

using clock = sender::upload_connection::clock;
inline const clock::time_point t0 = clock::time_point{} + std::chrono::hours(1);

// What a receiver read from the connection: every message but PIECE, and PIECE headers.
struct heard {
    std::vector<wire::message> messages;
    std::vector<wire::piece_header> pieces;
    std::vector<wire::pairing_message> pairing;  // PAIR_REPLY frames

    template <typename Message>
    std::vector<Message> all() const {
        std::vector<Message> found;
        for (const auto& message : messages) {
            if (const auto* m = std::get_if<Message>(&message)) found.push_back(*m);
        }
        return found;
    }
};

class scripted_receiver : private net::block_sink {
  public:
    scripted_receiver(uint64_t id, sender::sender_context& context, wire::hello hello,
                      std::optional<std::array<uint8_t, 32>> exporter = std::nullopt) {
        auto stream = std::make_unique<fake_stream>();
        stream->exporter = exporter;
        stream_ = stream.get();
        connection = std::make_unique<sender::upload_connection>(
            id, std::move(stream), net::endpoint{"127.0.0.9", 40000}, context);
        say(hello);
    }

    // Queues a frame for the connection to read at its next on_readable.
    template <typename Message>
    void say(const Message& message) {
        wire::encode(message, stream_->input);
    }
    std::error_code deliver(clock::time_point now = t0) { return connection->on_readable(now); }
    // The receiver stops reading its socket: every write would block (until reading resumes).
    void stop_reading() { stream_->max_write_chunk = 0; }
    void resume_reading() { stream_->max_write_chunk = std::numeric_limits<size_t>::max(); }
    // Everything the connection wrote since the last call (writes until the queue is drained).
    // `now`: when the writes happen (a seeder's promise windows start when a piece has left).
    heard listen(clock::time_point now = t0) {
        while (connection->wants_write()) {
            if (auto ec = connection->on_writable(now)) {
                ADD_FAILURE() << "write failed: " << ec.message();
                break;
            }
        }
        fake_stream in;
        in.input.assign(stream_->output.begin() + static_cast<long>(read_), stream_->output.end());
        read_ = stream_->output.size();
        heard result;
        current_ = &result;
        const auto pumped = reader_.pump(
            in,
            [&](wire::message_type type, std::span<const uint8_t> body) -> std::error_code {
                if (type >= wire::message_type::pair_init) {  // decoded apart (pairing)
                    auto pairing = wire::decode_pairing(type, body);
                    if (!pairing) return pairing.error();
                    result.pairing.push_back(std::move(*pairing));
                    return {};
                }
                auto message = wire::decode(type, body);
                if (!message) return message.error();
                result.messages.push_back(std::move(*message));
                return {};
            },
            this, std::numeric_limits<size_t>::max());
        EXPECT_FALSE(pumped.error) << pumped.error.message();
        return result;
    }

    // Bytes the connection wrote so far, and the data of the last PIECE heard.
    size_t written() const { return stream_->output.size(); }
    const std::vector<uint8_t>& last_block() const { return scratch_; }

    std::unique_ptr<sender::upload_connection> connection;

  private:
    std::span<uint8_t> block_destination(const wire::piece_header& header,
                                         uint32_t length) override {
        current_->pieces.push_back(header);
        scratch_.resize(length);
        return scratch_;
    }
    std::error_code block_received(const wire::piece_header&, uint32_t) override { return {}; }

    fake_stream* stream_ = nullptr;
    size_t read_ = 0;
    net::frame_reader reader_;
    heard* current_ = nullptr;
    std::vector<uint8_t> scratch_;
};

class upload_test : public ::testing::Test {
  protected:
    static constexpr uint32_t piece_size = 256 * 1024;  // the smallest: one block per piece
    static constexpr uint32_t piece_count = 4;

    upload_test() { peer_events_.set(zmq::sockopt::linger, 0); }

    static wire::hello receiver_hello(uint8_t id, uint16_t listen_port = 0) {
        wire::hello hello;
        hello.id[0] = id;
        hello.listen_port = listen_port;
        return hello;
    }

    std::unique_ptr<scripted_receiver> connect(uint64_t id, uint16_t listen_port = 0) {
        auto receiver = std::make_unique<scripted_receiver>(
            id, context_, receiver_hello(static_cast<uint8_t>(id), listen_port));
        EXPECT_FALSE(receiver->deliver()) << "HELLO refused";
        const auto answer = receiver->listen();
        EXPECT_EQ(answer.all<wire::hello>().size(), 1u) << "no HELLO back";
        return receiver;
    }

    // A complete shared file of piece_count pieces.
    std::shared_ptr<content_entry> complete_file(const std::string& name) {
        box_.write("store/" + name, pseudo_random_bytes(piece_size * piece_count, 7));
        auto entry = store_->open_for_serving(name, std::nullopt);
        EXPECT_TRUE(entry) << entry.error().message();
        return entry ? *entry : nullptr;
    }

    // A partial file in the store that holds only `had` of piece_count pieces (verified).
    std::shared_ptr<content_entry> partial_file(const std::string& name,
                                                const std::vector<uint32_t>& had) {
        const auto bytes = pseudo_random_bytes(piece_size * piece_count, 11);
        const auto piece_bytes = [&](uint32_t piece) {
            return std::span<const uint8_t>(bytes).subspan(size_t{piece} * piece_size, piece_size);
        };
        manifest m;
        m.file_size = bytes.size();
        m.piece_size = piece_size;
        for (uint32_t piece = 0; piece < piece_count; ++piece)
            m.piece_hashes.push_back(sha256(piece_bytes(piece)));
        auto entry = store_->open_for_fetching(name, encode_manifest(m), /*overwrite=*/false);
        EXPECT_TRUE(entry) << entry.error().message();
        if (!entry) return nullptr;
        for (const auto piece : had) {
            const auto ec = store_->write_piece(**entry, piece, piece_bytes(piece));
            EXPECT_FALSE(ec) << ec.message();
        }
        return *entry;
    }

    // What the content opener would hand back for an OPEN of `entry` on `handle`.
    static void opened(scripted_receiver& receiver, uint32_t handle,
                       const std::shared_ptr<content_entry>& entry) {
        sender::open_result result{{receiver.connection->id(), handle, entry->path, std::nullopt},
                                   entry};
        receiver.connection->on_opened(result);
    }

    static wire::request request(uint32_t handle, uint32_t piece) {
        return wire::request{{handle, piece, 0, piece_size}};
    }

    sandbox box_;
    std::shared_ptr<piece_store> store_ =
        *piece_store::open(box_ / "store", /*create=*/true, box_ / "cache");
    zmq::context_t zmq_;
    sender::content_opener opener_{zmq_, store_};
    zmq::socket_t peer_events_{zmq_, zmq::socket_type::pub};
    sender::piece_promises promises_;
    sender::site_fanout fanout_;
    wire::hello our_hello_ = receiver_hello(0x5e);  // the sender's: only its id matters here
    session::peer_check authorize_;  // a test may set a policy; unset accepts every peer
    sender::sender_context context_{*store_,   opener_, our_hello_, peer_events_,
                                    promises_, fanout_, authorize_};
};

}  // namespace xfer::test
