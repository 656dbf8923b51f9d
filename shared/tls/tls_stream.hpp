// A peer connection over TLS 1.3 (OpenSSL) on a non-blocking TCP socket, behind net::stream so
// the loops keep their shape. The handshake runs inside read_some/write_some/advance, as client
// or server; once it is done verified_peer() is the peer ID of the peer's certificate key.
//
// Non-blocking rules kept here: WANT_READ/WANT_WRITE are would_block (wants_write() tells the
// loop when the handshake, or a record OpenSSL must write before it can read, needs POLLOUT);
// bytes OpenSSL could not write are offered to it again exactly (a retry after WANT_WRITE must
// repeat them); has_buffered_input() is true when OpenSSL holds bytes the socket no longer shows.
//
// File data: with kernel TLS (SSL_OP_ENABLE_KTLS, when the kernel has the `tls` module)
// SSL_sendfile keeps it zero-copy; otherwise it is pread into one reused buffer, together with
// the frame header queued just before it (so a PIECE is one run of records, not a tiny record
// for its header), and encrypted by SSL_write (AES-GCM, several GB/s with AES-NI).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shared/core/fd.hpp"
#include "shared/net/stream.hpp"
#include "shared/tls/ssl_handles.hpp"
#include "shared/tls/tls_context.hpp"

namespace xfer::tls {

enum class side { client, server };

class tls_stream final : public net::stream {
  public:
    tls_stream(unique_fd socket, std::shared_ptr<const tls_context> context, side role);
    ~tls_stream() override;  // close_notify, best effort
    tls_stream(const tls_stream&) = delete;
    tls_stream& operator=(const tls_stream&) = delete;

    int fd() const override { return socket_.get(); }
    net::io_result read_some(std::span<uint8_t> into) override;
    net::io_result write_some(std::span<const uint8_t> from, bool more) override;
    net::io_result send_file(int file_fd, uint64_t offset, size_t length, bool more) override;
    bool has_buffered_input() const override;

    net::io_result advance() override;
    bool handshake_done() const override { return established_; }
    bool wants_write() const override;
    const identity::peer_id* verified_peer() const override {
        return established_ ? &*peer_ : nullptr;
    }
    std::string describe() const override;
    std::string failure_detail() const override { return failure_detail_; }
    bool export_keying_material(std::string_view label, std::span<uint8_t> out) const override;

    // After the handshake: file data goes out through the kernel's TLS (SSL_sendfile).
    bool kernel_tls_send() const { return kernel_send_; }

  private:
    enum class waiting { read, write };
    net::io_result handshake();
    net::io_result established();
    net::io_result handshake_failed(int ssl_error);
    // An SSL_read/SSL_write that returned failure, as an io_result.
    net::io_result io_failure(int ssl_error, bool reading);
    net::io_result send_file_in_kernel(int file_fd, uint64_t offset, size_t length);
    std::optional<net::io_result> gather_file(int file_fd, uint64_t offset, size_t length);
    // Writes staged bytes; `bytes` of the result counts only file bytes written.
    net::io_result write_staged();
    bool staged() const { return staged_begin_ < staged_end_; }
    size_t staged_file_bytes() const;
    uint64_t next_staged_file_offset() const;

    unique_fd socket_;
    std::shared_ptr<const tls_context> context_;
    ssl_ptr ssl_;
    bool established_ = false;
    bool kernel_send_ = false;
    waiting handshake_waits_for_;
    bool server_ = false;            // accepted, not dialled
    bool read_wants_write_ = false;  // SSL_read must write a record before it reads again
    bool last_read_blocked_ = false;
    std::error_code failure_;
    std::string failure_detail_;
    std::optional<identity::peer_id> peer_;

    // Bytes handed to OpenSSL in one SSL_write: [staged_begin_, staged_end_) of staging_. Those
    // before file_data_begin_ the caller already counted as written (a frame header, small file
    // ranges gathered behind it); the rest are file bytes of staged_fd_ starting at file offset
    // staged_file_offset_. Once offered to SSL_write (`offered_`) nothing is added until they
    // are all written: a retry must repeat exactly what OpenSSL was offered.
    std::vector<uint8_t> staging_;
    size_t staged_begin_ = 0;
    size_t staged_end_ = 0;
    size_t file_data_begin_ = 0;
    int staged_fd_ = -1;
    uint64_t staged_file_offset_ = 0;
    bool offered_ = false;
};

}  // namespace xfer::tls
