#include "sender/sender.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <map>

#include "sender/content_opener.hpp"
#include "sender/upload_connection.hpp"
#include "shared/bus/events.hpp"
#include "shared/core/error.hpp"
#include "shared/core/log.hpp"
#include "shared/net/socket.hpp"

namespace xfer::sender {
namespace {

std::atomic<unsigned> sender_counter{0};
constexpr auto tick_interval = std::chrono::milliseconds(250);

}  // namespace

std::expected<std::unique_ptr<sender>, std::string> sender::start(zmq::context_t& context,
                                                                  std::shared_ptr<piece_store> store,
                                                                  sender_options options) {
    auto listener = net::listen_tcp(options.listen);
    if (!listener) return std::unexpected(listener.error());
    return std::unique_ptr<sender>(new sender(context, std::move(store), std::move(options), std::move(*listener)));
}

sender::sender(zmq::context_t& context, std::shared_ptr<piece_store> store, sender_options options,
               unique_fd listener)
    : context_(context),
      store_(std::move(store)),
      options_(std::move(options)),
      listener_(std::move(listener)),
      control_endpoint_("inproc://xfer-sender-control-" + std::to_string(sender_counter++)),
      control_(context, zmq::socket_type::pair) {
    listening_ = net::local_endpoint(listener_.get());
    control_.set(zmq::sockopt::linger, 0);
    control_.bind(control_endpoint_);
    thread_ = std::thread([this] { run(); });
    if (options_.prehash) prehash_thread_ = std::thread([this] { prehash_files(); });
}

void sender::prehash_files() {
    constexpr size_t max_files = 100000;
    size_t indexed = 0;
    for (const auto& path : store_->walk_files(max_files)) {
        if (stopping_) return;
        if (!store_->index_file(path)) ++indexed;
    }
    XLOG_INFO("sender", "", "indexed " << indexed << " files");
}

sender::~sender() { stop(); }

void sender::stop() {
    stopping_ = true;
    store_->set_hashing_cancelled(true);  // the prehash thread or the opener may be inside a big file
    if (prehash_thread_.joinable()) prehash_thread_.join();
    if (thread_.joinable()) {
        control_.send(zmq::str_buffer("stop"), zmq::send_flags::none);
        thread_.join();
    }
    store_->set_hashing_cancelled(false);  // the store may outlive this sender
}

std::vector<upload_peer_stats> sender::peer_stats() const {
    std::lock_guard lock(stats_mutex_);
    return stats_;
}

size_t sender::receivers_with_open_content() const { return receivers_with_open_content_.load(); }

void sender::run() {
    // Every ZeroMQ socket below is created, used and closed on this thread.
    zmq::socket_t control(context_, zmq::socket_type::pair);
    control.set(zmq::sockopt::linger, 0);
    control.connect(control_endpoint_);

    // Store events: our own receiver (inproc) and other xfer processes on this directory (ipc).
    zmq::socket_t store_events(context_, zmq::socket_type::sub);
    store_events.set(zmq::sockopt::linger, 0);
    store_events.set(zmq::sockopt::subscribe, "");
    store_events.bind(bus::store_events_endpoint);
    if (options_.bind_directory_bus) {
        try {
            store_events.bind(bus::store_ipc_endpoint(store_->root()));
        } catch (const zmq::error_t& e) {
            // Another sender on this directory already listens; this one still hears inproc.
            XLOG_DEBUG("sender", "", "directory bus not bound: " << e.what());
        }
    }
    zmq::socket_t peer_events(context_, zmq::socket_type::pub);
    peer_events.set(zmq::sockopt::linger, 0);
    peer_events.connect(bus::peer_events_endpoint);

    content_opener opener(context_, store_);
    wire::hello our_hello;
    our_hello.id = options_.id;
    piece_promises promises;
    sender_context shared{*store_, opener, our_hello, peer_events, promises};

    std::map<uint64_t, std::unique_ptr<upload_connection>> connections;
    // Peer exchange: per content, the receivers that run a sender of their own.
    std::map<content_id, std::map<uint64_t, net::endpoint>> swarm;
    uint64_t next_id = 1;
    auto last_tick = upload_connection::clock::now();
    XLOG_INFO("sender", "", "listening on " << listening_.to_string());

    auto close_connection = [&](uint64_t id, const std::error_code& cause) {
        auto it = connections.find(id);
        if (it == connections.end()) return;
        if (cause == make_error_code(errc::peer_closed)) {
            XLOG_INFO("sender", it->second->label(), "receiver left");
        } else {
            XLOG_WARN("sender", it->second->label(), "dropping receiver: " << cause.message());
            it->second->close_with(cause);
        }
        connections.erase(it);
        for (auto& [content, members] : swarm) members.erase(id);
        promises.forget_connection(id);
    };

    std::vector<zmq::pollitem_t> items;
    std::vector<uint64_t> item_connection;
    bool stopping = false;
    while (!stopping) {
        items.clear();
        item_connection.clear();
        items.push_back({control.handle(), 0, ZMQ_POLLIN, 0});
        items.push_back({store_events.handle(), 0, ZMQ_POLLIN, 0});
        items.push_back({opener.ready_socket().handle(), 0, ZMQ_POLLIN, 0});
        items.push_back({nullptr, listener_.get(), ZMQ_POLLIN, 0});
        const size_t first_connection = items.size();
        bool buffered_input = false;
        for (auto& [id, connection] : connections) {
            short events = ZMQ_POLLIN;
            if (connection->wants_write()) events |= ZMQ_POLLOUT;
            buffered_input |= connection->has_buffered_input();
            items.push_back({nullptr, connection->fd(), events, 0});
            item_connection.push_back(id);
        }
        zmq::poll(items.data(), items.size(), buffered_input ? std::chrono::milliseconds(0) : tick_interval);

        if (items[0].revents & ZMQ_POLLIN) stopping = true;
        if (items[1].revents & ZMQ_POLLIN) {
            zmq::message_t frame;
            while (store_events.recv(frame, zmq::recv_flags::dontwait)) {
                const auto event = bus::decode(frame);
                if (!event) continue;
                if (event->type == bus::event_type::piece_verified) {
                    store_->note_piece_verified(event->content, event->piece);
                    for (auto& [id, connection] : connections) connection->on_piece_verified(event->content, event->piece);
                } else if (event->type == bus::event_type::file_completed) {
                    store_->note_file_completed(event->content);
                }
            }
        }
        if (items[2].revents & ZMQ_POLLIN) {
            for (auto& result : opener.take_results()) {
                if (auto it = connections.find(result.job.connection_id); it != connections.end()) {
                    it->second->on_opened(result, shared);
                    if (!result.entry) continue;
                    ++receivers_served_;
                    // Introduce the newcomer and the receivers already here to each other, so a
                    // swarm meshes within a round trip rather than a tracker heartbeat.
                    const auto newcomer = it->second->advertised_sender();
                    if (!newcomer) continue;
                    const auto& content = (*result.entry)->id;
                    auto& members = swarm[content];
                    std::vector<net::endpoint> others;
                    for (const auto& [member_id, member] : members) {
                        if (member_id == it->first || member == *newcomer) continue;
                        others.push_back(member);
                        if (auto other = connections.find(member_id); other != connections.end()) {
                            other->second->send_peers(content, {*newcomer});
                        }
                    }
                    it->second->send_peers(content, others);
                    members[it->first] = *newcomer;
                }
            }
        }
        if (items[3].revents & ZMQ_POLLIN) {
            for (;;) {
                sockaddr_storage address{};
                socklen_t length = sizeof address;
                unique_fd fd(::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&address), &length,
                                       SOCK_NONBLOCK | SOCK_CLOEXEC));
                if (!fd) break;
                if (connections.size() >= options_.max_connections) {
                    XLOG_WARN("sender", "", "connection limit reached; refusing " << net::to_string(reinterpret_cast<sockaddr*>(&address), length));
                    continue;
                }
                net::configure_stream_socket(fd.get());
                const auto remote = net::to_endpoint(reinterpret_cast<sockaddr*>(&address), length);
                const uint64_t id = next_id++;
                connections.emplace(id, std::make_unique<upload_connection>(id, std::make_unique<net::tcp_stream>(std::move(fd)), remote));
            }
        }
        for (size_t i = first_connection; i < items.size(); ++i) {
            const uint64_t id = item_connection[i - first_connection];
            auto it = connections.find(id);
            if (it == connections.end()) continue;
            auto& connection = *it->second;
            std::error_code ec;
            if (items[i].revents & (ZMQ_POLLIN | ZMQ_POLLERR) || connection.has_buffered_input()) {
                ec = connection.on_readable(shared);
            }
            if (!ec && connection.wants_write()) {
                const uint64_t before = connection.bytes_sent();
                ec = connection.on_writable(shared);
                total_bytes_sent_ += connection.bytes_sent() - before;
            }
            if (!ec && connection.finished()) ec = errc::peer_closed;
            if (ec) close_connection(id, ec);
        }
        const auto now = upload_connection::clock::now();
        if (now - last_tick >= tick_interval) {
            last_tick = now;
            std::vector<uint64_t> silent;
            for (auto& [id, connection] : connections) {
                if (connection->tick(now)) silent.push_back(id);
            }
            for (const auto id : silent) close_connection(id, errc::peer_timeout);
            // Labels and byte counts are for a progress display: refreshed at the tick, not on
            // every pass of this loop.
            std::lock_guard lock(stats_mutex_);
            stats_.clear();
            for (const auto& [id, connection] : connections) {
                stats_.push_back({connection->label(), connection->bytes_sent(), connection->has_open_handles()});
            }
        }
        // The linger rule reads this: it must be exact on every pass (no allocation to count).
        receivers_with_open_content_ = static_cast<size_t>(std::count_if(
            connections.begin(), connections.end(), [](const auto& item) { return item.second->has_open_handles(); }));
    }
    receivers_with_open_content_ = 0;
    for (auto& [id, connection] : connections) connection->send_bye();
    connections.clear();
    std::lock_guard lock(stats_mutex_);
    stats_.clear();
}

}  // namespace xfer::sender
