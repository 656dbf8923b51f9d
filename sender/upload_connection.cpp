#include "sender/upload_connection.hpp"

#include <algorithm>

#include "shared/bus/events.hpp"
#include "shared/core/error.hpp"
#include "shared/core/log.hpp"

namespace xfer::sender {
namespace {

constexpr auto keepalive_interval = std::chrono::seconds(15);
// A receiver says something (a request or a KEEPALIVE) at least every 15 s.
constexpr auto silence_limit = std::chrono::seconds(90);
// Requests are turned into queued file ranges only this far ahead of the socket, so a CANCEL
// still finds most of them and HAVE/ERROR frames are not stuck behind megabytes of data.
constexpr uint64_t queued_data_target = 1024 * 1024;
constexpr size_t read_budget = 1024 * 1024;

// ERROR carries xfer's own codes; an operating-system error travels as 0 with its text.
uint16_t wire_code(const std::error_code& ec) {
    return ec.category() == xfer_category() ? static_cast<uint16_t>(ec.value()) : 0;
}

}  // namespace

upload_connection::upload_connection(uint64_t id, std::unique_ptr<net::stream> stream, net::endpoint remote)
    : id_(id), stream_(std::move(stream)), remote_(std::move(remote)), label_("<-" + remote_.to_string()) {}

bool upload_connection::serving_content(const content_id& id) const {
    return std::any_of(handles_.begin(), handles_.end(), [&](const auto& h) { return h.second->id == id; });
}

std::error_code upload_connection::on_readable(sender_context& context) {
    const auto result = reader_.pump(
        *stream_, [&](wire::message_type type, std::span<const uint8_t> body) { return handle(type, body, context); },
        nullptr, read_budget);
    if (result.bytes > 0) last_received_ = clock::now();
    if (result.error) return result.error;
    if (result.closed) return errc::peer_closed;
    return {};
}

std::error_code upload_connection::on_writable(sender_context& context) {
    refill_queue(context);
    for (;;) {
        const auto result = queue_.flush(*stream_);
        bytes_sent_ += result.bytes;
        if (result.bytes > 0) last_sent_ = clock::now();
        if (result.error) return result.error;
        if (result.closed) return errc::peer_closed;
        if (result.would_block || pending_requests_.empty()) return {};
        refill_queue(context);
    }
}

void upload_connection::refill_queue(sender_context& context) {
    while (!pending_requests_.empty() && queue_.queued_file_bytes() < queued_data_target) {
        const auto request = pending_requests_.front();
        pending_requests_.pop_front();
        const auto it = handles_.find(request.handle);
        if (it == handles_.end()) continue;  // closed since
        const auto& entry = it->second;
        if (auto ec = context.store.check_unchanged(*entry)) {
            XLOG_WARN("sender", label_, entry->path << ": " << ec.message());
            send(wire::error_msg{request.handle, wire_code(ec),
                                 entry->path + ": " + ec.message()});
            handles_.erase(it);
            ended_handles_.insert(request.handle);
            std::erase_if(pending_requests_, [&](const auto& r) { return r.handle == request.handle; });
            continue;
        }
        wire::encode_piece_header({request.handle, request.piece, request.offset}, request.length,
                                  queue_.bytes_for_append());
        queue_.append_file(entry, entry->data_fd.get(), entry->manifest.piece_offset(request.piece) + request.offset,
                           request.length);
    }
}

std::error_code upload_connection::handle(wire::message_type type, std::span<const uint8_t> body,
                                          sender_context& context) {
    auto decoded = wire::decode(type, body);
    if (!decoded) return decoded.error();
    if (!hello_received_) {
        const auto* hello = std::get_if<wire::hello>(&*decoded);
        if (hello == nullptr) return errc::bad_protocol;
        if (hello->version != wire::protocol_version) return errc::version_mismatch;
        remote_hello_ = *hello;
        hello_received_ = true;
        label_ = "<-" + remote_.to_string() + "/" + to_hex(hello->id).substr(0, 8);
        send(context.our_hello);
        XLOG_INFO("sender", label_, "receiver connected");
        return {};
    }
    return std::visit(
        [&](auto& message) -> std::error_code {
            using T = std::decay_t<decltype(message)>;
            if constexpr (std::is_same_v<T, wire::request>) {
                return handle_request(message, context);
            } else if constexpr (std::is_same_v<T, wire::cancel>) {
                std::erase_if(pending_requests_, [&](const auto& r) {
                    return r.handle == message.handle && r.piece == message.piece && r.offset == message.offset;
                });
                return {};
            } else if constexpr (std::is_same_v<T, wire::open_request>) {
                if (handles_.size() >= max_handles_per_connection || handles_.contains(message.handle)) {
                    return errc::malformed_message;
                }
                std::optional<content_id> wanted;
                if (message.content != content_id{}) wanted = message.content;
                context.opener.submit({id_, message.handle, message.path, wanted});
                return {};
            } else if constexpr (std::is_same_v<T, wire::list_request>) {
                auto entries = context.store.list(message.path);
                if (!entries) {
                    send(wire::error_msg{0, wire_code(entries.error()),
                                         message.path + ": " + entries.error().message()});
                    return {};
                }
                // Split into frames under the LISTING limits.
                wire::listing frame;
                size_t frame_bytes = 5;
                for (auto& entry : *entries) {
                    const size_t size = wire::listing_entry_size(entry);
                    if (frame.entries.size() == wire::max_listing_entries || frame_bytes + size > 1024 * 1024) {
                        frame.more = true;
                        send(frame);
                        frame = {};
                        frame_bytes = 5;
                    }
                    frame_bytes += size;
                    frame.entries.push_back(std::move(entry));
                }
                frame.more = false;
                send(frame);
                return {};
            } else if constexpr (std::is_same_v<T, wire::close_msg>) {
                handles_.erase(message.handle);
                std::erase_if(pending_requests_, [&](const auto& r) { return r.handle == message.handle; });
                return {};
            } else if constexpr (std::is_same_v<T, wire::keepalive>) {
                return {};
            } else if constexpr (std::is_same_v<T, wire::bye>) {
                // What is already queued (a listing, say) still goes out before we close.
                closing_ = true;
                pending_requests_.clear();
                return {};
            } else if constexpr (std::is_same_v<T, wire::error_msg>) {
                XLOG_INFO("sender", label_, "receiver reports: " << message.text);
                return message.handle == 0 ? std::error_code(errc::peer_closed) : std::error_code{};
            } else {
                return errc::unexpected_message;  // data-direction messages never come upstream
            }
        },
        *decoded);
}

std::error_code upload_connection::handle_request(const wire::request& request, sender_context& context) {
    const auto it = handles_.find(request.handle);
    if (it == handles_.end()) {
        return ended_handles_.contains(request.handle) ? std::error_code{} : std::error_code(errc::unexpected_message);
    }
    const auto& m = it->second->manifest;
    if (request.piece >= m.piece_count() || uint64_t{request.offset} + request.length > m.piece_length(request.piece)) {
        return errc::malformed_message;
    }
    // Only verified pieces are ever served; a receiver asks only for what we announced.
    if (!it->second->have.test(request.piece)) return errc::piece_unavailable;
    if (pending_requests_.size() >= max_pending_requests) return errc::malformed_message;
    // A seeder declines a piece it just gave another receiver (see piece_promises.hpp); the
    // decision is taken on a piece's first block and holds for its other blocks.
    const auto key = std::make_pair(request.handle, request.piece);
    if (request.offset == 0) {
        declined_.erase(key);
        if (it->second->complete &&
            !context.promises.give(it->second->id, m.piece_count(), request.piece, id_, clock::now())) {
            declined_.insert(key);
            send(wire::decline_msg{request.handle, request.piece});
            return {};
        }
    } else if (declined_.contains(key)) {
        return {};
    }
    pending_requests_.push_back(request);
    return {};
}

void upload_connection::on_opened(open_result& result, sender_context& context) {
    const uint32_t handle = result.job.handle;
    if (!result.entry) {
        const auto& ec = result.entry.error();
        XLOG_INFO("sender", label_, "open " << result.job.path << ": " << ec.message());
        send(wire::error_msg{handle, wire_code(ec),
                             (result.job.path.empty() ? std::string("content") : result.job.path) + ": " +
                                 ec.message()});
        return;
    }
    const auto& entry = *result.entry;
    handles_[handle] = entry;
    send(wire::manifest_msg{handle, entry->encoded_manifest});
    send(wire::bitfield_msg{handle, entry->manifest.piece_count(), entry->have.to_bytes()});
    XLOG_INFO("sender", label_, "serving " << entry->path << " (" << entry->have.count() << "/"
                                           << entry->manifest.piece_count() << " pieces)");
    // Connect-back: the receiver runs a sender too; our own receiver may want its pieces.
    if (const auto sender = advertised_sender()) {
        bus::event hint{bus::event_type::peer_learned, entry->id, 0, sender->to_string()};
        context.peer_events.send(bus::encode(hint), zmq::send_flags::dontwait);
    }
}

std::optional<net::endpoint> upload_connection::advertised_sender() const {
    if (!hello_received_ || remote_hello_.listen_port == 0) return std::nullopt;
    return net::endpoint{remote_hello_.listen_host.empty() ? remote_.host : remote_hello_.listen_host,
                         remote_hello_.listen_port};
}

void upload_connection::send_peers(const content_id& id, const std::vector<net::endpoint>& peers) {
    if (peers.empty()) return;
    for (const auto& [handle, entry] : handles_) {
        if (entry->id != id) continue;
        wire::peers_msg message{handle, {}};
        for (const auto& peer : peers) {
            message.peers.push_back({peer.port, peer.host});
            if (message.peers.size() == wire::max_peers_per_message) {
                send(message);
                message.peers.clear();
            }
        }
        if (!message.peers.empty()) send(message);
    }
}

void upload_connection::on_piece_verified(const content_id& id, uint32_t piece_index) {
    for (const auto& [handle, entry] : handles_) {
        if (entry->id == id) send(wire::have{handle, piece_index});
    }
}

void upload_connection::close_with(const std::error_code& cause) {
    send(wire::error_msg{0, wire_code(cause),
                         cause.message()});
    send_bye();
}

void upload_connection::send_bye() {
    send(wire::bye{});
    pending_requests_.clear();
    (void)queue_.flush(*stream_);
}

bool upload_connection::tick(clock::time_point now) {
    if (now - last_sent_ > keepalive_interval && queue_.empty()) {
        send(wire::keepalive{});
        last_sent_ = now;
    }
    return now - last_received_ > silence_limit;
}

}  // namespace xfer::sender
