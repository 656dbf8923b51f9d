// Which connection a sender gives up when a new one arrives and its table is full, so that a
// few hundred idle or half-open connections cannot lock legitimate receivers out. Pure: the
// sender loop describes its connections, the policy answers; `now` is passed in.
//
// Order of sacrifice: a connection that has not completed HELLO (oldest first), then the one
// idle longest (no useful message: LIST, OPEN, REQUEST...; KEEPALIVE does not count) among
// those with no content open and nothing in flight, then the one stalled longest among those
// that hold content open or output queued but made no progress (no useful message, no file
// data taken by its socket) for served_grace: a receiver that OPENs and never reads holds a
// slot only until a newcomer needs it. A connection making progress is never evicted.
// One address holds at most max_connections_per_address, one peer ID (proved by TLS) at most
// max_connections_per_peer; past that they give up their own slots.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace xfer::sender {

// Concurrent connections one remote address may hold at a sender.
inline constexpr size_t max_connections_per_address = 16;
// Concurrent connections one peer ID may hold at a sender (from any addresses).
inline constexpr size_t max_connections_per_peer = 16;
// A connection with content open or output queued that made no progress for this long may be
// evicted for a newcomer (a receiver being served asks or takes data far more often).
inline constexpr auto served_grace = std::chrono::seconds(10);
// A receiver completes its HELLO this soon after connecting, or is dropped (bytes trickled in
// one at a time do not keep a connection).
inline constexpr auto hello_deadline = std::chrono::seconds(10);

class admission_policy {
  public:
    using clock = std::chrono::steady_clock;

    // What the policy needs to know about one connection.
    struct connection_view {
        uint64_t id = 0;
        std::string address;   // the remote host, without the port
        bool greeted = false;  // HELLO completed
        bool busy = false;     // content open, an OPEN or requests in flight, output queued
        clock::time_point accepted_at{};
        clock::time_point last_useful{};  // HELLO or the last request-like message
        // last_useful, or later when its socket last took file data we queued for it
        clock::time_point last_progress{};
        std::string peer;  // its peer ID once TLS proved it, else empty
    };

    struct decision {
        bool admit = false;
        std::optional<uint64_t> evict;  // close this one first
    };

    admission_policy(size_t max_connections, size_t max_per_address,
                     size_t max_per_peer = max_connections_per_peer)
        : max_connections_(max_connections),
          max_per_address_(max_per_address),
          max_per_peer_(max_per_peer) {}

    decision admit(const std::string& address, std::span<const connection_view> current,
                   clock::time_point now) const;
    // A connection whose TLS handshake proved `peer` (it is in `current`, with id `newcomer`):
    // admitted when that peer holds fewer than max_per_peer, else after evicting one of that
    // peer's other connections; refused if none of them may go.
    decision admit_peer(const std::string& peer, uint64_t newcomer,
                        std::span<const connection_view> current, clock::time_point now) const;

    // True when a connection has not completed HELLO within hello_deadline.
    static bool hello_overdue(const connection_view& connection, clock::time_point now) {
        return !connection.greeted && now - connection.accepted_at > hello_deadline;
    }

  private:
    const size_t max_connections_;
    const size_t max_per_address_;
    const size_t max_per_peer_;
};

}  // namespace xfer::sender
