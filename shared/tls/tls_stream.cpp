#include "shared/tls/tls_stream.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "shared/core/error.hpp"
#include "shared/identity/certificate.hpp"
#include "shared/tls/handshake_failure.hpp"
#include "shared/tls/peer_verification.hpp"

namespace xfer::tls {
namespace {

// File data is encrypted from this much at a time (one block of the protocol), with room in
// front for the frame header queued before it. OpenSSL writes each 16 KiB record with its own
// write(2); corking the socket (TCP_CORK) around a chunk to send full segments instead cost the
// sender more CPU on loopback, not less (docs/BENCHMARKS.md, "Where TLS's CPU goes").
constexpr size_t file_chunk_bytes = 256 * 1024;
constexpr size_t max_staged_prefix = 16 * 1024;

net::io_result would_block() {
    net::io_result result;
    result.would_block = true;
    return result;
}

net::io_result failed(const std::error_code& ec) {
    net::io_result result;
    result.error = ec;
    return result;
}

}  // namespace

tls_stream::tls_stream(unique_fd socket, std::shared_ptr<const tls_context> context, side role)
    : socket_(std::move(socket)),
      context_(std::move(context)),
      ssl_(SSL_new(context_->get())),
      // A client speaks first; a server waits for the ClientHello.
      handshake_waits_for_(role == side::client ? waiting::write : waiting::read),
      server_(role == side::server) {
    if (!ssl_ || SSL_set_fd(ssl_.get(), socket_.get()) != 1) {
        failure_ = errc::tls_failed;
        failure_detail_ = identity::openssl_error_text();
        return;
    }
    if (role == side::client)
        SSL_set_connect_state(ssl_.get());
    else
        SSL_set_accept_state(ssl_.get());
}

tls_stream::~tls_stream() {
    // close_notify tells the peer the end is deliberate; it may not get out, and need not.
    if (established_ && !failure_ && !staged()) {
        ERR_clear_error();
        (void)SSL_shutdown(ssl_.get());
    }
    ERR_clear_error();
}

net::io_result tls_stream::advance() {
    if (failure_) return failed(failure_);
    if (!established_) return handshake();
    if (read_wants_write_) {
        // SSL_peek retries the write SSL_read needed, without taking application bytes.
        uint8_t byte = 0;
        size_t got = 0;
        ERR_clear_error();
        if (SSL_peek_ex(ssl_.get(), &byte, 1, &got) == 1) {
            read_wants_write_ = false;
            last_read_blocked_ = false;
            return {};
        }
        const int error = SSL_get_error(ssl_.get(), 0);
        if (error == SSL_ERROR_WANT_READ) {
            // The record got out; now it simply waits for the peer, as any reader does.
            read_wants_write_ = false;
            last_read_blocked_ = true;
            return {};
        }
        return io_failure(error, true);
    }
    return {};
}

net::io_result tls_stream::handshake() {
    ERR_clear_error();
    const int result = SSL_do_handshake(ssl_.get());
    if (result == 1) return established();
    const int error = SSL_get_error(ssl_.get(), result);
    if (error == SSL_ERROR_WANT_READ) {
        handshake_waits_for_ = waiting::read;
        return would_block();
    }
    if (error == SSL_ERROR_WANT_WRITE) {
        handshake_waits_for_ = waiting::write;
        return would_block();
    }
    return handshake_failed(error);
}

net::io_result tls_stream::established() {
    peer_ = peer_id_of_connection(ssl_.get());
    if (!peer_) {
        // SSL_VERIFY_FAIL_IF_NO_PEER_CERT makes this a server-side impossibility; a server
        // without a certificate cannot complete a TLS 1.3 handshake with us either.
        failure_ = errc::not_authenticated;
        failure_detail_ = "the peer presented no certificate";
        return failed(failure_);
    }
    established_ = true;
    kernel_send_ = BIO_get_ktls_send(SSL_get_wbio(ssl_.get())) == 1;
    return {};
}

net::io_result tls_stream::handshake_failed(int ssl_error) {
    const auto failure = classify_handshake_failure(ssl_error, errno);
    failure_ = failure.code;
    failure_detail_ = failure.detail;
    // A server whose client hung up without a byte: a port check (a LAN listener trying whether
    // an announced peer answers), not a plaintext peer worth a warning.
    if (server_ && failure_ == errc::not_tls && BIO_number_read(SSL_get_rbio(ssl_.get())) == 0) {
        failure_ = errc::closed_before_speaking;
        failure_detail_ = "closed before sending a byte";
    }
    return failed(failure_);
}

net::io_result tls_stream::io_failure(int ssl_error, bool reading) {
    net::io_result result;
    switch (ssl_error) {
        case SSL_ERROR_WANT_READ:
            if (reading) {
                last_read_blocked_ = true;
                read_wants_write_ = false;
            }
            result.would_block = true;
            return result;
        case SSL_ERROR_WANT_WRITE:
            if (reading) read_wants_write_ = true;
            result.would_block = true;
            return result;
        case SSL_ERROR_ZERO_RETURN:
            result.closed = true;  // close_notify, or EOF (SSL_OP_IGNORE_UNEXPECTED_EOF)
            return result;
        case SSL_ERROR_SYSCALL:
            if (errno == 0) {
                result.closed = true;
                return result;
            }
            if (errno == EAGAIN || errno == EINTR) {
                result.would_block = true;
                return result;
            }
            failure_ = last_system_error();
            failure_detail_ = failure_.message();
            result.error = failure_;
            return result;
        default:
            failure_ = errc::tls_failed;
            failure_detail_ = identity::openssl_error_text();
            result.error = failure_;
            return result;
    }
}

net::io_result tls_stream::read_some(std::span<uint8_t> into) {
    if (!established_) {
        if (auto step = advance(); !established_) return step;
    }
    if (failure_) return failed(failure_);
    if (into.empty()) return would_block();
    ERR_clear_error();
    size_t got = 0;
    if (SSL_read_ex(ssl_.get(), into.data(), into.size(), &got) == 1) {
        last_read_blocked_ = false;
        read_wants_write_ = false;
        net::io_result result;
        result.bytes = got;
        return result;
    }
    return io_failure(SSL_get_error(ssl_.get(), 0), true);
}

bool tls_stream::has_buffered_input() const {
    if (!established_ || failure_) return false;
    if (SSL_pending(ssl_.get()) > 0) return true;
    // Read-ahead may hold whole records the socket no longer shows. After a read that ended in
    // WANT_READ, what is left is at most part of a record: poll must wait for the socket.
    return !last_read_blocked_ && SSL_has_pending(ssl_.get()) == 1;
}

bool tls_stream::wants_write() const {
    if (failure_) return false;
    if (!established_) return handshake_waits_for_ == waiting::write;
    return read_wants_write_ || staged();
}

net::io_result tls_stream::write_some(std::span<const uint8_t> from, bool more) {
    if (!established_) {
        if (auto step = advance(); !established_) return step;
    }
    if (failure_) return failed(failure_);
    if (staged()) {
        // Bytes OpenSSL was given before go out first, exactly as they were.
        if (auto step = write_staged(); step.error) return failed(step.error);
        if (staged()) return would_block();
    }
    if (from.empty()) return {};
    if (more && !kernel_send_ && from.size() <= max_staged_prefix) {
        // A frame header with file data to follow: encrypted together with that data.
        staging_.resize(max_staged_prefix + file_chunk_bytes);
        std::memcpy(staging_.data(), from.data(), from.size());
        staged_begin_ = 0;
        staged_end_ = file_data_begin_ = from.size();
        staged_fd_ = -1;
        net::io_result result;
        result.bytes = from.size();
        return result;
    }
    ERR_clear_error();
    size_t written = 0;
    if (SSL_write_ex(ssl_.get(), from.data(), from.size(), &written) == 1) {
        net::io_result result;
        result.bytes = written;
        result.would_block = written < from.size();
        return result;
    }
    return io_failure(SSL_get_error(ssl_.get(), 0), false);
}

size_t tls_stream::staged_file_bytes() const {
    return staged_end_ - std::max(staged_begin_, file_data_begin_);
}

uint64_t tls_stream::next_staged_file_offset() const {
    return staged_file_offset_ + (std::max(staged_begin_, file_data_begin_) - file_data_begin_);
}

net::io_result tls_stream::write_staged() {
    net::io_result result;
    offered_ = staged();
    while (staged()) {
        ERR_clear_error();
        size_t written = 0;
        if (SSL_write_ex(ssl_.get(), staging_.data() + staged_begin_, staged_end_ - staged_begin_,
                         &written) != 1) {
            const auto step = io_failure(SSL_get_error(ssl_.get(), 0), false);
            result.would_block = step.would_block;
            result.closed = step.closed;
            result.error = step.error;
            return result;
        }
        const size_t header_part = staged_begin_ < file_data_begin_
                                       ? std::min(written, file_data_begin_ - staged_begin_)
                                       : 0;
        result.bytes += written - header_part;
        staged_begin_ += written;
    }
    staged_begin_ = staged_end_ = file_data_begin_ = 0;
    staged_fd_ = -1;
    offered_ = false;
    return result;
}

// A small file range with more to follow (a tree's small files one after another) is read in
// behind what is staged and counted as written at once, so a block of many small files leaves
// in one SSL_write (full 16 KiB records, one socket write) instead of a record and a write per
// file. Not once the staged bytes were offered to OpenSSL, nor beyond one chunk.
std::optional<net::io_result> tls_stream::gather_file(int file_fd, uint64_t offset, size_t length) {
    if (offered_ || staged_file_bytes() != 0) return std::nullopt;
    if (!staged()) staged_begin_ = staged_end_ = file_data_begin_ = 0;
    if (staged_end_ + length > file_chunk_bytes) return std::nullopt;
    staging_.resize(max_staged_prefix + file_chunk_bytes);
    net::io_result result;
    for (size_t got = 0; got < length;) {
        const ssize_t n = ::pread(file_fd, staging_.data() + staged_end_ + got, length - got,
                                  static_cast<off_t>(offset + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            result.error = n == 0 ? make_error_code(errc::content_changed) : last_system_error();
            return result;
        }
        got += static_cast<size_t>(n);
    }
    staged_end_ += length;
    file_data_begin_ = staged_end_;
    staged_fd_ = -1;
    result.bytes = length;
    return result;
}

net::io_result tls_stream::send_file(int file_fd, uint64_t offset, size_t length, bool more) {
    if (!established_) {
        if (auto step = advance(); !established_) return step;
    }
    if (failure_) return failed(failure_);
    if (kernel_send_ && !staged()) return send_file_in_kernel(file_fd, offset, length);
    if (more && !kernel_send_) {
        if (auto gathered = gather_file(file_fd, offset, length)) return *gathered;
    }
    net::io_result total;
    while (total.bytes < length) {
        if (staged_file_bytes() == 0) {
            // Read the next chunk after the frame header staged for it (if any).
            staging_.resize(max_staged_prefix + file_chunk_bytes);
            if (!staged()) staged_begin_ = staged_end_ = 0;
            file_data_begin_ = staged_end_;
            // Behind gathered ranges there may be less than a chunk of room left.
            const size_t want =
                std::min({length - total.bytes, file_chunk_bytes, staging_.size() - staged_end_});
            const ssize_t got = ::pread(file_fd, staging_.data() + staged_end_, want,
                                        static_cast<off_t>(offset + total.bytes));
            if (got <= 0) {
                // pread returns 0 at end of file: the file shrank below what its manifest says.
                total.error =
                    got == 0 ? make_error_code(errc::content_changed) : last_system_error();
                return total;
            }
            staged_end_ += static_cast<size_t>(got);
            staged_fd_ = file_fd;
            staged_file_offset_ = offset + total.bytes;
        } else if (staged_fd_ != file_fd || next_staged_file_offset() != offset + total.bytes) {
            // The send queue always comes back for the bytes it was told were not sent.
            total.error = std::make_error_code(std::errc::invalid_argument);
            return total;
        }
        const auto step = write_staged();
        total.bytes += step.bytes;
        if (step.error || step.closed) {
            total.error = step.error;
            total.closed = step.closed;
            return total;
        }
        if (staged()) {
            total.would_block = true;
            return total;
        }
    }
    return total;
}

net::io_result tls_stream::send_file_in_kernel(int file_fd, uint64_t offset, size_t length) {
    ERR_clear_error();
    const ossl_ssize_t sent =
        SSL_sendfile(ssl_.get(), file_fd, static_cast<off_t>(offset), length, 0);
    net::io_result result;
    if (sent > 0) {
        result.bytes = static_cast<size_t>(sent);
        result.would_block = result.bytes < length;
        return result;
    }
    if (sent == 0 && length > 0) {
        result.error = make_error_code(errc::content_changed);
        return result;
    }
    return io_failure(SSL_get_error(ssl_.get(), static_cast<int>(sent)), false);
}

bool tls_stream::export_keying_material(std::string_view label, std::span<uint8_t> out) const {
    if (!established_ || failure_) return false;
    return SSL_export_keying_material(ssl_.get(), out.data(), out.size(), label.data(),
                                      label.size(), nullptr, 0, 0) == 1;
}

std::string tls_stream::describe() const {
    if (!established_) return "TLS (handshake not done)";
    const char* version = SSL_get_version(ssl_.get());
    std::string text = std::strcmp(version, "TLSv1.3") == 0 ? "TLS 1.3" : version;
    text += " ";
    text += SSL_get_cipher_name(ssl_.get());
    text += kernel_send_ ? ", kernel TLS (SSL_sendfile, zero-copy file data)"
                         : ", user-space encryption (kernel TLS not available)";
    return text;
}

}  // namespace xfer::tls
