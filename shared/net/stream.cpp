#include "shared/net/stream.hpp"

#include <sys/sendfile.h>
#include <sys/socket.h>

#include <cerrno>

#include "shared/core/error.hpp"

namespace xfer::net {
namespace {

io_result from_syscall(ssize_t n, bool zero_means_closed) {
    io_result result;
    if (n > 0) {
        result.bytes = static_cast<size_t>(n);
    } else if (n == 0) {
        result.closed = zero_means_closed;
        result.would_block = !zero_means_closed;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        result.would_block = true;
    } else {
        result.error = last_system_error();
    }
    return result;
}

}  // namespace

io_result tcp_stream::read_some(std::span<uint8_t> into) {
    return from_syscall(::recv(socket_.get(), into.data(), into.size(), 0), true);
}

io_result tcp_stream::write_some(std::span<const uint8_t> from, bool more) {
    return from_syscall(
        ::send(socket_.get(), from.data(), from.size(), MSG_NOSIGNAL | (more ? MSG_MORE : 0)),
        false);
}

io_result tcp_stream::send_file(int file_fd, uint64_t offset, size_t length, bool /*more*/) {
    auto position = static_cast<off_t>(offset);
    const ssize_t n = ::sendfile(socket_.get(), file_fd, &position, length);
    if (n == 0 && length > 0) {
        // sendfile returns 0 at end of file: the file shrank below what its manifest says.
        io_result result;
        result.error = make_error_code(errc::content_changed);
        return result;
    }
    return from_syscall(n, false);
}

}  // namespace xfer::net
