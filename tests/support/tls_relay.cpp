#include "tests/support/tls_relay.hpp"

#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <stdexcept>

#include "shared/identity/identity_store.hpp"

namespace xfer::test {
namespace {

sockaddr_in loopback_address(uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

int accept_any_certificate(int, X509_STORE_CTX*) {
    return 1;  // the attacker does not care who it talks to
}

SSL_CTX* make_context(bool server, const identity::local_identity& id) {
    SSL_CTX* context = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    if (!context) throw std::runtime_error("tls_relay: SSL_CTX_new failed");
    SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION);
    if (SSL_CTX_use_certificate(context, id.certificate.get()) != 1 ||
        SSL_CTX_use_PrivateKey(context, id.key.get()) != 1) {
        SSL_CTX_free(context);
        throw std::runtime_error("tls_relay: cannot use the relay's identity");
    }
    // Ask the client for its certificate too, as a real sender does.
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, accept_any_certificate);
    return context;
}

// Moves what `from` has decrypted to `to`; false when either side is done.
bool move_bytes(SSL* from, SSL* to, std::atomic<uint64_t>* counter) {
    char buffer[16384];
    const int n = SSL_read(from, buffer, sizeof buffer);
    if (n <= 0) return false;
    if (SSL_write(to, buffer, n) != n) return false;
    if (counter) *counter += static_cast<uint64_t>(n);
    return true;
}

}  // namespace

tls_relay::tls_relay(const std::filesystem::path& relay_config_dir, uint16_t target_port,
                     uint16_t listen_port)
    : target_port_(target_port) {
    // A side that closes while the relay writes to it must end that relay, not the test process.
    ::signal(SIGPIPE, SIG_IGN);
    auto id = identity::load_or_create_identity(relay_config_dir);
    if (!id) throw std::runtime_error("tls_relay: " + id.error());
    server_context_ = make_context(true, *id);
    client_context_ = make_context(false, *id);
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    auto address = loopback_address(listen_port);
    socklen_t length = sizeof address;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(listener_);
        throw std::runtime_error("tls_relay: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    wake_ = ::eventfd(0, EFD_CLOEXEC);
    acceptor_ = std::thread([this] { accept_loop(); });
}

tls_relay::~tls_relay() {
    stopping_ = true;
    const uint64_t one = 1;
    (void)!::write(wake_, &one, sizeof one);
    acceptor_.join();
    {
        const std::lock_guard lock(mutex_);
        for (const int fd : sockets_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& relay : relays_) relay.join();
    for (const int fd : sockets_) ::close(fd);
    ::close(listener_);
    ::close(wake_);
    SSL_CTX_free(static_cast<SSL_CTX*>(server_context_));
    SSL_CTX_free(static_cast<SSL_CTX*>(client_context_));
}

void tls_relay::accept_loop() {
    while (!stopping_) {
        pollfd items[2] = {{listener_, POLLIN, 0}, {wake_, POLLIN, 0}};
        if (::poll(items, 2, -1) < 0 || (items[1].revents & POLLIN)) return;
        const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        const std::lock_guard lock(mutex_);
        sockets_.push_back(client);
        relays_.emplace_back([this, client] { relay(client); });
    }
}

void tls_relay::relay(int client_fd) {
    const int upstream_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    {
        const std::lock_guard lock(mutex_);
        sockets_.push_back(upstream_fd);
    }
    auto target = loopback_address(target_port_);
    if (::connect(upstream_fd, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) return;
    SSL* client = SSL_new(static_cast<SSL_CTX*>(server_context_));
    SSL* upstream = SSL_new(static_cast<SSL_CTX*>(client_context_));
    SSL_set_fd(client, client_fd);
    SSL_set_fd(upstream, upstream_fd);
    if (SSL_accept(client) == 1) {
        ++handshakes_;
        if (SSL_connect(upstream) == 1) {
            bool open = true;
            while (open && !stopping_) {
                if (SSL_pending(client) > 0) {
                    open = move_bytes(client, upstream, nullptr);
                    continue;
                }
                if (SSL_pending(upstream) > 0) {
                    open = move_bytes(upstream, client, &bytes_to_clients_);
                    continue;
                }
                pollfd items[2] = {{client_fd, POLLIN, 0}, {upstream_fd, POLLIN, 0}};
                if (::poll(items, 2, 1000) < 0) break;
                if (items[0].revents & (POLLIN | POLLHUP | POLLERR))
                    open = move_bytes(client, upstream, nullptr);
                if (open && (items[1].revents & (POLLIN | POLLHUP | POLLERR)))
                    open = move_bytes(upstream, client, &bytes_to_clients_);
            }
        }
    }
    ERR_clear_error();
    SSL_free(client);
    SSL_free(upstream);
    ::shutdown(client_fd, SHUT_RDWR);
    ::shutdown(upstream_fd, SHUT_RDWR);
}

}  // namespace xfer::test
