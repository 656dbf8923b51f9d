// The few ZeroMQ moves discovery makes, done once with its bounds: receive one multipart message
// without blocking (refusing more frames than any legal message has), send one without
// blocking, poll without tripping over EINTR, and the socket options every discovery socket gets.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "shared/discovery/tracker_protocol.hpp"
#include "shared/net/address.hpp"

namespace xfer::discovery {

struct received_message {
    tracker::frame_list frames;    // all frames, including a ROUTER's routing id first
    std::string peer_address;      // the sender's IP as ZeroMQ saw it ("" when unknown)
    bool too_many_frames = false;  // the rest was drained and dropped
};

// nullopt when no message is waiting. Frames beyond `max_frames` are read and thrown away.
std::optional<received_message> receive_message(zmq::socket_t& socket, size_t max_frames);

// Sends all frames without blocking, each after `prefix` frames (e.g. a routing id).
// False if the message could not be queued (peer gone, queue full): discovery never waits.
bool send_message(zmq::socket_t& socket, const tracker::frame_list& frames,
                  const std::vector<std::string>& prefix = {});

// An owner's PAIR socket and its worker thread's, connected before the worker starts, so a
// "stop" sent without blocking finds its peer even at once: sent before the worker had connected
// its end, it was dropped and the owner waited on the join forever (a serve stopped 14 ms after
// it started hung until the 5 s watchdog). The worker's end is moved into the thread.
struct control_pair {
    zmq::socket_t owner;
    zmq::socket_t worker;
};
control_pair make_control_pair(zmq::context_t& context, const std::string& name);

// zmq::poll that treats EINTR (a signal arrived) as "nothing ready" instead of throwing.
int poll_for(std::vector<zmq::pollitem_t>& items, std::chrono::milliseconds timeout);

// linger, a per-frame size cap (libzmq drops a connection that sends a larger frame) and IPv6.
void apply_discovery_options(zmq::socket_t& socket, const std::string& host);

// "tcp://host:port", with IPv6 literals in brackets.
std::string tcp_address(const net::endpoint& where);
// The port a socket bound to (for ":0" binds), from ZMQ_LAST_ENDPOINT; 0 if unknown.
uint16_t bound_port(zmq::socket_t& socket);

// Milliseconds from now until `deadline`, at least 0 and at most `cap`.
std::chrono::milliseconds until(std::chrono::steady_clock::time_point deadline,
                                std::chrono::milliseconds cap);

}  // namespace xfer::discovery
