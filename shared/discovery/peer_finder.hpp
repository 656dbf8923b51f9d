// Finds senders that hold one content (by content id if known, else by path) and publishes them
// on the process bus: bus::event_type::peer_learned / peer_left with text = "host:port" and
// content = the searched content id, or zero ("any") when searching by path: the receiver
// learns its version from the first manifest and checks it at open. Runs its own thread. Joins and
// leaves are pushed as the tracker publishes them (it subscribes to the tracker's PUB) and, with
// lan, as announcements, goodbyes and expiry are heard.
//
// Bus delivery: the finder's socket is an XPUB that CONNECTS to bus::peer_events_endpoint (the
// receiver's SUB binds it). Each time a subscription for peer_learned arrives, every current
// holder is published again, so a SUB that binds or subscribes late still hears them all;
// receivers must treat peer_learned for a known address as a no-op.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "shared/core/ids.hpp"
#include "shared/discovery/tracker_link.hpp"
#include "shared/identity/peer_id.hpp"
#include "shared/net/address.hpp"

namespace xfer::discovery {

class peer_finder {
  public:
    struct options {
        std::optional<tracker_link> tracker;  // and the key it must prove (CURVE)
        bool lan = false;
        std::string path;  // relative path as shared (may be empty if id given)
        std::optional<content_id> id;
        peer_id self;  // never report ourselves
        // Which signers may serve (docs/SECURITY.md): a record whose signer this rejects is not
        // a holder, only counted (untrusted_holders). Set when searching by path (own ID,
        // paired, allowed); unset when searching by content id, where verification against
        // the id decides and anyone may serve.
        std::function<bool(const identity::peer_id&)> trusted_signer;
    };

    peer_finder(zmq::context_t& context, options opts);
    ~peer_finder();
    peer_finder(const peer_finder&) = delete;
    peer_finder& operator=(const peer_finder&) = delete;

    // Blocking one-shot: the senders known right now that hold the content. With a tracker it
    // returns as soon as the tracker has answered and at least one holder is known, else at
    // `timeout` (holders that register during the wait count); with lan it listens for the
    // whole `timeout`. Used to decide "no peer has it" with a clear error. Thread-safe.
    std::vector<net::endpoint> current_holders(std::chrono::milliseconds timeout);

    // The peer IDs that signed the records naming `sender` as a holder (zero for a record that
    // carried none; empty when discovery did not name it): a fetch by path requires the TLS
    // handshake there to prove one of them. Thread-safe.
    std::vector<identity::peer_id> signers_at(const net::endpoint& sender);
    // Peers that hold the content but whose signer trusted_signer rejected. Thread-safe.
    size_t untrusted_holders();
    // The tracker failed to prove its key (a sentence), else empty. Thread-safe.
    std::string tracker_failure();
    // The tracker has answered a query (even with nobody). Thread-safe.
    bool tracker_answered();
    // When the tracker last said anything at all, if it has. Thread-safe.
    std::optional<std::chrono::steady_clock::time_point> tracker_last_heard();

  private:
    struct holder {
        net::endpoint sender;
        identity::peer_id signer;  // zero when the record carried none
        content_id content{};
        unsigned sources = 0;  // bit 0: tracker, bit 1: LAN
    };
    class worker;

    options options_;
    zmq::socket_t control_;  // PAIR: the destructor's stop message
    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<peer_id, holder> holders_;      // guarded by mutex_
    std::map<peer_id, unsigned> untrusted_;  // record id -> sources; guarded by mutex_
    bool tracker_answered_ = false;          // guarded by mutex_
    std::optional<std::chrono::steady_clock::time_point> tracker_last_heard_;  // by mutex_
    std::string tracker_failure_;                                              // guarded by mutex_
    std::thread thread_;
};

}  // namespace xfer::discovery
