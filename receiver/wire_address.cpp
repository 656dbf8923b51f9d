#include "receiver/wire_address.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstring>

namespace xfer::receiver {
namespace {

std::optional<std::string> undialable_v4(const std::array<uint8_t, 4>& a) {
    if (a[0] == 0) return "an unspecified address (0.0.0.0/8)";
    if (a[0] >= 224 && a[0] <= 239) return "a multicast address";
    if (a[0] >= 240) return "a reserved or broadcast address";
    return std::nullopt;
}

}  // namespace

std::optional<std::string> undialable_reason(const net::endpoint& where) {
    if (where.port == 0) return "port 0";
    std::array<uint8_t, 4> v4{};
    if (::inet_pton(AF_INET, where.host.c_str(), v4.data()) == 1) return undialable_v4(v4);
    std::array<uint8_t, 16> v6{};
    if (::inet_pton(AF_INET6, where.host.c_str(), v6.data()) != 1)
        return "not a numeric IP address (a peer may not make us look up names)";
    if (v6[0] == 0xff) return "a multicast address";
    static constexpr std::array<uint8_t, 16> unspecified{};
    if (v6 == unspecified) return "the unspecified address (::)";
    // ::ffff:a.b.c.d is that IPv4 address.
    static constexpr uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(v6.data(), mapped_prefix, sizeof mapped_prefix) == 0)
        return undialable_v4({v6[12], v6[13], v6[14], v6[15]});
    return std::nullopt;
}

}  // namespace xfer::receiver
