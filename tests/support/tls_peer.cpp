#include "tests/support/tls_peer.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstring>
#include <stdexcept>

#include "shared/identity/certificate.hpp"
#include "shared/identity/identity_store.hpp"
#include "shared/wire/frame.hpp"

namespace xfer::test {

std::shared_ptr<const tls::tls_context> fresh_tls_context() {
    auto key = identity::generate_ed25519_key();
    if (!key) throw std::runtime_error(key.error());
    auto certificate = identity::make_self_signed_certificate(key->get());
    if (!certificate) throw std::runtime_error(certificate.error());
    auto context = tls::tls_context::make(key->get(), certificate->get());
    if (!context) throw std::runtime_error(context.error());
    return *context;
}

const std::shared_ptr<const tls::tls_context>& test_tls_context() {
    // The identity of the xfer processes the tests start (XDG_CONFIG_HOME is the test home):
    // to them a scripted peer is their own installation, which they trust, so a hostile script
    // reaches the code it tests instead of stopping at "this machine does not know that ID".
    static const auto context = [] {
        auto local = identity::load_or_create_identity(XFER_TEST_HOME "/config/xfer");
        if (!local) throw std::runtime_error(local.error());
        auto made = tls::tls_context::make(local->key.get(), local->certificate.get());
        if (!made) throw std::runtime_error(made.error());
        return *made;
    }();
    return context;
}

tls_peer::tls_peer(unique_fd socket, tls::side role, std::chrono::milliseconds timeout,
                   std::shared_ptr<const tls::tls_context> context)
    : timeout_(timeout) {
    ::fcntl(socket.get(), F_SETFL, ::fcntl(socket.get(), F_GETFL) | O_NONBLOCK);
    const int one = 1;
    ::setsockopt(socket.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    stream_ = std::make_unique<tls::tls_stream>(std::move(socket), std::move(context), role);
    for (;;) {
        const auto step = stream_->advance();
        if (step.error) return;
        if (stream_->handshake_done()) break;
        if (!wait(stream_->wants_write())) return;
    }
    ok_ = true;
}

std::unique_ptr<tls_peer> tls_peer::connect(uint16_t port, std::chrono::milliseconds timeout,
                                            const std::string& source,
                                            std::shared_ptr<const tls::tls_context> context) {
    unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return nullptr;
    if (!source.empty()) {
        sockaddr_in local{};
        local.sin_family = AF_INET;
        ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
        if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0)
            return nullptr;
    }
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0)
        return nullptr;
    return std::make_unique<tls_peer>(std::move(fd), tls::side::client, timeout,
                                      std::move(context));
}

bool tls_peer::wait(bool for_write) {
    pollfd item{stream_->fd(), static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
    return ::poll(&item, 1, static_cast<int>(timeout_.count())) > 0;
}

bool tls_peer::send(const std::vector<uint8_t>& bytes) {
    return send(bytes.data(), bytes.size());
}

bool tls_peer::send(const uint8_t* data, size_t size) {
    size_t sent = 0;
    while (sent < size) {
        const auto step = stream_->write_some({data + sent, size - sent}, false);
        if (step.error || step.closed) return false;
        sent += step.bytes;
        if (sent < size && step.bytes == 0 && !wait(true)) return false;
    }
    return true;
}

std::optional<std::vector<uint8_t>> tls_peer::receive(size_t capacity) {
    std::vector<uint8_t> buffer(capacity);
    for (;;) {
        const auto step = stream_->read_some(buffer);
        if (step.error || step.closed) return std::vector<uint8_t>{};
        if (step.bytes > 0) {
            buffer.resize(step.bytes);
            return buffer;
        }
        if (!stream_->has_buffered_input() && !wait(stream_->wants_write())) return std::nullopt;
    }
}

bool tls_peer::receive_exact(uint8_t* into, size_t size) {
    size_t got = 0;
    while (got < size) {
        const auto step = stream_->read_some({into + got, size - got});
        if (step.error || step.closed) return false;
        got += step.bytes;
        if (got < size && step.bytes == 0 && !stream_->has_buffered_input() &&
            !wait(stream_->wants_write()))
            return false;
    }
    return true;
}

unique_fd listen_on_loopback(uint16_t& port) {
    unique_fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (!listener ||
        ::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener.get(), 4) != 0 ||
        ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0)
        throw std::runtime_error("cannot listen on 127.0.0.1");
    port = ntohs(address.sin_port);
    return listener;
}

std::optional<wire::message> receive_message(tls_peer& peer) {
    uint8_t raw[wire::frame_header_size];
    wire::frame_header header{};
    if (!peer.receive_exact(raw, sizeof raw) || wire::validate_header(raw, header))
        return std::nullopt;
    std::vector<uint8_t> body(header.length);
    if (header.length > 0 && !peer.receive_exact(body.data(), body.size())) return std::nullopt;
    auto decoded = wire::decode(header.type, body);
    return decoded ? std::optional<wire::message>(std::move(*decoded)) : std::nullopt;
}

}  // namespace xfer::test
