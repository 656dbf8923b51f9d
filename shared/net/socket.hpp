// TCP sockets: listening, connecting with a timeout, and the options xfer sets on every one.
#pragma once

#include <chrono>
#include <expected>
#include <string>

#include "shared/core/fd.hpp"
#include "shared/net/address.hpp"

namespace xfer::net {

// Bound, listening, non-blocking socket. Errors say what failed on which address.
std::expected<unique_fd, std::string> listen_tcp(const endpoint& where, int backlog = 128);

// The address a listening or connected socket is bound to (with the real port after :0).
endpoint local_endpoint(int fd);
endpoint remote_endpoint(int fd);

// Connects (blocking up to `timeout`), returns a non-blocking socket with xfer's options set.
// Errors: "connection refused", "timed out", "host unreachable", each naming the address.
std::expected<unique_fd, std::string> connect_tcp(const endpoint& where,
                                                  std::chrono::milliseconds timeout);

// Non-blocking, TCP_NODELAY, close-on-exec; large buffers for bulk transfer.
void configure_stream_socket(int fd);

}  // namespace xfer::net

namespace xfer::net {
// Non-blocking connect: returns a socket whose connection is in progress (poll it for writable,
// then call finish_connect). Resolution of numeric hosts does not block.
std::expected<unique_fd, std::string> start_connect(const endpoint& where);
// After the socket polled writable: empty on success, else what went wrong ("connection refused").
std::string finish_connect(int fd);
}  // namespace xfer::net
