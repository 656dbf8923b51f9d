// HOST[:PORT] endpoints as users type them, resolved to socket addresses.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace xfer::net {

inline constexpr uint16_t default_sender_port = 7420;
inline constexpr uint16_t default_tracker_port = 7421;

struct endpoint {
    std::string host;  // name or literal; "[::1]" brackets are stripped
    uint16_t port = 0;

    std::string to_string() const;  // "host:port", IPv6 literals in brackets
    friend bool operator==(const endpoint&, const endpoint&) = default;
};

// Parses "host", "host:port", "[v6]:port" or ":port". A missing port becomes default_port;
// a missing host (":port") becomes "0.0.0.0" for listening. Returns a message on bad input.
std::expected<endpoint, std::string> parse_endpoint(std::string_view text, uint16_t default_port);

struct resolved_address {
    sockaddr_storage storage{};
    socklen_t length = 0;
    int family = 0;
};

// getaddrinfo wrapper; numeric hosts never touch DNS.
std::expected<std::vector<resolved_address>, std::string> resolve(const endpoint& where,
                                                                  bool passive);

// Textual form of a socket address: "1.2.3.4:5" or "[::1]:5".
std::string to_string(const sockaddr* address, socklen_t length);
endpoint to_endpoint(const sockaddr* address, socklen_t length);

}  // namespace xfer::net
