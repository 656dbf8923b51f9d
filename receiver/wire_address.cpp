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

// What Linux takes as an interface name: 1..15 bytes, no '/', ':', '%' or space.
bool valid_interface_name(std::string_view name) {
    if (name.empty() || name.size() > 15) return false;
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok) return false;
    }
    return true;
}

}  // namespace

std::optional<std::string> undialable_reason(const net::endpoint& where) {
    if (where.port == 0) return "port 0";
    std::array<uint8_t, 4> v4{};
    if (::inet_pton(AF_INET, where.host.c_str(), v4.data()) == 1) return undialable_v4(v4);
    // A link-local IPv6 address carries its interface ("fe80::1%eth0", heard on the LAN over
    // IPv6): the scope is an interface name, never something a resolver would look up.
    const auto percent = where.host.find('%');
    const std::string address = where.host.substr(0, percent);
    std::array<uint8_t, 16> v6{};
    if (::inet_pton(AF_INET6, address.c_str(), v6.data()) != 1)
        return "not a numeric IP address (a peer may not make us look up names)";
    if (percent != std::string::npos) {
        const auto scope = std::string_view(where.host).substr(percent + 1);
        const bool link_local = v6[0] == 0xfe && (v6[1] & 0xc0) == 0x80;
        if (!link_local || !valid_interface_name(scope))
            return "a scope on an address that is not link-local, or not an interface name";
    }
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
