#include "shared/discovery/lan_socket.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "shared/core/log.hpp"

namespace xfer::discovery::lan {
namespace {

using namespace std::chrono_literals;
constexpr auto interface_check_interval = 2s;
constexpr int max_datagrams_per_receive = 256;

std::string text_of(in_addr address) {
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &address, text, sizeof text);
    return text;
}

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

bool set_option(int fd, int level, int name, int value) {
    return ::setsockopt(fd, level, name, &value, sizeof value) == 0;
}

}  // namespace

lan_config lan_config::from_environment() {
    lan_config config;
    ::inet_pton(AF_INET, limits::lan_group, &config.group);
    if (const char* lan = std::getenv("XFER_LAN")) {
        const std::string_view value = lan;
        if (value == "off" || value == "0" || value == "no" || value == "false")
            config.enabled = false;
    }
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
    if (const char* port = std::getenv("XFER_LAN_PORT")) {
        unsigned value = 0;
        const std::string_view text = port;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec == std::errc{} && end == text.data() + text.size() && value >= 1 && value <= 65535) {
            config.port = static_cast<uint16_t>(value);
        } else {
            std::fprintf(stderr, "xfer: ignoring XFER_LAN_PORT=%s (not a port number)\n", port);
        }
    }
    if (const char* names = std::getenv("XFER_LAN_INTERFACES"))
        config.interfaces = split_names(names);
    return config;
}

std::vector<interface_address> eligible_interfaces(const lan_config& config) {
    std::vector<interface_address> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return out;
    for (auto* item = list; item != nullptr; item = item->ifa_next) {
        if (item->ifa_addr == nullptr || item->ifa_addr->sa_family != AF_INET) continue;
        const unsigned flags = item->ifa_flags;
        if (!(flags & IFF_UP) || !(flags & (IFF_LOOPBACK | IFF_MULTICAST))) continue;
        const std::string name = item->ifa_name;
        if (!config.interfaces.empty() &&
            std::find(config.interfaces.begin(), config.interfaces.end(), name) ==
                config.interfaces.end()) {
            continue;
        }
        const unsigned index = ::if_nametoindex(item->ifa_name);
        // Multicast goes out per interface: one address per interface is enough.
        if (index == 0 ||
            std::any_of(out.begin(), out.end(), [&](const auto& i) { return i.index == index; })) {
            continue;
        }
        out.push_back(
            {name, index, reinterpret_cast<const sockaddr_in*>(item->ifa_addr)->sin_addr});
    }
    ::freeifaddrs(list);
    return out;
}

lan_announcer::lan_announcer(const lan_config& config) : config_(config) {
    if (!config_.enabled) return;
    unique_fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) {
        XLOG_WARN("lan", "", "cannot open a UDP socket: " << std::strerror(errno));
        return;
    }
    // TTL 1: announcements stay on the local link. Loop: listeners on this host hear them too.
    set_option(fd.get(), IPPROTO_IP, IP_MULTICAST_TTL, 1);
    set_option(fd.get(), IPPROTO_IP, IP_MULTICAST_LOOP, 1);
    socket_ = std::move(fd);
}

void lan_announcer::send(const std::vector<std::string>& datagrams) {
    if (!socket_) return;
    sockaddr_in target{};
    target.sin_family = AF_INET;
    target.sin_addr = config_.group;
    target.sin_port = htons(config_.port);
    for (const auto& interface : eligible_interfaces(config_)) {
        ip_mreqn via{};
        via.imr_address = interface.address;
        via.imr_ifindex = static_cast<int>(interface.index);
        if (::setsockopt(socket_.get(), IPPROTO_IP, IP_MULTICAST_IF, &via, sizeof via) != 0)
            continue;
        for (const auto& datagram : datagrams) {
            if (::sendto(socket_.get(), datagram.data(), datagram.size(), 0,
                         reinterpret_cast<const sockaddr*>(&target), sizeof target) < 0) {
                XLOG_DEBUG("lan", interface.name, "announce not sent: " << std::strerror(errno));
                break;
            }
        }
    }
}

lan_listener::lan_listener(const lan_config& config) : config_(config) {
    if (!config_.enabled) return;
    unique_fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) {
        XLOG_WARN("lan", "", "cannot open a UDP socket: " << std::strerror(errno));
        return;
    }
    set_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1);
    // Only the group this socket joined, not every group some other process joined on PORT.
    set_option(fd.get(), IPPROTO_IP, IP_MULTICAST_ALL, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr = config_.group;  // bound to the group: unicast to PORT is not ours
    address.sin_port = htons(config_.port);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        XLOG_WARN("lan", "",
                  "cannot listen on " << text_of(config_.group) << ":" << config_.port << ": "
                                      << std::strerror(errno));
        return;
    }
    socket_ = std::move(fd);
    join_new_interfaces(std::chrono::steady_clock::now());
}

void lan_listener::join_new_interfaces(steady_time now) {
    next_interface_check_ = now + interface_check_interval;
    for (const auto& interface : eligible_interfaces(config_)) {
        if (joined_.contains(interface.index)) continue;
        ip_mreqn membership{};
        membership.imr_multiaddr = config_.group;
        membership.imr_address = interface.address;
        membership.imr_ifindex = static_cast<int>(interface.index);
        if (::setsockopt(socket_.get(), IPPROTO_IP, IP_ADD_MEMBERSHIP, &membership,
                         sizeof membership) == 0 ||
            errno == EADDRINUSE) {
            joined_.insert(interface.index);
            XLOG_DEBUG("lan", interface.name, "listening for announcements");
        } else {
            XLOG_DEBUG("lan", interface.name, "cannot join the group: " << std::strerror(errno));
        }
    }
}

steady_time lan_listener::next_deadline() const {
    const auto expiry = directory_.next_deadline();
    return expiry ? std::min(*expiry + 1ms, next_interface_check_) : next_interface_check_;
}

std::vector<membership_change> lan_listener::receive(steady_time now) {
    std::vector<membership_change> changes;
    if (!socket_) return changes;
    if (now >= next_interface_check_) join_new_interfaces(now);
    char buffer[limits::max_datagram_bytes + 1];
    for (int count = 0; count < max_datagrams_per_receive; ++count) {
        sockaddr_in from{};
        socklen_t from_length = sizeof from;
        const auto received = ::recvfrom(socket_.get(), buffer, sizeof buffer, MSG_DONTWAIT,
                                         reinterpret_cast<sockaddr*>(&from), &from_length);
        if (received < 0) break;
        // One byte more than the limit was read: the datagram is over the limit, drop it whole.
        if (static_cast<size_t>(received) > limits::max_datagram_bytes) continue;
        auto heard = directory_.on_datagram(std::string_view(buffer, static_cast<size_t>(received)),
                                            text_of(from.sin_addr), now);
        std::move(heard.begin(), heard.end(), std::back_inserter(changes));
    }
    return changes;
}

}  // namespace xfer::discovery::lan
