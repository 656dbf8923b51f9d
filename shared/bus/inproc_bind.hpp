// Binding an inproc endpoint that a socket closed a moment ago may still hold.
//
// ZeroMQ frees a socket's inproc name only when its reaper thread destroys the socket, a little
// after close(). Two fetches run one after the other in one process (`xfer fetch HOST A B`) each
// bind the peer-events endpoint, so the second could fail with "Address already in use".
#pragma once

#include <chrono>
#include <string>
#include <zmq.hpp>

namespace xfer::bus {

// Binds `socket` to `endpoint`, retrying while the name is still taken, for at most `patience`
// (the reaper needs microseconds; the bound is for a name that another live socket really holds).
// Throws zmq::error_t as bind() does if the name is still taken after that.
void bind_inproc(zmq::socket_t& socket, const std::string& endpoint,
                 std::chrono::milliseconds patience = std::chrono::milliseconds(2000));

}  // namespace xfer::bus
