#include "shared/net/address.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace xfer::net {

std::string endpoint::to_string() const {
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

std::expected<endpoint, std::string> parse_endpoint(std::string_view text, uint16_t default_port) {
    endpoint result;
    result.port = default_port;
    std::string_view port_text;
    if (text.empty()) return std::unexpected("empty address");
    if (text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos)
            return std::unexpected("missing ']' in address '" + std::string(text) + "'");
        result.host = std::string(text.substr(1, close - 1));
        const auto rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':')
                return std::unexpected("bad address '" + std::string(text) + "'");
            port_text = rest.substr(1);
        }
    } else {
        const auto colon = text.rfind(':');
        // More than one colon without brackets: a bare IPv6 literal with no port.
        if (colon != std::string_view::npos && text.find(':') == colon) {
            result.host = std::string(text.substr(0, colon));
            port_text = text.substr(colon + 1);
        } else {
            result.host = std::string(text);
        }
    }
    if (result.host.empty()) result.host = "0.0.0.0";
    if (!port_text.empty() || (text.back() == ':')) {
        unsigned value = 0;
        const auto [end, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
        if (ec != std::errc{} || end != port_text.data() + port_text.size() || value > 65535) {
            return std::unexpected("bad port in address '" + std::string(text) + "'");
        }
        result.port = static_cast<uint16_t>(value);
    }
    return result;
}

std::expected<std::vector<resolved_address>, std::string> resolve(const endpoint& where,
                                                                  bool passive) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    addrinfo* list = nullptr;
    const std::string port = std::to_string(where.port);
    const int rc = ::getaddrinfo(where.host.c_str(), port.c_str(), &hints, &list);
    if (rc != 0) return std::unexpected("cannot resolve '" + where.host + "': " + gai_strerror(rc));
    std::vector<resolved_address> out;
    for (auto* item = list; item != nullptr; item = item->ai_next) {
        resolved_address address;
        std::memcpy(&address.storage, item->ai_addr, item->ai_addrlen);
        address.length = item->ai_addrlen;
        address.family = item->ai_family;
        out.push_back(address);
    }
    ::freeaddrinfo(list);
    if (out.empty()) return std::unexpected("no address for '" + where.host + "'");
    return out;
}

endpoint to_endpoint(const sockaddr* address, socklen_t) {
    char text[INET6_ADDRSTRLEN] = {};
    endpoint result;
    if (address->sa_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
        ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
        result.port = ntohs(v4->sin_port);
    } else if (address->sa_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
        ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
        result.port = ntohs(v6->sin6_port);
    }
    result.host = text;
    return result;
}

std::string to_string(const sockaddr* address, socklen_t length) {
    return to_endpoint(address, length).to_string();
}

}  // namespace xfer::net
