#include "sender/sender.hpp"

#include "sender/sender_loop.hpp"
#include "shared/core/log.hpp"
#include "shared/net/socket.hpp"

namespace xfer::sender {
namespace {

std::atomic<unsigned> sender_counter{0};

}  // namespace

std::expected<std::unique_ptr<sender>, std::string> sender::start(
    zmq::context_t& context, std::shared_ptr<piece_store> store, sender_options options) {
    if (!options.tls) return std::unexpected(std::string("sender: no TLS identity configured"));
    auto listener = net::listen_tcp(options.listen);
    if (!listener) return std::unexpected(listener.error());
    return std::unique_ptr<sender>(
        new sender(context, std::move(store), std::move(options), std::move(*listener)));
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

sender::~sender() {
    stop();
}

void sender::stop() {
    stopping_ = true;
    store_->set_hashing_cancelled(
        true);  // the prehash thread or the opener may be inside a big file
    if (prehash_thread_.joinable()) prehash_thread_.join();
    if (thread_.joinable()) {
        control_.send(zmq::str_buffer("stop"), zmq::send_flags::none);
        thread_.join();
    }
    store_->set_hashing_cancelled(false);  // the store may outlive this sender
}

std::vector<upload_peer_stats> sender::peer_stats() const {
    std::lock_guard lock(stats_.mutex);
    return stats_.peers;
}

size_t sender::receivers_with_open_content() const {
    return stats_.receivers_with_open_content.load();
}

void sender::run() {
    XLOG_INFO("sender", "", "listening on " << listening_.to_string());
    sender_loop loop(context_, store_, options_, listener_.get(), control_endpoint_, stats_);
    loop.run();
}

}  // namespace xfer::sender
