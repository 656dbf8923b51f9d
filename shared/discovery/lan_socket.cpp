#include "shared/discovery/lan_socket.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/socket.h>

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

// "fe80::1%eth0" for a link-local source: the interface is part of where to dial it back.
std::string text_of(const sockaddr_in6& from) {
    if (IN6_IS_ADDR_V4MAPPED(&from.sin6_addr)) {
        in_addr v4{};
        std::memcpy(&v4, from.sin6_addr.s6_addr + 12, sizeof v4);
        return text_of(v4);
    }
    char text[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET6, &from.sin6_addr, text, sizeof text);
    std::string out = text;
    char name[IF_NAMESIZE] = {};
    if (IN6_IS_ADDR_LINKLOCAL(&from.sin6_addr) && from.sin6_scope_id != 0 &&
        ::if_indextoname(from.sin6_scope_id, name) != nullptr)
        out += std::string("%") + name;
    return out;
}

bool set_option(int fd, int level, int name, int value) {
    return ::setsockopt(fd, level, name, &value, sizeof value) == 0;
}

unique_fd udp_socket(int family) {
    unique_fd fd(::socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) XLOG_WARN("lan", "", "cannot open a UDP socket: " << std::strerror(errno));
    return fd;
}

}  // namespace

lan_announcer::lan_announcer(const lan_config& config) : config_(config) {
    if (!config_.enabled) return;
    if ((socket_ = udp_socket(AF_INET))) {
        // TTL 1: announcements stay on the local link. Loop: listeners on this host hear them.
        set_option(socket_.get(), IPPROTO_IP, IP_MULTICAST_TTL, 1);
        set_option(socket_.get(), IPPROTO_IP, IP_MULTICAST_LOOP, 1);
    }
    if (config_.ipv6 && (socket6_ = udp_socket(AF_INET6))) {
        set_option(socket6_.get(), IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 1);
        set_option(socket6_.get(), IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 1);
    }
}

void lan_announcer::send(const std::vector<std::string>& datagrams, lan_families families) {
    if (families.ipv4) send4(datagrams);
    if (families.ipv6) send6(datagrams);
}

void lan_announcer::send4(const std::vector<std::string>& datagrams) {
    if (!socket_) return;
    sockaddr_in target{};
    target.sin_family = AF_INET;
    target.sin_addr = config_.group;
    target.sin_port = htons(config_.port);
    for (const auto& interface : eligible_interfaces(config_.interfaces)) {
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

void lan_announcer::send6(const std::vector<std::string>& datagrams) {
    if (!socket6_) return;
    for (const auto& interface : eligible_interfaces6(config_.interfaces)) {
        sockaddr_in6 target{};
        target.sin6_family = AF_INET6;
        target.sin6_addr = config_.group6;
        target.sin6_port = htons(config_.port);
        target.sin6_scope_id = interface.index;
        if (!set_option(socket6_.get(), IPPROTO_IPV6, IPV6_MULTICAST_IF,
                        static_cast<int>(interface.index)))
            continue;
        for (const auto& datagram : datagrams) {
            if (::sendto(socket6_.get(), datagram.data(), datagram.size(), 0,
                         reinterpret_cast<const sockaddr*>(&target), sizeof target) < 0) {
                XLOG_DEBUG("lan", interface.name, "announce not sent: " << std::strerror(errno));
                break;
            }
        }
    }
}

lan_listener::lan_listener(const lan_config& config) : config_(config) {
    if (!config_.enabled) return;
    open4();
    if (config_.ipv6) open6();
    if (!socket_ && !socket6_) return;
    epoll_ = unique_fd(::epoll_create1(EPOLL_CLOEXEC));
    for (const int fd : {socket_.get(), socket6_.get()}) {
        if (fd < 0) continue;
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.fd = fd;
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event);
    }
    probes_.emplace(epoll_.get());
    join_new_interfaces(std::chrono::steady_clock::now());
}

void lan_listener::open4() {
    unique_fd fd = udp_socket(AF_INET);
    if (!fd) return;
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
}

void lan_listener::open6() {
    unique_fd fd = udp_socket(AF_INET6);
    if (!fd) return;
    set_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1);
    set_option(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1);
    // A link-local group cannot be bound without an interface: bind PORT and take only the
    // groups this socket joined.
    set_option(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0);
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_any;
    address.sin6_port = htons(config_.port);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        XLOG_DEBUG("lan", "",
                   "no IPv6 listening on port " << config_.port << ": " << std::strerror(errno));
        return;
    }
    socket6_ = std::move(fd);
}

void lan_listener::join_new_interfaces(steady_time now) {
    next_interface_check_ = now + interface_check_interval;
    for (const auto& interface :
         socket_ ? eligible_interfaces(config_.interfaces) : std::vector<interface_address>{}) {
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
        }
    }
    for (const auto& interface :
         socket6_ ? eligible_interfaces6(config_.interfaces) : std::vector<interface_address>{}) {
        if (joined6_.contains(interface.index)) continue;
        ipv6_mreq membership{};
        membership.ipv6mr_multiaddr = config_.group6;
        membership.ipv6mr_interface = interface.index;
        if (::setsockopt(socket6_.get(), IPPROTO_IPV6, IPV6_JOIN_GROUP, &membership,
                         sizeof membership) == 0 ||
            errno == EADDRINUSE) {
            joined6_.insert(interface.index);
            XLOG_DEBUG("lan", interface.name, "listening for IPv6 announcements");
        }
    }
}

steady_time lan_listener::next_deadline() const {
    const auto expiry = directory_.next_deadline();
    auto next = expiry ? std::min(*expiry + 1ms, next_interface_check_) : next_interface_check_;
    if (probes_) {
        if (const auto probe = probes_->next_deadline()) next = std::min(next, *probe);
    }
    return next;
}

std::vector<membership_change> lan_listener::receive(steady_time now) {
    std::vector<membership_change> changes;
    if (!epoll_) return changes;
    if (now >= next_interface_check_) join_new_interfaces(now);
    // epoll is level-triggered: once both sockets are read empty it is quiet again.
    if (socket_) read_from(socket_.get(), now, changes);
    if (socket6_) read_from(socket6_.get(), now, changes);
    // Every newly listed peer (or one at a new address) is tried where it says it listens.
    for (const auto& change : changes) {
        if (change.what != membership_change::kind::left) probes_->start(change.record, now);
    }
    for (const auto& probe : probes_->collect(now)) {
        XLOG_DEBUG("lan", short_id(probe.id),
                   (probe.answered ? "answers at its address" : "does not answer at its address"));
        directory_.on_probe(probe.id, probe.answered);
    }
    return changes;
}

void lan_listener::read_from(int fd, steady_time now, std::vector<membership_change>& changes) {
    char buffer[limits::max_datagram_bytes + 1];
    for (int count = 0; count < max_datagrams_per_receive; ++count) {
        sockaddr_storage from{};
        socklen_t from_length = sizeof from;
        const auto received = ::recvfrom(fd, buffer, sizeof buffer, MSG_DONTWAIT,
                                         reinterpret_cast<sockaddr*>(&from), &from_length);
        if (received < 0) break;
        // One byte more than the limit was read: the datagram is over the limit, drop it whole.
        if (static_cast<size_t>(received) > limits::max_datagram_bytes) continue;
        const auto source = from.ss_family == AF_INET6
                                ? text_of(reinterpret_cast<const sockaddr_in6&>(from))
                                : text_of(reinterpret_cast<const sockaddr_in&>(from).sin_addr);
        auto heard = directory_.on_datagram(std::string_view(buffer, static_cast<size_t>(received)),
                                            source, now);
        std::move(heard.begin(), heard.end(), std::back_inserter(changes));
    }
}

}  // namespace xfer::discovery::lan
