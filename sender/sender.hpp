// The upload half of a peer: listens, answers remote receivers, pushes HAVE for pieces the
// store gains. Runs one network thread; reads the store, never writes it.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "sender/pairing_codes.hpp"
#include "sender/upload_stats.hpp"
#include "shared/core/fd.hpp"
#include "shared/core/ids.hpp"
#include "shared/net/address.hpp"
#include "shared/session/peer_policy.hpp"
#include "shared/store/piece_store.hpp"
#include "shared/tls/tls_context.hpp"
#include "shared/transfer_log/transfer_sink.hpp"

namespace xfer::sender {

// Pairing codes offered to new receivers (`xfer serve` without --public). Both callbacks run on
// the sender thread: keep them short and thread-safe towards the owner.
struct pairing_options {
    std::chrono::steady_clock::duration code_lifetime = std::chrono::minutes(10);
    std::string own_name;  // our display name, sent in PAIR_REPLY
    // A code to show: the first one at start, then each replacement.
    std::function<void(const code_announcement&)> on_code;
    // A receiver proved the code: record it (known_peers, as paired) and say so.
    std::function<void(const paired_receiver&)> on_paired;
};

struct sender_options {
    net::endpoint listen{"0.0.0.0", net::default_sender_port};
    // This installation's key and certificate: every receiver connection is TLS with it.
    std::shared_ptr<const tls::tls_context> tls;
    // Who may read from us, asked once per connection right after the TLS handshake with the
    // receiver's verified peer ID and address; unset: everyone. A refusal reaches the receiver
    // as ERROR peer_not_allowed with the verdict's reason, and is logged with the peer ID.
    session::peer_check authorize;
    peer_id id{};  // random instance id of this process (HELLO), not an identity
    // Anyone may read (`--public`): our HELLO says so (wire::hello_feature_public), so a
    // receiver may accept us on first contact. `authorize` still decides who reads.
    bool public_access = false;
    // Also listen for store events from other xfer processes on this directory (xfer serve).
    bool bind_directory_bus = true;
    size_t max_connections = 512;
    // Hash shared files in the background at start (manifests are cached on disk), so the first
    // fetch of a big file does not wait for hashing and contents can be found by id.
    bool prehash = true;
    // Bytes per second over all receivers (--limit-up); 0 = none.
    uint64_t limit_up = 0;
    // Our segment (--site), told in our HELLO; empty: unknown (wire::hello::site).
    std::string site;
    // Each transfer served, when it ends (`xfer log`); called on the sender thread. Empty: none.
    transfer_log::transfer_sink log_transfer;
    // Unset: no pairing code; a receiver's PAIR_INIT is answered "no code open".
    std::optional<pairing_options> pairing;
};

class sender {
  public:
    // Binds the listening socket now, so errors (port in use) surface before any thread starts.
    static std::expected<std::unique_ptr<sender>, std::string> start(
        zmq::context_t& context, std::shared_ptr<piece_store> store, sender_options options);
    ~sender();  // stops the thread: BYE to every receiver, sockets closed

    const net::endpoint& listening() const { return listening_; }
    void stop();

    std::vector<upload_peer_stats> peer_stats() const;
    uint64_t total_bytes_sent() const { return stats_.total_bytes_sent.load(); }
    // Receivers connected now that still have a content open with us.
    size_t receivers_with_open_content() const;
    // Receivers that ever opened a content with us.
    uint64_t receivers_served() const { return stats_.receivers_served.load(); }

  private:
    sender(zmq::context_t& context, std::shared_ptr<piece_store> store, sender_options options,
           unique_fd listener);
    void run();
    void prehash_files();

    zmq::context_t& context_;
    std::shared_ptr<piece_store> store_;
    sender_options options_;
    unique_fd listener_;
    net::endpoint listening_;
    std::string control_endpoint_;
    zmq::socket_t control_;  // PAIR: stop message from the owner thread
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::thread prehash_thread_;
    upload_stats stats_;
};

}  // namespace xfer::sender
