#include "sender/sender_loop.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <utility>

#include "shared/bus/events.hpp"
#include "shared/bus/inproc_bind.hpp"
#include "shared/bus/sequence.hpp"
#include "shared/core/error.hpp"
#include "shared/core/log.hpp"
#include "shared/identity/peer_id.hpp"
#include "shared/net/socket.hpp"
#include "shared/tls/tls_stream.hpp"

namespace xfer::sender {
namespace {

constexpr auto tick_interval = std::chrono::milliseconds(250);
constexpr auto first_measure_interval = std::chrono::milliseconds(50);
// Fixed poll items before the connections.
enum poll_slot : size_t {
    control_slot,
    store_events_slot,
    opener_slot,
    streamer_slot,
    listener_slot,
    first_connection
};

wire::hello hello_for(const sender_options& options) {
    wire::hello hello;
    hello.id = options.id;
    hello.site = options.site;
    if (options.public_access) hello.features |= wire::hello_feature_public;
    return hello;
}

}  // namespace

sender_loop::sender_loop(zmq::context_t& context, std::shared_ptr<piece_store> store,
                         const sender_options& options, int listener_fd,
                         const std::string& control_endpoint, upload_stats& stats)
    : store_(std::move(store)),
      options_(options),
      listener_fd_(listener_fd),
      stats_(stats),
      control_(context, zmq::socket_type::pair),
      store_events_(context, zmq::socket_type::sub),
      peer_events_(context, zmq::socket_type::pub),
      streamer_(context, store_->hashing_cancelled()),
      opener_(context, store_, /*may_stream=*/true),
      admission_(options.max_connections, max_connections_per_address),
      upload_limit_(options.limit_up > 0
                        ? std::optional<token_bucket>(std::in_place, options.limit_up,
                                                      token_bucket::default_burst(options.limit_up),
                                                      clock::now())
                        : std::nullopt),
      shared_{*store_,
              opener_,
              hello_for(options),
              peer_events_,
              promises_,
              fanout_,
              options.authorize,
              {},
              upload_limit_ ? &*upload_limit_ : nullptr,
              &options_.log_transfer,
              &streamer_,
              nullptr,
              nullptr,
              {}} {
    if (options.pairing) {
        codes_.emplace(pairing::code_policy{options.pairing->code_lifetime});
        shared_.codes = &*codes_;
        shared_.pairing_offer = &*options.pairing;
        shared_.own_peer_id = options.tls->our_id();
    }
    // XFER_BUSY_DECLINE=off: never declined for being busy, as before (for comparing the two;
    // docs/HARNESS.md).
    const char* busy_decline = std::getenv("XFER_BUSY_DECLINE");
    if (busy_decline == nullptr || std::string_view(busy_decline) != "off")
        shared_.backlog = &backlog_;
    control_.set(zmq::sockopt::linger, 0);
    control_.connect(control_endpoint);
    bind_store_events();
    peer_events_.set(zmq::sockopt::linger, 0);
    peer_events_.connect(bus::peer_events_endpoint);
}

// Our own receiver (inproc) and other xfer processes on this directory (ipc) publish here.
void sender_loop::bind_store_events() {
    store_events_.set(zmq::sockopt::linger, 0);
    store_events_.set(zmq::sockopt::subscribe, "");
    bus::bind_inproc(store_events_, bus::store_events_endpoint);
    if (!options_.bind_directory_bus) return;
    try {
        store_events_.bind(bus::store_ipc_endpoint(store_->root()));
    } catch (const zmq::error_t& e) {
        // Another sender on this directory already listens; this one still hears inproc.
        XLOG_DEBUG("sender", "", "directory bus not bound: " << e.what());
    }
}

void sender_loop::run() {
    refresh_pairing_code(clock::now());
    for (;;) {
        build_poll_items();
        zmq::poll(items_.data(), items_.size(), poll_timeout());
        const bool stop = items_[control_slot].revents & ZMQ_POLLIN;
        if (items_[store_events_slot].revents & ZMQ_POLLIN) take_store_events();
        if (items_[opener_slot].revents & ZMQ_POLLIN) take_opened_contents();
        // More hashes known: the connections that stream them want to write (build_poll_items).
        if (items_[streamer_slot].revents & ZMQ_POLLIN) streamer_.take_wakeups();
        if (items_[listener_slot].revents & ZMQ_POLLIN) accept_receivers();
        for (size_t i = first_connection; i < items_.size(); ++i) {
            serve(item_connection_[i - first_connection], items_[i].events, items_[i].revents);
        }
        const auto now = clock::now();
        if (now - last_tick_ >= tick_interval) tick(now);
        // Until the uplink's rate is known a busy sender declines nothing: learn it soon.
        if (backlog_.rate() == 0 && now - last_measured_ >= first_measure_interval)
            measure_backlog(now);
        refresh_pairing_code(now);
        // The linger rule reads this: it must be exact on every pass (no allocation to count).
        stats_.receivers_with_open_content = static_cast<size_t>(
            std::count_if(connections_.begin(), connections_.end(),
                          [](const auto& item) { return item.second->has_open_handles(); }));
        if (stop) break;
    }
    say_goodbye();
}

// Now if input is buffered; when the upload limit is spent, as soon as it allows more (the
// connections that wait for it do not ask for POLLOUT meanwhile); else the tick.
std::chrono::milliseconds sender_loop::poll_timeout() {
    const bool buffered_input =
        std::any_of(connections_.begin(), connections_.end(), [](const auto& item) {
            return item.second->wants_read() && item.second->has_buffered_input();
        });
    if (buffered_input) return std::chrono::milliseconds(0);
    const auto now = clock::now();
    if (!upload_limit_ || upload_limit_->ready(now)) return tick_interval;
    return std::min<std::chrono::milliseconds>(
        tick_interval,
        std::chrono::ceil<std::chrono::milliseconds>(upload_limit_->next_ready(now) - now));
}

void sender_loop::build_poll_items() {
    items_.clear();
    item_connection_.clear();
    items_.push_back({control_.handle(), 0, ZMQ_POLLIN, 0});
    items_.push_back({store_events_.handle(), 0, ZMQ_POLLIN, 0});
    items_.push_back({opener_.ready_socket().handle(), 0, ZMQ_POLLIN, 0});
    items_.push_back({streamer_.ready_socket().handle(), 0, ZMQ_POLLIN, 0});
    items_.push_back({nullptr, listener_fd_, ZMQ_POLLIN, 0});
    for (auto& [id, connection] : connections_) {
        // A receiver we hold too much for is not read from until it reads: backpressure.
        const short events = static_cast<short>((connection->wants_read() ? ZMQ_POLLIN : 0) |
                                                (connection->wants_write() ? ZMQ_POLLOUT : 0));
        items_.push_back({nullptr, connection->fd(), events, 0});
        item_connection_.push_back(id);
    }
}

// The one place store events from the bus are consumed. HAVEs go out through the feed, which
// also notices lost events (a gap in the stamps) and sends what they would have announced.
void sender_loop::take_store_events() {
    const bitfield_lookup store_bits = [this](const content_id& id) { return verified_bits(id); };
    while (const auto message = bus::receive(store_events_)) {
        if (const auto& event = message->event;
            event && event->type == bus::event_type::piece_verified) {
            store_->note_piece_verified(event->content, event->piece);
        } else if (event && event->type == bus::event_type::file_completed) {
            store_->note_file_completed(event->content);
        }
        for (const auto& owed : haves_.on_message(*message, store_bits)) {
            if (auto it = connections_.find(owed.connection); it != connections_.end())
                it->second->on_piece_verified(owed.content, owed.piece);
        }
    }
}

std::optional<std::vector<uint8_t>> sender_loop::verified_bits(const content_id& content) {
    store_->reload_verified(content);  // a partial another process fetches: its bits from disk
    if (auto entry = store_->find(content)) return entry->have.to_bytes();
    return std::nullopt;
}

void sender_loop::take_opened_contents() {
    for (auto& result : opener_.take_results()) {
        const auto it = connections_.find(result.job.connection_id);
        if (it == connections_.end()) continue;  // the receiver left meanwhile
        // Read before on_opened sends BITFIELD: the feed never assumes a bit not sent.
        if (result.entry)
            haves_.on_opened(it->first, (*result.entry)->id, (*result.entry)->have.to_bytes());
        it->second->on_opened(result);
        if (!result.entry) continue;
        ++stats_.receivers_served;
        introduce(*it->second, (*result.entry)->id);
    }
}

// Peer exchange: the newcomer and the receivers already here learn of each other.
void sender_loop::introduce(upload_connection& newcomer, const content_id& content) {
    const auto its_sender = newcomer.advertised_sender();
    if (!its_sender) return;
    const auto introductions = exchange_.join(content, newcomer.id(), *its_sender);
    for (const auto member : introductions.about_newcomer) {
        if (auto other = connections_.find(member); other != connections_.end()) {
            other->second->send_peers(content, {*its_sender});
        }
    }
    newcomer.send_peers(content, introductions.to_newcomer);
}

void sender_loop::accept_receivers() {
    for (;;) {
        sockaddr_storage address{};
        socklen_t length = sizeof address;
        auto* raw = reinterpret_cast<sockaddr*>(&address);
        unique_fd fd(::accept4(listener_fd_, raw, &length, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd) break;
        auto remote = net::to_endpoint(raw, length);
        if (!make_room(remote.host, clock::now())) {
            XLOG_WARN("sender", "",
                      "connection limit reached, every slot is being served; refusing "
                          << net::to_string(raw, length));
            continue;
        }
        net::configure_stream_socket(fd.get());
        const uint64_t id = next_id_++;
        auto stream =
            std::make_unique<tls::tls_stream>(std::move(fd), options_.tls, tls::side::server);
        connections_.emplace(id, std::make_unique<upload_connection>(id, std::move(stream),
                                                                     std::move(remote), shared_));
    }
}

bool sender_loop::make_room(const std::string& host, clock::time_point now) {
    const auto views = admission_views();
    const auto decision = admission_.admit(host, views, now);
    if (decision.evict) {
        XLOG_INFO("sender", connections_.at(*decision.evict)->label(),
                  "evicted (idle, stalled or no HELLO) to make room for " << host);
        close_connection(*decision.evict, errc::peer_timeout);
    }
    return decision.admit;
}

std::vector<admission_policy::connection_view> sender_loop::admission_views() const {
    std::vector<admission_policy::connection_view> views;
    views.reserve(connections_.size());
    for (const auto& [id, c] : connections_) {
        const auto& peer = c->remote_peer_id();
        views.push_back({id, c->remote_host(), c->greeted(), c->busy(), c->accepted_at(),
                         c->last_useful(), c->last_progress(),
                         peer ? identity::format_peer_id(*peer) : std::string()});
    }
    return views;
}

bool sender_loop::admit_peer(uint64_t id, clock::time_point now) {
    const auto& peer = connections_.at(id)->remote_peer_id();
    if (!peer || !peer_admitted_.insert(id).second) return true;
    // This installation's own processes (and the tests, which run every process as one
    // identity) are not limited: a stranger cannot prove our key.
    if (options_.tls && *peer == options_.tls->our_id()) return true;
    const auto decision =
        admission_.admit_peer(identity::format_peer_id(*peer), id, admission_views(), now);
    if (decision.evict) {
        XLOG_INFO("sender", connections_.at(*decision.evict)->label(),
                  "evicted (idle or stalled): its peer ID is at its connection limit");
        close_connection(*decision.evict, errc::peer_timeout);
    }
    if (!decision.admit) {
        XLOG_WARN("sender", connections_.at(id)->label(),
                  "refused: its peer ID holds " << max_connections_per_peer
                                                << " connections, all being served");
    }
    return decision.admit;
}

void sender_loop::serve(uint64_t id, short events, short revents) {
    const auto it = connections_.find(id);
    if (it == connections_.end()) return;  // closed earlier in this pass
    auto& connection = *it->second;
    std::error_code ec;
    const bool readable = revents & (ZMQ_POLLIN | ZMQ_POLLERR) || connection.has_buffered_input();
    const bool reads = readable && connection.wants_read();
    if (reads) ec = connection.on_readable(clock::now());
    if (!ec && !admit_peer(id, clock::now())) ec = errc::sender_busy;
    // Polled for POLLOUT and not writable, with nothing read since: a write would only fail
    // (one wasted syscall per connection and pass, most passes at low rates).
    const bool socket_full = (events & ZMQ_POLLOUT) && !(revents & (ZMQ_POLLOUT | ZMQ_POLLERR));
    if (!ec && connection.wants_write() && !(socket_full && !reads)) {
        const uint64_t before = connection.bytes_sent();
        ec = connection.on_writable(clock::now());
        stats_.total_bytes_sent += connection.bytes_sent() - before;
    }
    if (!ec && connection.finished()) ec = errc::peer_closed;
    if (!ec && connection.not_reading()) ec = errc::peer_not_reading;
    if (ec) close_connection(id, ec);
}

void sender_loop::tick(clock::time_point now) {
    last_tick_ = now;
    std::vector<uint64_t> silent;
    for (auto& [id, connection] : connections_) {
        // A HELLO trickled in a byte at a time does not hold a slot past its deadline.
        const bool hello_overdue = admission_policy::hello_overdue(
            {id, {}, connection->greeted(), false, connection->accepted_at(), {}, {}, {}}, now);
        if (connection->tick(now) || hello_overdue) silent.push_back(id);
    }
    for (const auto id : silent) close_connection(id, errc::peer_timeout);
    measure_backlog(now);
    publish_stats();
}

// What every receiver is owed now, and how fast the uplink drained it (upload_backlog.hpp).
void sender_loop::measure_backlog(clock::time_point now) {
    const auto interval = now - std::exchange(last_measured_, now);
    uint64_t owed = 0;
    std::vector<uint64_t> owed_to;
    uint64_t acknowledged = acknowledged_by_closed_;
    for (const auto& [id, connection] : connections_) {
        const uint64_t its = connection->owed_bytes();
        owed += its;
        if (its > 0) owed_to.push_back(id);
        acknowledged += connection->bytes_acknowledged();
    }
    const uint64_t since = acknowledged - std::min(acknowledged, acknowledged_at_tick_);
    acknowledged_at_tick_ = acknowledged;
    backlog_.measured(owed, std::move(owed_to), since, interval);
}

// Labels and byte counts are for a progress display: refreshed at the tick, not on every pass.
void sender_loop::publish_stats() {
    std::lock_guard lock(stats_.mutex);
    stats_.peers.clear();
    for (const auto& [id, connection] : connections_) {
        stats_.peers.push_back(
            {connection->label(), connection->bytes_sent(), connection->has_open_handles()});
    }
}

void sender_loop::close_connection(uint64_t id, const std::error_code& cause) {
    const auto it = connections_.find(id);
    if (it == connections_.end()) return;
    if (cause == make_error_code(errc::peer_closed)) {
        XLOG_INFO("sender", it->second->label(), "receiver left");
    } else if (cause == make_error_code(errc::closed_before_speaking)) {
        XLOG_DEBUG("sender", it->second->label(), "closed before sending a byte (a port check)");
    } else if (cause == make_error_code(errc::not_tls)) {
        // One line per plaintext client (an xfer before 0.2, a scanner, a stray HTTP request).
        XLOG_WARN("sender", it->second->label(),
                  "dropped: no TLS handshake (not an xfer peer, or an xfer older than 0.2): "
                      << it->second->transport_failure());
    } else if (cause == make_error_code(errc::tls_failed)) {
        XLOG_WARN("sender", it->second->label(),
                  "dropped: TLS handshake failed: " << it->second->transport_failure());
    } else if (cause == make_error_code(errc::peer_not_allowed) ||
               cause == make_error_code(errc::pairing_failed)) {
        it->second->close_with(cause);  // the refusal (or failed pairing) was logged
    } else {
        XLOG_WARN("sender", it->second->label(), "dropping receiver: " << cause.message());
        it->second->close_with(cause);
    }
    acknowledged_by_closed_ += it->second->bytes_sent();
    connections_.erase(it);
    peer_admitted_.erase(id);
    exchange_.leave(id);
    promises_.forget_connection(id);
    fanout_.forget_connection(id);
    haves_.forget(id);
}

void sender_loop::refresh_pairing_code(clock::time_point now) {
    if (!codes_) return;
    const auto announcement = codes_->refresh(now);
    if (announcement && options_.pairing->on_code) options_.pairing->on_code(*announcement);
}

void sender_loop::say_goodbye() {
    stats_.receivers_with_open_content = 0;
    for (auto& [id, connection] : connections_) connection->send_bye();
    connections_.clear();
    std::lock_guard lock(stats_.mutex);
    stats_.peers.clear();
}

}  // namespace xfer::sender
