#include "shared/discovery/answer_probes.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "shared/core/log.hpp"

namespace xfer::discovery::lan {
namespace {

// Numeric unicast addresses with a port only: never a name to look up, never an address that
// reaches many hosts or none.
bool worth_dialling(const sockaddr_storage& address, uint16_t port) {
    if (port == 0) return false;
    if (address.ss_family == AF_INET) {
        const uint32_t host = ntohl(reinterpret_cast<const sockaddr_in&>(address).sin_addr.s_addr);
        return host != INADDR_ANY && host != INADDR_BROADCAST && !IN_MULTICAST(host);
    }
    if (address.ss_family == AF_INET6) {
        const auto& host = reinterpret_cast<const sockaddr_in6&>(address).sin6_addr;
        return !IN6_IS_ADDR_UNSPECIFIED(&host) && !IN6_IS_ADDR_MULTICAST(&host);
    }
    return false;
}

std::optional<sockaddr_storage> numeric_address(const net::endpoint& endpoint, socklen_t& size) {
    addrinfo hints{};
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const auto port = std::to_string(endpoint.port);
    if (::getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &found) != 0)
        return std::nullopt;
    sockaddr_storage address{};
    std::memcpy(&address, found->ai_addr, found->ai_addrlen);
    size = found->ai_addrlen;
    ::freeaddrinfo(found);
    if (!worth_dialling(address, endpoint.port)) return std::nullopt;
    return address;
}

}  // namespace

answer_probes::~answer_probes() {
    for (auto& probe : probes_) forget(probe);
}

bool answer_probes::known(const peer_id& id) const {
    return std::any_of(probes_.begin(), probes_.end(),
                       [&](const probe& p) { return p.id == id; }) ||
           std::any_of(waiting_.begin(), waiting_.end(),
                       [&](const waiting& w) { return w.id == id; });
}

void answer_probes::start(const peer_record& record, steady_time now) {
    if (known(record.id)) return;
    if (probes_.size() >= max_probes_in_flight) {
        if (waiting_.size() < max_probes_waiting) waiting_.push_back({record.id, record.sender});
        return;
    }
    if (auto decided = begin(record.id, record.sender, now)) ready_.push_back(*decided);
}

std::optional<answer_probes::result> answer_probes::begin(const peer_id& id,
                                                          const net::endpoint& address,
                                                          steady_time now) {
    socklen_t size = 0;
    const auto target = numeric_address(address, size);
    if (!target) return result{id, false};
    unique_fd socket(::socket(target->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!socket) return std::nullopt;  // out of descriptors: not tried, stays unknown
    if (::connect(socket.get(), reinterpret_cast<const sockaddr*>(&*target), size) == 0)
        return result{id, true};
    if (errno != EINPROGRESS) return result{id, false};
    epoll_event event{};
    event.events = EPOLLOUT;
    event.data.fd = socket.get();
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, socket.get(), &event);
    probes_.push_back({id, std::move(socket), now + probe_timeout});
    return std::nullopt;
}

void answer_probes::forget(probe& finished) {
    if (finished.socket) ::epoll_ctl(epoll_, EPOLL_CTL_DEL, finished.socket.get(), nullptr);
    finished.socket.reset();
}

std::vector<answer_probes::result> answer_probes::collect(steady_time now) {
    auto results = std::exchange(ready_, {});
    for (auto& probe : probes_) {
        pollfd ready{probe.socket.get(), POLLOUT, 0};
        const bool done = ::poll(&ready, 1, 0) > 0;
        if (!done && now < probe.deadline) continue;
        int error = ETIMEDOUT;
        socklen_t length = sizeof error;
        if (done) ::getsockopt(probe.socket.get(), SOL_SOCKET, SO_ERROR, &error, &length);
        results.push_back({probe.id, error == 0});
        forget(probe);
    }
    std::erase_if(probes_, [](const probe& p) { return !p.socket; });
    while (probes_.size() < max_probes_in_flight && !waiting_.empty()) {
        const auto next = waiting_.front();
        waiting_.pop_front();
        if (auto decided = begin(next.id, next.address, now)) results.push_back(*decided);
    }
    return results;
}

std::optional<steady_time> answer_probes::next_deadline() const {
    if (!ready_.empty()) return steady_time{};
    std::optional<steady_time> earliest;
    for (const auto& probe : probes_)
        if (!earliest || probe.deadline < *earliest) earliest = probe.deadline;
    return earliest;
}

}  // namespace xfer::discovery::lan
