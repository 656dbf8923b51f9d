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
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "shared/core/ids.hpp"
#include "shared/net/address.hpp"

namespace xfer::discovery {

class peer_finder {
  public:
    struct options {
        std::optional<net::endpoint> tracker;
        bool lan = false;
        std::string path;  // relative path as shared (may be empty if id given)
        std::optional<content_id> id;
        peer_id self;  // never report ourselves
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

  private:
    struct holder {
        net::endpoint sender;
        content_id content{};
        unsigned sources = 0;  // bit 0: tracker, bit 1: LAN
    };
    class worker;

    options options_;
    zmq::socket_t control_;  // PAIR: the destructor's stop message
    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<peer_id, holder> holders_;  // guarded by mutex_
    bool tracker_answered_ = false;      // guarded by mutex_
    std::thread thread_;
};

}  // namespace xfer::discovery
