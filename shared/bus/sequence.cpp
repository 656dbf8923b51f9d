#include "shared/bus/sequence.hpp"

#include <openssl/rand.h>

#include <string>

#include "shared/wire/byte_io.hpp"

namespace xfer::bus {

zmq::message_t encode(const stamp& s) {
    std::string out;
    wire::byte_writer w(out);
    w.u64(s.publisher);
    w.u64(s.sequence);
    return zmq::message_t(out.data(), out.size());
}

std::optional<stamp> decode_stamp(const zmq::message_t& frame) {
    if (frame.size() != stamp_size) return std::nullopt;
    wire::byte_reader r(std::span(static_cast<const uint8_t*>(frame.data()), frame.size()));
    stamp s;
    s.publisher = r.u64();
    s.sequence = r.u64();
    if (!r.complete()) return std::nullopt;
    return s;
}

std::optional<store_message> receive(zmq::socket_t& socket) {
    zmq::message_t first;
    if (!socket.recv(first, zmq::recv_flags::dontwait)) return std::nullopt;
    store_message message;
    if (!first.more()) {
        // A heartbeat is a lone stamp; a lone event frame is an unstamped event (older xfer).
        if (first.size() == stamp_size) {
            message.stamp = decode_stamp(first);
        } else {
            message.event = decode(first);
        }
        return message;
    }
    message.event = decode(first);
    zmq::message_t second;
    // ZeroMQ delivers all frames of a message or none: the rest is already here.
    if (socket.recv(second, zmq::recv_flags::dontwait)) message.stamp = decode_stamp(second);
    while (second.more() && socket.recv(second, zmq::recv_flags::dontwait)) message.stamp.reset();
    if (!message.stamp) message.event.reset();  // a malformed message, not an event
    // A stamped frame that is not an event reads as a heartbeat: its number counts as missed.
    return message;
}

namespace {
uint64_t random_publisher_id() {
    uint64_t id = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&id), sizeof id) != 1 || id == 0) {
        id = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(&id)) | 1;
    }
    return id;
}
}  // namespace

sequenced_publisher::sequenced_publisher(zmq::socket_t& pub)
    : pub_(pub), publisher_(random_publisher_id()) {}

void sequenced_publisher::publish(const event& e) {
    const stamp s{publisher_, ++sequence_};
    if (drop_ && drop_(e)) return;
    // Both frames or neither: a PUB at its high-water mark drops whole messages.
    if (!pub_.send(encode(e), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) return;
    pub_.send(encode(s), zmq::send_flags::dontwait);
}

void sequenced_publisher::heartbeat() {
    pub_.send(encode(stamp{publisher_, sequence_}), zmq::send_flags::dontwait);
}

uint64_t& sequence_tracker::last_of(uint64_t publisher) {
    if (!last_.contains(publisher) && last_.size() >= max_publishers) last_.clear();
    return last_[publisher];  // 0 for a publisher not seen before
}

bool sequence_tracker::missed_before(const stamp& s) {
    auto& last = last_of(s.publisher);
    const bool missed = s.sequence > last + 1;
    if (s.sequence > last) last = s.sequence;
    return missed;
}

bool sequence_tracker::missed_by_heartbeat(const stamp& s) {
    auto& last = last_of(s.publisher);
    const bool missed = s.sequence > last;
    if (s.sequence > last) last = s.sequence;
    return missed;
}

}  // namespace xfer::bus
