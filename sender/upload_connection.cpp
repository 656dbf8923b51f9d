#include "sender/upload_connection.hpp"

#include <algorithm>

#include "shared/bus/events.hpp"
#include "shared/core/error.hpp"
#include "shared/core/log.hpp"

namespace xfer::sender {
namespace {

// Requests are turned into queued file ranges only this far ahead of the socket, so a CANCEL
// still finds most of them and HAVE/ERROR frames are not stuck behind megabytes of data. The
// next LISTING frame is encoded once the queue holds less than listing_refill_bytes.
constexpr uint64_t queued_data_target = 1024 * 1024;
constexpr size_t read_budget = 1024 * 1024;
constexpr uint64_t listing_refill_bytes = 256 * 1024;

// ERROR carries xfer's own codes; an operating-system error travels as 0 with its text.
uint16_t wire_code(const std::error_code& ec) {
    return ec.category() == xfer_category() ? static_cast<uint16_t>(ec.value()) : 0;
}

}  // namespace

upload_connection::upload_connection(uint64_t id, std::unique_ptr<net::stream> stream,
                                     net::endpoint remote, sender_context& context)
    : id_(id),
      remote_(std::move(remote)),
      context_(context),
      label_("<-" + remote_.to_string()),
      session_(session::role::responder, std::move(stream), context.our_hello, *this, read_budget),
      listing_(context.listings),
      served_(context.log_transfer, remote_.to_string()) {}

bool upload_connection::serving_content(const content_id& id) const {
    return std::any_of(handles_.begin(), handles_.end(),
                       [&](const auto& h) { return h.second->id == id; });
}

std::error_code upload_connection::on_readable(clock::time_point now) {
    read_at_ = now;
    return session_.receive();
}

std::error_code upload_connection::on_writable(clock::time_point now) {
    if (filling_) fill_next_part();
    refill_queue();
    for (;;) {
        // File data taken by the socket is progress (frames alone may be KEEPALIVE).
        const bool file_data_queued = session_.queued_file_bytes() > 0;
        const auto result = session_.flush();
        if (file_data_queued && result.bytes > 0) last_served_ = clock::now();
        note_pieces_sent(now);
        if (result.error) return result.error;
        if (result.closed) return errc::peer_closed;
        if (result.would_block || (pending_requests_.empty() && !listing_.pending())) return {};
        // Nothing more queued (the upload limit is spent, or a block is being read): do not spin.
        if (!refill_queue()) return {};
    }
}

bool upload_connection::refill_queue() {
    bool queued = false;
    if (!hashes_sent_.empty()) send_streamed_hashes();
    while (listing_.pending() && session_.queued_frame_bytes() < listing_refill_bytes) {
        if (!listing_.sending()) start_next_listing();
        if (const auto frame = listing_.next_frame()) {
            session_.send(*frame);
            queued = true;
        }
    }
    while (!filling_ && !pending_requests_.empty() &&
           session_.queued_file_bytes() < queued_data_target && may_queue()) {
        const auto request = pending_requests_.front();
        pending_requests_.pop_front();
        const auto it = handles_.find(request.handle);
        if (it == handles_.end()) continue;  // closed since
        const auto entry = it->second;
        if (auto ec = check_unchanged_at_piece_start(request, *entry)) {
            end_handle(request.handle, *entry, ec);
            continue;
        }
        const wire::piece_header header{request.handle, request.piece, request.offset};
        if (!entry->is_tree()) {
            session_.send_piece(header, request.length, entry, entry->data_fd.get(),
                                entry->manifest.piece_offset(request.piece) + request.offset);
        } else if (!queue_tree_block(request, entry)) {
            continue;  // its files could not be read: the handle ended
        }
        if (entry->complete && uint64_t{request.offset} + request.length ==
                                   entry->manifest.piece_length(request.piece)) {
            // Everything queued so far, this piece's last block included, is out once bytes_sent
            // reaches this mark: then its promise's window starts (piece_promises.hpp).
            const uint64_t mark = session_.bytes_sent() + session_.queued_frame_bytes() +
                                  session_.queued_file_bytes();
            last_blocks_queued_.push_back({mark, entry->id, request.piece});
        }
        // Charged when queued: the queue is short (queued_data_target), so what is queued
        // leaves within moments, and bytes that never leave were still ours to send.
        if (context_.upload_limit) context_.upload_limit->spend(request.length, clock::now());
        served_.sent(request.handle, request.length);
        queued = true;
    }
    return queued;
}

// One fstat per piece, not per block: a block of a piece whose start passed the check goes out
// unchecked. That keeps what the check is for. The receiver verifies every piece by SHA-256, so
// a changed file is never written as verified whatever the sender does; the sender's check turns
// an in-place rewrite into a clear content_changed ERROR before a receiver counts pieces failing
// verification against us (it bans after three). Checking at each piece boundary lets at most
// the rest of the current piece (plus what is already queued or in the socket, as with a check
// per block: sendfile reads the pages when it sends them) go out mixed before the ERROR. Blocks
// of several pieces interleaved fall back to a check per block, and so does a piece asked for
// again (a block at or before the last one sent: a re-request after it failed verification), so
// a receiver retrying the piece the file changed under is told content_changed, not fed it again.
std::error_code upload_connection::check_unchanged_at_piece_start(const wire::request& request,
                                                                  const content_entry& entry) {
    auto& last = identity_checked_for_;
    if (last && last->handle == request.handle && last->piece == request.piece &&
        request.offset > last->offset) {
        last->offset = request.offset;
        return {};
    }
    if (auto ec = context_.store.check_unchanged(entry)) return ec;
    last = wire::block_ref{request.handle, request.piece, request.offset, 0};
    return {};
}

void upload_connection::end_handle(uint32_t handle, const content_entry& entry,
                                   const std::error_code& cause) {
    XLOG_WARN("sender", label_, entry.path << ": " << cause.message());
    session_.send(wire::error_msg{handle, wire_code(cause), entry.path + ": " + cause.message()});
    served_.ended(handle, transfer_log::outcome::failed, cause.message());
    handles_.erase(handle);
    hashes_sent_.erase(handle);
    ended_handles_.insert(handle);
    std::erase_if(pending_requests_, [&](const auto& r) { return r.handle == handle; });
}

std::error_code upload_connection::on_peer_verified(const identity::peer_id& peer) {
    const auto shown = identity::format_peer_id(peer);
    label_ = "<-" + remote_.to_string() + "/" + shown.substr(0, 7);
    const auto verdict = session::judge(context_.authorize, peer, remote_);
    XLOG_INFO("sender", label_, "peer " << shown << " over " << session_.transport());
    may_read_ = verdict.allowed;
    // A peer that may not read is refused at its HELLO, unless the HELLO says it comes to pair.
    if (!verdict.allowed)
        refusal_ = verdict.reason.empty() ? std::string("not allowed to read from this peer")
                                          : verdict.reason;
    served_.set_peer(peer);
    return {};
}

std::error_code upload_connection::on_hello(const wire::hello& hello) {
    last_useful_ = read_at_;
    if (!may_read_ && !(hello.features & wire::hello_feature_pairing)) {
        XLOG_WARN(
            "sender", label_,
            "refused peer " << identity::format_peer_id(*remote_peer_id()) << ": " << refusal_);
        return errc::peer_not_allowed;
    }
    XLOG_INFO("sender", label_, (may_read_ ? "receiver connected" : "receiver comes to pair"));
    return {};
}

std::error_code upload_connection::on_list(const wire::list_request& message) {
    if (!may_read_) return refuse_unpaired();
    last_useful_ = read_at_;
    // Answered in order as the socket takes the listings before it (refill_queue).
    return listing_.ask(message.path) ? std::error_code{} : errc::malformed_message;
}

// The next asked-for listing, once the one before it is out: its entries are read now, not when
// the LIST came, so waiting LISTs cost their path only.
void upload_connection::start_next_listing() {
    const auto path = listing_.take_asked();
    if (!path) return;
    const auto& hello = session_.remote_hello();
    const bool links_as_links = hello && (hello->features & wire::hello_feature_listing_symlinks);
    auto entries = context_.store.list(*path, links_as_links);
    if (!entries) {
        session_.send(wire::error_msg{0, wire_code(entries.error()),
                                      *path + ": " + entries.error().message()});
        return;
    }
    if (!listing_.start(std::move(*entries))) {
        XLOG_WARN("sender", label_, "listing of " << *path << " refused: too many pending");
        const auto busy = make_error_code(errc::sender_busy);
        session_.send(wire::error_msg{0, wire_code(busy), *path + ": " + busy.message()});
    }
}

std::error_code upload_connection::on_open(const wire::open_request& message) {
    if (!may_read_) return refuse_unpaired();
    if (handles_.size() >= max_handles_per_connection || handles_.contains(message.handle)) {
        return errc::malformed_message;
    }
    std::optional<content_id> wanted;
    if (message.content != content_id{}) wanted = message.content;
    context_.opener.submit({id_, message.handle, message.path, wanted, message.want_owners});
    ++opens_in_flight_;
    last_useful_ = read_at_;
    return {};
}

std::error_code upload_connection::on_request(const wire::request& request) {
    last_useful_ = read_at_;
    const auto it = handles_.find(request.handle);
    if (it == handles_.end()) {
        return ended_handles_.contains(request.handle) ? std::error_code{}
                                                       : std::error_code(errc::unexpected_message);
    }
    const auto& entry = *it->second;
    const auto& m = entry.manifest;
    if (request.piece >= m.piece_count() ||
        uint64_t{request.offset} + request.length > m.piece_length(request.piece)) {
        return errc::malformed_message;
    }
    // Only verified pieces are ever served; a receiver asks only for what we announced.
    const bool announced = entry.streaming
                               ? streamed_piece_sent(request.handle, entry, request.piece)
                               : entry.have.test(request.piece);
    if (!announced) return errc::piece_unavailable;
    if (pending_requests_.size() >= max_pending_requests) return errc::malformed_message;
    if (declines(request, entry)) return {};
    pending_requests_.push_back(request);
    if (context_.backlog) context_.backlog->accepted(request.length, id_);
    return {};
}

std::error_code upload_connection::on_cancel(const wire::cancel& message) {
    last_useful_ = read_at_;
    // The receiver got the piece elsewhere or gave up on it here: others may have it at once.
    if (const auto it = handles_.find(message.handle); it != handles_.end()) {
        context_.promises.withdraw(it->second->id, message.piece, id_);
        context_.fanout.withdraw(it->second->id, message.piece, id_);
    }
    std::erase_if(pending_requests_, [&](const auto& r) {
        return r.handle == message.handle && r.piece == message.piece && r.offset == message.offset;
    });
    return {};
}

std::error_code upload_connection::on_close(const wire::close_msg& message) {
    last_useful_ = read_at_;
    served_.ended(message.handle, transfer_log::outcome::done);
    handles_.erase(message.handle);
    hashes_sent_.erase(message.handle);
    identity_checked_for_.reset();  // the handle may be reused for another content
    std::erase_if(pending_requests_, [&](const auto& r) { return r.handle == message.handle; });
    return {};
}

std::error_code upload_connection::on_bye() {
    // What is already queued (a listing, say) still goes out before we close.
    closing_ = true;
    pending_requests_.clear();
    return {};
}

std::error_code upload_connection::on_error(const wire::error_msg& message) {
    XLOG_INFO("sender", label_, "receiver reports: " << message.text);
    return message.handle == 0 ? std::error_code(errc::peer_closed) : std::error_code{};
}

void upload_connection::on_opened(open_result& result) {
    const uint32_t handle = result.job.handle;
    if (opens_in_flight_ > 0) --opens_in_flight_;
    if (!result.entry) {
        const auto& ec = result.entry.error();
        XLOG_INFO("sender", label_, "open " << result.job.path << ": " << ec.message());
        const auto what = result.job.path.empty() ? std::string("content") : result.job.path;
        session_.send(wire::error_msg{handle, wire_code(ec), what + ": " + ec.message()});
        return;
    }
    const auto& entry = *result.entry;
    owners_[handle] = std::move(result.owners);  // goes out with the MANIFEST (take_owners)
    if (entry->streaming) {
        open_streaming(handle, entry);
        publish_connect_back(*entry);
        return;
    }
    handles_[handle] = entry;
    served_.opened(handle, entry->path, to_hex(entry->id), clock::now());
    identity_checked_for_.reset();  // a handle ended earlier may come back as another content
    const auto owners = take_owners(handle);
    session_.send(wire::manifest_view{handle, entry->encoded_manifest, owners});
    session_.send(
        wire::bitfield_msg{handle, entry->manifest.piece_count(), entry->have.to_bytes()});
    XLOG_INFO("sender", label_,
              "serving " << entry->path << " (" << entry->have.count() << "/"
                         << entry->manifest.piece_count() << " pieces)");
    publish_connect_back(*entry);
}

// Connect-back: the receiver runs a sender too; our own receiver may want its pieces.
void upload_connection::publish_connect_back(const content_entry& entry) {
    if (const auto sender = advertised_sender()) {
        bus::event hint{bus::event_type::peer_learned, entry.id, 0, sender->to_string()};
        context_.peer_events.send(bus::encode(hint), zmq::send_flags::dontwait);
    }
}

std::optional<net::endpoint> upload_connection::advertised_sender() const {
    const auto& hello = session_.remote_hello();
    if (!hello || hello->listen_port == 0) return std::nullopt;
    return net::endpoint{hello->listen_host.empty() ? remote_.host : hello->listen_host,
                         hello->listen_port};
}

void upload_connection::send_peers(const content_id& id, const std::vector<net::endpoint>& peers) {
    if (peers.empty()) return;
    for (const auto& [handle, entry] : handles_) {
        if (entry->id != id) continue;
        wire::peers_msg message{handle, {}};
        for (const auto& peer : peers) {
            message.peers.push_back({peer.port, peer.host});
            if (message.peers.size() == wire::max_peers_per_message) {
                session_.send(message);
                message.peers.clear();
            }
        }
        if (!message.peers.empty()) session_.send(message);
    }
}

void upload_connection::on_piece_verified(const content_id& id, uint32_t piece_index) {
    for (const auto& [handle, entry] : handles_) {
        // Ahead of queued data: a receiver that learns late that we have it asks a seeder.
        if (entry->id == id) session_.send_urgent(wire::have{handle, piece_index});
    }
}

void upload_connection::close_with(const std::error_code& cause) {
    const bool refused = cause == make_error_code(errc::peer_not_allowed) && !refusal_.empty();
    session_.send(wire::error_msg{0, wire_code(cause), refused ? refusal_ : cause.message()});
    send_bye();
}

void upload_connection::send_bye() {
    pending_requests_.clear();
    listing_.clear();
    session_.send_bye_now();
}

bool upload_connection::tick(clock::time_point now) {
    if (!last_blocks_queued_.empty()) note_pieces_sent(now);  // the socket drains between writes
    session_.keepalive_if_idle(now);
    return session_.silent_longer_than(receiver_silence_limit, now);
}

}  // namespace xfer::sender
