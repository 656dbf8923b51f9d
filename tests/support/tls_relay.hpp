// A man in the middle for trust tests: listens on 127.0.0.1, terminates each connection's TLS
// with its own identity (the key under `relay_config_dir`), opens its own TLS connection to the
// real sender with that same identity, and relays the plaintext both ways. It is what an
// attacker on the path can do without the sender's key: a receiver that knows the sender's ID
// must notice that the peer it reached proves another one.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace xfer::test {

class tls_relay {
  public:
    // `listen_port` 0: any free port. Throws std::runtime_error when it cannot start.
    tls_relay(const std::filesystem::path& relay_config_dir, uint16_t target_port,
              uint16_t listen_port = 0);
    ~tls_relay();  // stops accepting, ends every relayed connection, joins
    tls_relay(const tls_relay&) = delete;
    tls_relay& operator=(const tls_relay&) = delete;

    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    // Connections whose TLS handshake with the client completed (the relay was believed far
    // enough to talk to) and bytes relayed from the sender to clients.
    uint64_t handshakes() const { return handshakes_.load(); }
    uint64_t bytes_to_clients() const { return bytes_to_clients_.load(); }

  private:
    void accept_loop();
    void relay(int client_fd);

    void* server_context_ = nullptr;  // SSL_CTX*
    void* client_context_ = nullptr;  // SSL_CTX*
    uint16_t target_port_;
    uint16_t port_ = 0;
    int listener_ = -1;
    int wake_ = -1;
    std::atomic<bool> stopping_{false};
    std::atomic<uint64_t> handshakes_{0};
    std::atomic<uint64_t> bytes_to_clients_{0};
    std::mutex mutex_;
    std::vector<int> sockets_;
    std::vector<std::thread> relays_;
    std::thread acceptor_;
};

}  // namespace xfer::test
