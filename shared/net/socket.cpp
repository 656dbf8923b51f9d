#include "shared/net/socket.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace xfer::net {

static std::string describe_errno(int err) {
    switch (err) {
        case ECONNREFUSED:
            return "connection refused";
        case ETIMEDOUT:
            return "timed out";
        case EHOSTUNREACH:
            return "host unreachable";
        case ENETUNREACH:
            return "network unreachable";
        default:
            return std::strerror(err);
    }
}

namespace {

void set_nonblocking(int fd) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

}  // namespace

void configure_stream_socket(int fd) {
    set_nonblocking(fd);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

std::expected<unique_fd, std::string> listen_tcp(const endpoint& where, int backlog) {
    auto addresses = resolve(where, /*passive=*/true);
    if (!addresses) return std::unexpected(addresses.error());
    std::string last_error = "no usable address";
    for (const auto& address : *addresses) {
        unique_fd fd(::socket(address.family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
        if (!fd) {
            last_error = std::strerror(errno);
            continue;
        }
        const int one = 1;
        ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address.storage), address.length) !=
                0 ||
            ::listen(fd.get(), backlog) != 0) {
            last_error = std::strerror(errno);
            continue;
        }
        return fd;
    }
    return std::unexpected("cannot listen on " + where.to_string() + ": " + last_error);
}

endpoint local_endpoint(int fd) {
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length);
    return to_endpoint(reinterpret_cast<sockaddr*>(&storage), length);
}

endpoint remote_endpoint(int fd) {
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    ::getpeername(fd, reinterpret_cast<sockaddr*>(&storage), &length);
    return to_endpoint(reinterpret_cast<sockaddr*>(&storage), length);
}

std::expected<unique_fd, std::string> connect_tcp(const endpoint& where,
                                                  std::chrono::milliseconds timeout) {
    auto fd = start_connect(where);
    if (!fd) return fd;
    pollfd waiter{fd->get(), POLLOUT, 0};
    if (::poll(&waiter, 1, static_cast<int>(timeout.count())) == 0) {
        char seconds[16];
        std::snprintf(seconds, sizeof seconds, "%.1f", static_cast<double>(timeout.count()) / 1000);
        return std::unexpected("cannot connect to " + where.to_string() + ": timed out after " +
                               seconds + " s");
    }
    if (const auto problem = finish_connect(fd->get()); !problem.empty()) {
        return std::unexpected("cannot connect to " + where.to_string() + ": " + problem);
    }
    return fd;
}

}  // namespace xfer::net

namespace xfer::net {

std::expected<unique_fd, std::string> start_connect(const endpoint& where) {
    auto addresses = resolve(where, /*passive=*/false);
    if (!addresses) return std::unexpected(addresses.error());
    const auto& address = addresses->front();
    unique_fd fd(::socket(address.family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) return std::unexpected(std::string("socket: ") + std::strerror(errno));
    const int rc =
        ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address.storage), address.length);
    if (rc != 0 && errno != EINPROGRESS) {
        return std::unexpected("cannot connect to " + where.to_string() + ": " +
                               describe_errno(errno));
    }
    configure_stream_socket(fd.get());
    return fd;
}

std::string finish_connect(int fd) {
    int err = 0;
    socklen_t length = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &length) != 0) err = errno;
    return err == 0 ? std::string() : describe_errno(err);
}

}  // namespace xfer::net
