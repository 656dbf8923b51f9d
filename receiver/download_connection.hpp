// One remote sender we pull from: connect, HELLO, OPEN, then REQUEST/CANCEL up and PIECE/HAVE
// down. It is a transport with bookkeeping of its requests; what to request and what a message
// means for the fetch is decided by its listener (the fetcher).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "shared/core/ids.hpp"
#include "shared/net/address.hpp"
#include "shared/net/frame_reader.hpp"
#include "shared/net/send_queue.hpp"
#include "shared/net/stream.hpp"
#include "shared/wire/messages.hpp"

namespace xfer::receiver {

class download_connection;

class download_listener {
public:
    virtual ~download_listener() = default;
    virtual std::error_code on_message(download_connection& from, wire::message& message) = 0;
    virtual std::span<uint8_t> block_destination(download_connection& from, const wire::piece_header& header,
                                                 uint32_t length) = 0;
    virtual std::error_code block_received(download_connection& from, const wire::piece_header& header,
                                           uint32_t length) = 0;
};

class download_connection final : private net::block_sink {
public:
    using clock = std::chrono::steady_clock;
    enum class phase { connecting, open, closed };

    download_connection(uint64_t key, net::endpoint source, download_listener& listener);

    // Starts a non-blocking connect; the error string names the address on failure.
    std::string start(const wire::hello& our_hello, const wire::open_request& open);

    uint64_t key() const { return key_; }
    const net::endpoint& source() const { return source_; }
    const std::string& label() const { return label_; }
    phase state() const { return phase_; }
    int fd() const { return stream_ ? stream_->fd() : -1; }
    // ZMQ_POLLIN / ZMQ_POLLOUT for a zmq::pollitem_t (not the poll(2) values).
    short poll_events() const;
    bool has_buffered_input() const { return stream_ && stream_->has_buffered_input(); }

    // Handles poll results. An error (with a reason) means: drop this connection.
    std::error_code on_poll(short revents, std::string& reason);

    // Requests all blocks of a piece (handle 1).
    void request_piece(uint32_t piece_index, uint32_t piece_length);
    // Cancels what is still outstanding of a piece; returns true if anything was outstanding.
    bool cancel_piece(uint32_t piece_index);
    void send_keepalive_if_idle(clock::time_point now);
    void send_close_and_bye();

    // The block arrived: no longer outstanding.
    void block_arrived(uint32_t piece_index, uint32_t offset);
    bool has_outstanding(uint32_t piece_index) const { return outstanding_.contains(piece_index); }
    uint64_t bytes_in_flight() const { return bytes_in_flight_; }
    size_t pieces_in_flight() const { return outstanding_.size(); }
    std::set<uint32_t> pieces_outstanding() const;

    uint64_t bytes_received() const { return bytes_received_; }
    bool ever_connected() const { return ever_connected_; }
    clock::time_point last_data() const { return last_data_; }
    void set_label(std::string label) { label_ = std::move(label); }

    // Set by the fetcher from HELLO.
    peer_id remote_id{};
    bool hello_done = false;
    bool manifest_done = false;
    std::vector<bool> remote_has;
    // What the source said when it refused us (its ERROR text), for the user.
    std::string failure;
    // Smoothed receive rate, bytes per second (updated by the fetcher's tick).
    double rate = 0;
    uint64_t rate_mark = 0;

private:
    std::span<uint8_t> block_destination(const wire::piece_header& header, uint32_t length) override;
    std::error_code block_received(const wire::piece_header& header, uint32_t length) override;
    std::error_code flush();

    const uint64_t key_;
    const net::endpoint source_;
    download_listener& listener_;
    std::string label_;
    phase phase_ = phase::connecting;
    bool ever_connected_ = false;
    std::unique_ptr<net::stream> stream_;
    net::frame_reader reader_;
    net::send_queue queue_;
    std::map<uint32_t, std::map<uint32_t, uint32_t>> outstanding_;  // piece -> offset -> length
    uint64_t bytes_in_flight_ = 0;
    uint64_t bytes_received_ = 0;
    clock::time_point last_data_ = clock::now();
    clock::time_point last_sent_ = clock::now();
};

}  // namespace xfer::receiver
