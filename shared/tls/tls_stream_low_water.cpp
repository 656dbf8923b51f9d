// tls_stream's receive low-water mark (record_tracker.hpp says why): the BIO callback that
// counts the ciphertext read off the socket, and the SO_RCVLOWAT it sets from it.
#include <sys/socket.h>

#include <algorithm>

#include "shared/tls/tls_stream.hpp"

namespace xfer::tls {
namespace {

// Below this a record is one or two segments from whole: not worth two setsockopt calls.
constexpr size_t least_worth_waiting = 4096;
// The largest record TLS 1.3 allows on the wire (RFC 8446 5.2): a peer's header may claim more,
// which OpenSSL rejects, and the mark must never wait for bytes a record cannot have.
constexpr size_t largest_record_body = 16384 + 256;

}  // namespace

long tls_stream::on_socket_io(BIO* bio, int operation, const char* data, size_t, int, long,
                              int result, size_t* processed) {
    if (operation == (BIO_CB_READ | BIO_CB_RETURN) && result > 0 && processed) {
        auto* self = reinterpret_cast<tls_stream*>(BIO_get_callback_arg(bio));
        self->records_.consumed({reinterpret_cast<const uint8_t*>(data), *processed});
    }
    return result;
}

void tls_stream::watch_records() {
    BIO* socket_bio = SSL_get_rbio(ssl_.get());
    BIO_set_callback_arg(socket_bio, reinterpret_cast<char*>(this));
    BIO_set_callback_ex(socket_bio, &tls_stream::on_socket_io);
}

void tls_stream::wake_at_record_end() {
    // With the kernel's TLS receive the socket yields plaintext: no records to count.
    if (BIO_get_ktls_recv(SSL_get_rbio(ssl_.get())) == 1) return;
    const size_t needed = std::min(records_.bytes_to_record_end(), largest_record_body);
    set_receive_low_water(needed >= least_worth_waiting ? static_cast<int>(needed) : 1);
}

void tls_stream::set_receive_low_water(int bytes) {
    if (bytes == receive_low_water_) return;
    if (::setsockopt(socket_.get(), SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof bytes) == 0)
        receive_low_water_ = bytes;
}

}  // namespace xfer::tls
