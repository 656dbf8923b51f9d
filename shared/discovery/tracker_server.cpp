#include "shared/discovery/tracker_server.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

#include "shared/core/log.hpp"
#include "shared/discovery/zmq_frames.hpp"

namespace xfer::discovery {
namespace {

using namespace std::chrono_literals;

uint64_t random_instance() {
    uint64_t value = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&value), sizeof value);
    return value;
}

// ZeroMQ binds to interface addresses, not names: turn "localhost" into "127.0.0.1".
std::string numeric_host(const net::endpoint& listen) {
    auto resolved = net::resolve(listen, /*passive=*/true);
    if (!resolved)
        throw std::runtime_error("cannot listen on " + listen.to_string() + ": " +
                                 resolved.error());
    const auto& first = resolved->front();
    return net::to_endpoint(reinterpret_cast<const sockaddr*>(&first.storage), first.length).host;
}

bool try_bind(zmq::socket_t& socket, const net::endpoint& where) {
    try {
        socket.bind(tcp_address(where));
        return true;
    } catch (const zmq::error_t&) {
        return false;
    }
}

}  // namespace

std::chrono::milliseconds tracker_server::interval_for(std::chrono::milliseconds timeout) {
    return std::clamp(timeout / 5, limits::min_heartbeat_interval, limits::max_heartbeat_interval);
}

tracker_server::tracker_server(zmq::context_t& context, options opts)
    : router_(context, zmq::socket_type::router),
      publisher_(context, zmq::socket_type::pub),
      service_(tracker::service_settings{interval_for(opts.heartbeat_timeout),
                                         opts.heartbeat_timeout, 0, random_instance()}),
      key_(std::move(opts.key)) {
    if (!key_) throw std::invalid_argument("tracker_server needs a key");
    const std::string host = numeric_host(opts.listen);
    apply_discovery_options(router_, host);
    apply_discovery_options(publisher_, host);
    key_->make_server(router_);
    key_->make_server(publisher_);
    // A client that asks and never reads gets its replies dropped, not queued without end.
    router_.set(zmq::sockopt::sndhwm, limits::max_queued_replies);
    endpoint_ = {host, opts.listen.port};
    try {
        router_.bind(tcp_address(endpoint_));
    } catch (const zmq::error_t& e) {
        throw std::runtime_error("cannot listen on " + opts.listen.to_string() + ": " + e.what());
    }
    endpoint_.port = bound_port(router_);
    endpoint_.host = opts.listen.host;

    net::endpoint pub{host, 0};
    if (opts.pub_port) {
        pub.port = *opts.pub_port;
        if (!try_bind(publisher_, pub)) {
            throw std::runtime_error("cannot listen on " + pub.to_string() + " for tracker pushes");
        }
    } else {
        pub.port = endpoint_.port < 65535 ? endpoint_.port + 1 : 0;
        // PORT+1 is a convenience for firewalls; any port works because clients ask for it.
        if (opts.listen.port == 0 || !try_bind(publisher_, pub)) {
            pub.port = 0;
            if (!try_bind(publisher_, pub))
                throw std::runtime_error("cannot bind the tracker's PUB socket");
        }
    }
    service_.set_pub_port(bound_port(publisher_));
}

void tracker_server::publish(const std::vector<tracker::frame_list>& pushes) {
    // PUB never blocks: a subscriber whose queue is full misses pushes and sees the seq gap.
    for (const auto& frames : pushes) send_message(publisher_, frames);
}

void tracker_server::serve_requests(steady_time now) {
    // Bounded per round so expiry and the stop check still run under a flood.
    for (int handled = 0; handled < 1000; ++handled) {
        auto received = receive_message(router_, limits::max_frames_per_message + 1);
        if (!received) return;
        if (received->too_many_frames || received->frames.size() < 2) continue;
        const std::vector<std::string> routing{received->frames.front()};
        const tracker::frame_list request(received->frames.begin() + 1, received->frames.end());
        const auto output = service_.handle(request, received->peer_address, now);
        for (const auto& reply : output.replies) send_message(router_, reply, routing);
        publish(output.pushes);
    }
}

void tracker_server::run(const std::function<bool()>& stop_requested) {
    XLOG_INFO("tracker", "",
              "requests on " << endpoint_.to_string() << ", pushes on port " << pub_port());
    while (!stop_requested()) {
        auto wait = 200ms;
        if (const auto deadline = service_.next_deadline()) wait = until(*deadline + 1ms, wait);
        std::vector<zmq::pollitem_t> items{{router_.handle(), 0, ZMQ_POLLIN, 0}};
        poll_for(items, wait);
        const auto now = std::chrono::steady_clock::now();
        serve_requests(now);
        publish(service_.expire(now));
    }
}

}  // namespace xfer::discovery
