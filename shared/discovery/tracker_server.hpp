// `xfer tracker`'s socket loop: a ROUTER for requests (register, heartbeat, leave, query, info,
// sync) and a PUB that pushes every membership change the moment it happens. The behaviour lives
// in tracker_service; this file only moves frames and keeps the clock.
//
// Ports: the ROUTER binds HOST:PORT. The PUB binds HOST:PUB_PORT where PUB_PORT is the one asked
// for, else PORT+1 when that is free, else any free port. Clients never assume: they ask the
// ROUTER (INFO) for the PUB port, so `--listen 127.0.0.1:0` works.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <zmq.hpp>

#include "shared/discovery/tracker_key.hpp"
#include "shared/discovery/tracker_service.hpp"
#include "shared/net/address.hpp"

namespace xfer::discovery {

class tracker_server {
  public:
    struct options {
        net::endpoint listen{"0.0.0.0", net::default_tracker_port};
        std::optional<uint16_t> pub_port;
        std::chrono::milliseconds heartbeat_timeout = limits::default_heartbeat_timeout;
        // Both sockets are CURVE servers with this key: clients that name it know they talk to
        // this tracker, and what either side says is encrypted. Required.
        std::shared_ptr<const tracker_keypair> key;
    };

    // Binds both sockets; throws std::runtime_error naming the address on failure.
    tracker_server(zmq::context_t& context, options opts);

    // The ROUTER's address with the port actually bound.
    const net::endpoint& endpoint() const { return endpoint_; }
    uint16_t pub_port() const { return service_.settings().pub_port; }

    // Serves until `stop_requested()` is true; it is checked at least every 200 ms. Must run on
    // one thread (the sockets' owner) for the server's whole life.
    void run(const std::function<bool()>& stop_requested);

    const tracker::tracker_service& service() const { return service_; }

    // Heartbeat interval a tracker with this timeout hands out: a fifth of it, within the
    // bounds clients accept.
    static std::chrono::milliseconds interval_for(std::chrono::milliseconds timeout);

  private:
    void serve_requests(steady_time now);
    void publish(const std::vector<tracker::frame_list>& pushes);

    zmq::socket_t router_;
    zmq::socket_t publisher_;
    net::endpoint endpoint_;
    tracker::tracker_service service_;
    std::shared_ptr<const tracker_keypair> key_;
};

}  // namespace xfer::discovery
