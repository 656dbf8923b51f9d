// lan_config from the XFER_LAN* variables, and which families an announcement uses.
#include <arpa/inet.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "shared/discovery/lan_socket.hpp"

namespace xfer::discovery::lan {
namespace {

std::vector<std::string> split_names(std::string_view list) {
    std::vector<std::string> names;
    while (!list.empty()) {
        const auto comma = list.find(',');
        const auto name = list.substr(0, comma);
        if (!name.empty()) names.emplace_back(name);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return names;
}

bool says_off(const char* value) {
    const std::string_view text = value;
    return text == "off" || text == "0" || text == "no" || text == "false";
}

void read_group(lan_config& config) {
    if (const char* group = std::getenv("XFER_LAN_GROUP")) {
        in_addr parsed{};
        if (::inet_pton(AF_INET, group, &parsed) == 1 && IN_MULTICAST(ntohl(parsed.s_addr))) {
            config.group = parsed;
        } else {
            std::fprintf(stderr,
                         "xfer: ignoring XFER_LAN_GROUP=%s (not an IPv4 multicast address)\n",
                         group);
        }
    }
    if (const char* group = std::getenv("XFER_LAN_GROUP6")) {
        in6_addr parsed{};
        if (::inet_pton(AF_INET6, group, &parsed) == 1 && IN6_IS_ADDR_MULTICAST(&parsed)) {
            config.group6 = parsed;
        } else {
            std::fprintf(stderr,
                         "xfer: ignoring XFER_LAN_GROUP6=%s (not an IPv6 multicast address)\n",
                         group);
        }
    }
}

void read_port(lan_config& config) {
    const char* port = std::getenv("XFER_LAN_PORT");
    if (!port) return;
    unsigned value = 0;
    const std::string_view text = port;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc{} && end == text.data() + text.size() && value >= 1 && value <= 65535) {
        config.port = static_cast<uint16_t>(value);
    } else {
        std::fprintf(stderr, "xfer: ignoring XFER_LAN_PORT=%s (not a port number)\n", port);
    }
}

}  // namespace

lan_config lan_config::from_environment() {
    lan_config config;
    ::inet_pton(AF_INET, limits::lan_group, &config.group);
    ::inet_pton(AF_INET6, limits::lan_group6, &config.group6);
    if (const char* lan = std::getenv("XFER_LAN"); lan && says_off(lan)) config.enabled = false;
    if (const char* v6 = std::getenv("XFER_LAN_IPV6"); v6 && says_off(v6)) config.ipv6 = false;
    read_group(config);
    read_port(config);
    if (const char* names = std::getenv("XFER_LAN_INTERFACES"))
        config.interfaces = split_names(names);
    return config;
}

lan_families lan_families::for_listen_host(const std::string& host) {
    in_addr v4{};
    in6_addr v6{};
    if (host.empty() || host == "0.0.0.0" || ::inet_pton(AF_INET, host.c_str(), &v4) == 1)
        return {true, false};
    if (host != "::" && ::inet_pton(AF_INET6, host.c_str(), &v6) == 1) return {false, true};
    return {true, true};
}

}  // namespace xfer::discovery::lan
