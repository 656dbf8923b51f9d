// TLS for test peers: contexts with throwaway identities, and a small blocking-with-timeout
// client or server side over a connected socket, so scripted and hostile peers speak TLS the way
// xfer peers do and their scripts reach the frame reader behind it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shared/core/fd.hpp"
#include "shared/tls/tls_context.hpp"
#include "shared/tls/tls_stream.hpp"
#include "shared/wire/messages.hpp"

namespace xfer::test {

// A context with a fresh in-memory Ed25519 identity: each call is another peer.
std::shared_ptr<const tls::tls_context> fresh_tls_context();
// The test home's identity (that of every xfer the tests start without --home), where who is
// who does not matter: xfer trusts it as its own.
const std::shared_ptr<const tls::tls_context>& test_tls_context();

// One TLS connection driven to completion step by step, each step bounded by `timeout`.
class tls_peer {
  public:
    // Takes a connected socket (blocking or not) and completes the handshake; check ok().
    tls_peer(unique_fd socket, tls::side role, std::chrono::milliseconds timeout,
             std::shared_ptr<const tls::tls_context> context = test_tls_context());
    // Connects to 127.0.0.1:port (from `source`, another 127/8 address, when given).
    static std::unique_ptr<tls_peer> connect(
        uint16_t port, std::chrono::milliseconds timeout, const std::string& source = {},
        std::shared_ptr<const tls::tls_context> context = test_tls_context());

    bool ok() const { return ok_; }
    int fd() const { return stream_->fd(); }
    tls::tls_stream& stream() { return *stream_; }

    // Everything, or false (closed, failed, or no progress within the timeout).
    bool send(const std::vector<uint8_t>& bytes);
    bool send(const uint8_t* data, size_t size);
    // Up to `capacity` bytes, or nullopt when nothing came within the timeout; an empty vector
    // means the peer closed (or failed).
    std::optional<std::vector<uint8_t>> receive(size_t capacity = 64 * 1024);
    // Exactly `size` bytes, or false.
    bool receive_exact(uint8_t* into, size_t size);
    void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

  private:
    bool wait(bool for_write);

    std::unique_ptr<tls::tls_stream> stream_;
    std::chrono::milliseconds timeout_;
    bool ok_ = false;
};

// For scripted senders: a listening socket on 127.0.0.1 at a free port (stored in `port`);
// throws std::runtime_error if it cannot listen.
unique_fd listen_on_loopback(uint16_t& port);
// The next whole peer message from `peer`, or nullopt when it closed, timed out or sent garbage.
std::optional<wire::message> receive_message(tls_peer& peer);

}  // namespace xfer::test
