#include "shared/discovery/zmq_frames.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>

#include "shared/discovery/limits.hpp"

namespace xfer::discovery {

std::optional<received_message> receive_message(zmq::socket_t& socket, size_t max_frames) {
    received_message out;
    zmq::message_t frame;
    if (!socket.recv(frame, zmq::recv_flags::dontwait)) return std::nullopt;
    bool more = true;
    while (true) {
        if (out.frames.size() < max_frames) {
            out.frames.emplace_back(static_cast<const char*>(frame.data()), frame.size());
        } else {
            out.too_many_frames = true;
        }
        if (out.peer_address.empty()) {
            // Metadata rides on frames that came over the wire (not on a ROUTER's routing id).
            try {
                if (const char* address = frame.gets("Peer-Address")) out.peer_address = address;
            } catch (const zmq::error_t&) {
            }
        }
        more = frame.more();
        if (!more) break;
        // The rest of a multipart message is already queued: this never waits.
        if (!socket.recv(frame, zmq::recv_flags::none)) break;
    }
    return out;
}

bool send_message(zmq::socket_t& socket, const tracker::frame_list& frames,
                  const std::vector<std::string>& prefix) {
    const size_t total = prefix.size() + frames.size();
    size_t index = 0;
    for (const auto* list : {&prefix, &frames}) {
        for (const auto& frame : *list) {
            ++index;
            const auto flags = index < total ? zmq::send_flags::sndmore | zmq::send_flags::dontwait
                                             : zmq::send_flags::dontwait;
            try {
                if (!socket.send(zmq::buffer(frame), flags)) return false;
            } catch (const zmq::error_t&) {
                return false;  // e.g. EHOSTUNREACH: the client behind a routing id is gone
            }
        }
    }
    return true;
}

control_pair make_control_pair(zmq::context_t& context, const std::string& name) {
    static std::atomic<uint64_t> counter{0};
    const auto address = "inproc://xfer-" + name + "-" + std::to_string(counter.fetch_add(1));
    control_pair pair{zmq::socket_t(context, zmq::socket_type::pair),
                      zmq::socket_t(context, zmq::socket_type::pair)};
    pair.owner.set(zmq::sockopt::linger, 0);
    pair.worker.set(zmq::sockopt::linger, 0);
    pair.owner.bind(address);
    pair.worker.connect(address);
    return pair;
}

int poll_for(std::vector<zmq::pollitem_t>& items, std::chrono::milliseconds timeout) {
    try {
        return zmq::poll(items, timeout);
    } catch (const zmq::error_t& e) {
        if (e.num() == EINTR) return 0;
        throw;
    }
}

void apply_discovery_options(zmq::socket_t& socket, const std::string& host) {
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(limits::max_frame_bytes));
    if (host.find(':') != std::string::npos) socket.set(zmq::sockopt::ipv6, 1);
}

std::string tcp_address(const net::endpoint& where) {
    return "tcp://" + where.to_string();
}

uint16_t bound_port(zmq::socket_t& socket) {
    const std::string last = socket.get(zmq::sockopt::last_endpoint);
    const auto colon = last.rfind(':');
    if (colon == std::string::npos) return 0;
    unsigned value = 0;
    std::from_chars(last.data() + colon + 1, last.data() + last.size(), value);
    return value <= 65535 ? static_cast<uint16_t>(value) : 0;
}

std::chrono::milliseconds until(std::chrono::steady_clock::time_point deadline,
                                std::chrono::milliseconds cap) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return std::clamp(left, std::chrono::milliseconds{0}, cap);
}

}  // namespace xfer::discovery
