// Loopback TCP tools for end-to-end tests, all inside the test process:
//
// - tcp_relay: a forwarder between a fetch and a real source that can slow the data down, so a
//   test has a wide, machine-independent window "mid-transfer" to kill, corrupt or observe
//   something in; it also holds early connections until its target starts listening.
// - scripted_peer: a fake source that answers every connection with fixed bytes (garbage, an
//   HTTP response, a hostile frame header), for checking that a fetch fails cleanly.
// - exchange_raw: a fake client that sends junk to a server and reports how it reacted.
//
// Both speak TLS by default, as every xfer peer does, so their bytes reach the frame reader
// behind it; transport::plaintext plays a peer that does not speak TLS at all.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace xfer::test {

enum class transport { tls, plaintext };

class tcp_relay {
  public:
    // Listens on 127.0.0.1 (any free port). Every connection is forwarded to 127.0.0.1:target_port
    // (retried until that port listens, for up to a minute). Data from the target to the client
    // is paced to `bytes_per_second` (0: as fast as it comes).
    explicit tcp_relay(uint16_t target_port, uint64_t bytes_per_second = 0);
    ~tcp_relay();  // closes every connection and joins every thread
    tcp_relay(const tcp_relay&) = delete;
    tcp_relay& operator=(const tcp_relay&) = delete;

    std::string address() const;  // "127.0.0.1:PORT" to give the client
    uint64_t bytes_to_clients() const { return bytes_to_clients_.load(); }
    void set_rate(uint64_t bytes_per_second) { rate_.store(bytes_per_second); }

  private:
    void accept_loop();
    void pump(int from, int to, bool paced);
    int connect_target();

    uint16_t target_port_;
    std::atomic<uint64_t> rate_;
    std::atomic<uint64_t> bytes_to_clients_{0};
    std::atomic<bool> stopping_{false};
    int listener_ = -1;
    int wake_ = -1;  // eventfd: stop the accept loop
    uint16_t port_ = 0;
    std::mutex mutex_;
    std::vector<int> sockets_;
    std::vector<std::thread> pumps_;
    std::thread acceptor_;
};

class scripted_peer {
  public:
    // Every accepted connection gets `script` written to it; then it is closed, or with
    // `hold_open` kept open (silent) until this object goes.
    scripted_peer(std::vector<uint8_t> script, bool hold_open, transport how = transport::tls);
    ~scripted_peer();
    scripted_peer(const scripted_peer&) = delete;
    scripted_peer& operator=(const scripted_peer&) = delete;

    std::string address() const;
    int connections() const { return connections_.load(); }

  private:
    void serve();

    std::vector<uint8_t> script_;
    bool hold_open_;
    transport how_;
    int listener_ = -1;
    int wake_ = -1;
    uint16_t port_ = 0;
    std::atomic<int> connections_{0};
    std::vector<int> held_;
    std::vector<std::shared_ptr<void>> held_tls_;  // TLS sessions kept open with hold_open
    std::thread thread_;
};

// How a server treated a client that sent `bytes`.
struct raw_exchange {
    bool connected = false;
    bool closed_by_server = false;  // orderly close or reset before the timeout
    std::vector<uint8_t> reply;     // what it sent back before closing
};
raw_exchange exchange_raw(uint16_t port, const std::vector<uint8_t>& bytes,
                          std::chrono::milliseconds timeout, transport how = transport::tls);

// A frame header of the xfer protocol: u32 big-endian body length, u8 type.
std::vector<uint8_t> frame_header(uint32_t length, uint8_t type);

}  // namespace xfer::test
