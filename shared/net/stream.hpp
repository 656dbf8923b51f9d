// A byte stream to a peer. The loops see only this interface, so TLS slots in as another
// implementation without touching them (check has_buffered_input() before polling: TLS may hold
// decrypted bytes the socket no longer shows).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <system_error>

#include "shared/core/fd.hpp"

namespace xfer::net {

struct io_result {
    size_t bytes = 0;
    bool would_block = false;  // nothing more now; wait for poll
    bool closed = false;       // orderly end of stream
    std::error_code error;     // anything else: the connection is dead
};

class stream {
  public:
    virtual ~stream() = default;
    virtual int fd() const = 0;
    virtual io_result read_some(std::span<uint8_t> into) = 0;
    // `more`: further data follows at once (MSG_MORE), so a header and its payload share packets.
    virtual io_result write_some(std::span<const uint8_t> from, bool more) = 0;
    // Sends file bytes without copying them through user space where the transport allows.
    virtual io_result send_file(int file_fd, uint64_t offset, size_t length) = 0;
    virtual bool has_buffered_input() const { return false; }
};

// Plain TCP: recv/send and sendfile(2).
class tcp_stream final : public stream {
  public:
    explicit tcp_stream(unique_fd socket) : socket_(std::move(socket)) {}
    int fd() const override { return socket_.get(); }
    io_result read_some(std::span<uint8_t> into) override;
    io_result write_some(std::span<const uint8_t> from, bool more) override;
    io_result send_file(int file_fd, uint64_t offset, size_t length) override;

  private:
    unique_fd socket_;
};

}  // namespace xfer::net
