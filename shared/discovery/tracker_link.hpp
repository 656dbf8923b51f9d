// One client's view of the tracker link: where the tracker is, the key it must prove (CURVE,
// see tracker_key.hpp), and whether the link has proven it. ZeroMQ hides handshakes (a socket
// with the wrong key just keeps reconnecting), so link_watch reads the socket's monitor events
// and turns a failed handshake into a sentence the user can act on.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "shared/discovery/tracker_key.hpp"
#include "shared/net/address.hpp"

namespace xfer::discovery {

struct tracker_link {
    net::endpoint endpoint;
    tracker_key key;
    // Called once, from the thread that owns the socket, when a handshake proved `key` (the
    // command line pins it for the address then). May be empty.
    std::function<void()> on_proven;
    // Appended to the failed-handshake sentence when the key came from a pin: how the user
    // forgets a pin whose tracker really has a new key (the command line knows the command).
    std::string when_pinned_key_fails = {};

    std::string to_string() const { return endpoint.to_string(); }
};

class link_watch {
  public:
    enum class state { unknown, proven, failed };

    // Starts monitoring `socket` (before it connects); stops in the destructor, which must run
    // before the socket closes (declare the watch after the socket).
    link_watch(zmq::context_t& context, zmq::socket_t& socket, tracker_link link);
    ~link_watch();
    link_watch(const link_watch&) = delete;
    link_watch& operator=(const link_watch&) = delete;

    void add_poll_item(std::vector<zmq::pollitem_t>& items);
    // Reads every event waiting. A handshake that succeeds after a failure clears it (the
    // tracker came back, or the impostor at the address went away). The owner reports a
    // failure (a command fails with it, `serve` logs it).
    void process();
    // A valid message arrived over the link: under CURVE only the key's holder could have sent
    // it, so the key is proven even if the monitor's event has not been read yet.
    void proven_by_message();

    state current() const { return state_; }
    // When failed: one line, e.g. "tracker 10.0.0.1:7421 did not prove its key KEY ...".
    const std::string& failure() const { return failure_; }
    const tracker_link& link() const { return link_; }

  private:
    zmq::socket_t& watched_;
    zmq::socket_t events_;
    tracker_link link_;
    state state_ = state::unknown;
    bool announced_ = false;
    std::string failure_;
};

// The sentence for a failed CURVE handshake with a tracker: `mechanism_mismatch` when the other
// side says it does not speak CURVE at all (a plaintext tracker or an older xfer). A plaintext
// tracker may also just close the connection, which looks like any failed handshake: both
// sentences name that case.
std::string tracker_handshake_failure(const tracker_link& link, bool mechanism_mismatch);

}  // namespace xfer::discovery
