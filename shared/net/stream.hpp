// A byte stream to a peer. The loops see only this interface; peer connections are TLS
// (shared/tls/tls_stream.hpp), tcp_stream is the plain transport under tests and tools. Check
// has_buffered_input() before polling (TLS may hold decrypted bytes the socket no longer shows)
// and ask for POLLOUT when wants_write() says the transport itself has something to write.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "shared/core/fd.hpp"
#include "shared/identity/peer_id.hpp"

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
    // `more`: further data follows at once, so a stream may gather a small range with what
    // comes next (TLS: one record and one socket write for a block of a tree's small files).
    virtual io_result send_file(int file_fd, uint64_t offset, size_t length, bool more) = 0;
    virtual bool has_buffered_input() const { return false; }

    // Drives what the transport does by itself (the TLS handshake; a record TLS must write
    // before it can read again): would_block while it waits for the peer, an error when it
    // failed, nothing once it is done. read_some and write_some drive the handshake too; calling
    // this first lets the owner check who the peer is before any of its own bytes go out.
    virtual io_result advance() { return {}; }
    virtual bool handshake_done() const { return true; }
    // The transport needs POLLOUT for its own progress (a handshake message, a record it must
    // write before it can read again), whatever its owner has queued.
    virtual bool wants_write() const { return false; }
    // Who the peer is, as the transport proved it (TLS: the peer ID of the key behind its
    // certificate), once the handshake is done; null for a transport that proves nothing.
    virtual const identity::peer_id* verified_peer() const { return nullptr; }
    // How the bytes travel, for -v ("TLS 1.3 TLS_AES_128_GCM_SHA256, user-space encryption").
    virtual std::string describe() const { return "plain TCP"; }
    // Keying material bound to this session (TLS exporter, RFC 8446 7.5), equal on both ends:
    // what binds a pairing exchange to this very connection. False if the transport has none.
    virtual bool export_keying_material(std::string_view /*label*/,
                                        std::span<uint8_t> /*out*/) const {
        return false;
    }
    // What went wrong in more detail than the error code (OpenSSL's reason), if anything.
    virtual std::string failure_detail() const { return {}; }
};

// Plain TCP: recv/send and sendfile(2).
class tcp_stream final : public stream {
  public:
    explicit tcp_stream(unique_fd socket) : socket_(std::move(socket)) {}
    int fd() const override { return socket_.get(); }
    io_result read_some(std::span<uint8_t> into) override;
    io_result write_some(std::span<const uint8_t> from, bool more) override;
    io_result send_file(int file_fd, uint64_t offset, size_t length, bool more) override;

  private:
    unique_fd socket_;
};

}  // namespace xfer::net
