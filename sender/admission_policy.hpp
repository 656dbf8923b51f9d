// Which connection a sender gives up when a new one arrives and its table is full, so that a
// few hundred idle or half-open connections cannot lock legitimate receivers out. Pure: the
// sender loop describes its connections, the policy answers; `now` is passed in.
//
// Order of sacrifice: a connection that has not completed HELLO (oldest first), then the one
// idle longest (no useful message: LIST, OPEN, REQUEST...; KEEPALIVE does not count) among
// those with no content open and nothing in flight. A connection being served is never evicted.
// One address holds at most max_connections_per_address; past that it gives up its own slots.
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
    };

    struct decision {
        bool admit = false;
        std::optional<uint64_t> evict;  // close this one first
    };

    admission_policy(size_t max_connections, size_t max_per_address)
        : max_connections_(max_connections), max_per_address_(max_per_address) {}

    decision admit(const std::string& address, std::span<const connection_view> current,
                   clock::time_point now) const;

    // True when a connection has not completed HELLO within hello_deadline.
    static bool hello_overdue(const connection_view& connection, clock::time_point now) {
        return !connection.greeted && now - connection.accepted_at > hello_deadline;
    }

  private:
    const size_t max_connections_;
    const size_t max_per_address_;
};

}  // namespace xfer::sender
