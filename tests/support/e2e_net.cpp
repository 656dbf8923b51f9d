#include "tests/support/e2e_net.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "tests/support/tls_peer.hpp"

namespace xfer::test {
namespace {

using namespace std::chrono_literals;

sockaddr_in loopback(uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    return address;
}

// A listening socket on 127.0.0.1 (any port); returns the fd and sets `port`.
int listen_loopback(uint16_t& port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto address = loopback(0);
    socklen_t length = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd, 64) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        const std::string reason = std::strerror(errno);
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("cannot listen on 127.0.0.1: " + reason);
    }
    port = ntohs(address.sin_port);
    return fd;
}

bool send_all(int fd, const uint8_t* data, size_t size) {
    while (size > 0) {
        const ssize_t sent = ::send(fd, data, size, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR) continue;
        if (sent <= 0) return false;
        data += sent;
        size -= static_cast<size_t>(sent);
    }
    return true;
}

// Waits for the listener or the wake fd; true if a connection can be accepted.
bool wait_for_connection(int listener, int wake) {
    pollfd items[2] = {{listener, POLLIN, 0}, {wake, POLLIN, 0}};
    while (::poll(items, 2, -1) < 0) {
        if (errno != EINTR) return false;
    }
    return (items[1].revents & POLLIN) == 0;
}

void wake_up(int wake) {
    const uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(wake, &one, sizeof one);
}

}  // namespace

// ---- tcp_relay ----

tcp_relay::tcp_relay(uint16_t target_port, uint64_t bytes_per_second)
    : target_port_(target_port), rate_(bytes_per_second) {
    listener_ = listen_loopback(port_);
    wake_ = ::eventfd(0, EFD_CLOEXEC);
    acceptor_ = std::thread([this] { accept_loop(); });
}

tcp_relay::~tcp_relay() {
    stopping_ = true;
    wake_up(wake_);
    acceptor_.join();
    {
        std::lock_guard lock(mutex_);
        // Unblocks every pump stuck in recv or send.
        for (const int fd : sockets_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& pump : pumps_) pump.join();
    for (const int fd : sockets_) ::close(fd);
    ::close(listener_);
    ::close(wake_);
}

std::string tcp_relay::address() const {
    return "127.0.0.1:" + std::to_string(port_);
}

int tcp_relay::connect_target() {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!stopping_ && std::chrono::steady_clock::now() < deadline) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        auto address = loopback(target_port_);
        if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0)
            return fd;
        if (fd >= 0) ::close(fd);
        std::this_thread::sleep_for(20ms);
    }
    return -1;
}

void tcp_relay::accept_loop() {
    while (wait_for_connection(listener_, wake_)) {
        const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        {
            std::lock_guard lock(mutex_);
            sockets_.push_back(client);
        }
        const int target = connect_target();
        if (target < 0) {
            ::shutdown(client, SHUT_RDWR);
            continue;
        }
        const int one = 1;
        ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ::setsockopt(target, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        std::lock_guard lock(mutex_);
        sockets_.push_back(target);
        if (stopping_) {
            ::shutdown(client, SHUT_RDWR);
            ::shutdown(target, SHUT_RDWR);
            continue;
        }
        pumps_.emplace_back([this, client, target] { pump(client, target, false); });
        pumps_.emplace_back([this, client, target] { pump(target, client, true); });
    }
}

void tcp_relay::pump(int from, int to, bool paced) {
    std::vector<uint8_t> buffer(64 * 1024);
    for (;;) {
        const uint64_t rate = paced ? rate_.load() : 0;
        // Small reads when pacing keep the flow smooth rather than bursty.
        const size_t want =
            rate == 0 ? buffer.size()
                      : std::min<size_t>(buffer.size(), std::max<uint64_t>(rate / 50, 4096));
        const ssize_t got = ::recv(from, buffer.data(), want, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0 || !send_all(to, buffer.data(), static_cast<size_t>(got))) {
            // Pass the end on: a close on one side becomes a close on the other.
            ::shutdown(to, got == 0 ? SHUT_WR : SHUT_RDWR);
            ::shutdown(from, SHUT_RD);
            return;
        }
        if (paced) bytes_to_clients_ += static_cast<uint64_t>(got);
        if (rate > 0)
            std::this_thread::sleep_for(
                std::chrono::microseconds(static_cast<uint64_t>(got) * 1'000'000 / rate));
    }
}

// ---- scripted_peer ----

scripted_peer::scripted_peer(std::vector<uint8_t> script, bool hold_open, transport how)
    : script_(std::move(script)), hold_open_(hold_open), how_(how) {
    listener_ = listen_loopback(port_);
    wake_ = ::eventfd(0, EFD_CLOEXEC);
    thread_ = std::thread([this] { serve(); });
}

scripted_peer::~scripted_peer() {
    wake_up(wake_);
    thread_.join();
    for (const int fd : held_) ::close(fd);
    ::close(listener_);
    ::close(wake_);
}

std::string scripted_peer::address() const {
    return "127.0.0.1:" + std::to_string(port_);
}

void scripted_peer::serve() {
    while (wait_for_connection(listener_, wake_)) {
        const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        ++connections_;
        if (how_ == transport::tls) {
            // The script goes inside TLS; a client that fails the handshake simply gets nothing.
            auto peer = std::make_shared<tls_peer>(unique_fd(fd), tls::side::server, 10s);
            if (peer->ok()) (void)peer->send(script_);
            if (hold_open_) held_tls_.push_back(peer);
            continue;
        }
        // The client may give up before all is written; that is its right.
        (void)send_all(fd, script_.data(), script_.size());
        if (hold_open_) {
            held_.push_back(fd);
        } else {
            ::close(fd);
        }
    }
}

// ---- exchange_raw ----

namespace {

raw_exchange exchange_tls(uint16_t port, const std::vector<uint8_t>& bytes,
                          std::chrono::milliseconds timeout) {
    raw_exchange result;
    auto peer = tls_peer::connect(port, timeout);
    if (!peer) return result;
    result.connected = true;
    if (!peer->ok()) {
        result.closed_by_server = true;  // it refused the handshake
        return result;
    }
    (void)peer->send(bytes);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        peer->set_timeout(std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now()) +
                          1ms);
        const auto got = peer->receive();
        if (!got) continue;
        if (got->empty()) {
            result.closed_by_server = true;
            break;
        }
        result.reply.insert(result.reply.end(), got->begin(), got->end());
    }
    return result;
}

}  // namespace

raw_exchange exchange_raw(uint16_t port, const std::vector<uint8_t>& bytes,
                          std::chrono::milliseconds timeout, transport how) {
    if (how == transport::tls) return exchange_tls(port, bytes, timeout);
    raw_exchange result;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto address = loopback(port);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        if (fd >= 0) ::close(fd);
        return result;
    }
    result.connected = true;
    // A server may close before reading everything; then the rest is simply not sent.
    (void)send_all(fd, bytes.data(), bytes.size());
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    uint8_t buffer[4096];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd item{fd, POLLIN, 0};
        if (::poll(&item, 1, static_cast<int>(left.count())) <= 0) continue;
        const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            result.closed_by_server = true;
            break;
        }
        result.reply.insert(result.reply.end(), buffer, buffer + got);
    }
    ::close(fd);
    return result;
}

std::vector<uint8_t> frame_header(uint32_t length, uint8_t type) {
    return {static_cast<uint8_t>(length >> 24), static_cast<uint8_t>(length >> 16),
            static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length), type};
}

}  // namespace xfer::test
