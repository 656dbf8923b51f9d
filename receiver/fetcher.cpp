// The fetch loop: sources come and go, requests are kept in flight, verdicts come back from the
// verifier. Message handling (and discovery's peer events) is in fetcher_messages.cpp.
#include "receiver/fetcher.hpp"

#include <cstdlib>
#include <string_view>

#include "receiver/retry_policy.hpp"
#include "receiver/source_liveness.hpp"
#include "shared/bus/inproc_bind.hpp"
#include "shared/core/error.hpp"
#include "shared/core/log.hpp"

namespace xfer::receiver {
namespace {

using clock = std::chrono::steady_clock;
constexpr auto tick_interval = std::chrono::milliseconds(200);
constexpr auto checkpoint_interval = std::chrono::seconds(2);

}  // namespace

fetcher::fetcher(zmq::context_t& context, std::shared_ptr<piece_store> store, fetch_request request)
    : context_(context),
      store_(std::move(store)),
      request_(std::move(request)),
      store_events_(context, zmq::socket_type::pub) {
    store_events_.set(zmq::sockopt::linger, 0);
    // Our own sender (if any) in this process, and any `xfer serve` on the same directory.
    store_events_.connect(bus::store_events_endpoint);
    store_events_.connect(bus::store_ipc_endpoint(store_->root()));
    verifier_ = std::make_unique<piece_verifier>(context_, request_.hash_threads, meter_);
    if (request_.limit_down > 0) {
        download_limit_.emplace(request_.limit_down,
                                token_bucket::default_burst(request_.limit_down), clock::now());
    }
}

// The hashers read piece buffers this fetcher owns: they are stopped (the piece in hand finished,
// the queue dropped) before any buffer is freed. Members alone would free the buffers first.
fetcher::~fetcher() {
    verifier_.reset();
    writer_.reset();
    connections_.clear();
}

void fetcher::publish(bus::event_type type, uint32_t piece, const std::string& text) {
    // A placeholder's id names nothing: other processes learn of the content once it is known.
    if (!entry_ || placeholder_) return;
    store_publisher_.publish({type, entry_->id, piece, text});
}

size_t fetcher::max_buffers() const {
    if (!entry_) return 0;
    return std::max<size_t>(4, request_.memory_budget / entry_->manifest.piece_size);
}

void fetcher::add_source(const net::endpoint& source) {
    const auto name = source.to_string();
    if (ignored_endpoints_.contains(name) || known_sources_.contains(name)) return;
    if (!source_cap_.has_room(connections_.size())) {
        wait_for_room(source);
        return;
    }
    known_sources_.insert(name);
    const uint64_t key = next_key_++;
    auto connection = std::make_unique<download_connection>(
        key, source, *this, download_limit_ ? &*download_limit_ : nullptr);
    wire::hello hello;
    hello.id = request_.id;
    hello.listen_port = request_.listen_port;
    hello.listen_host = request_.listen_host;
    hello.site = request_.site;
    // A sender still hashing may stream the manifest. XFER_MANIFEST_STREAM=off says we cannot:
    // the sender then hashes everything first, as before (for comparing the two; BENCHMARKS.md).
    static const bool stream_off = [] {
        const char* value = std::getenv("XFER_MANIFEST_STREAM");
        return value != nullptr && std::string_view(value) == "off";
    }();
    // --update compares the tree already there with the manifest's piece hashes when the fetch
    // opens: it needs them all at once, so it waits for the whole manifest. --owners takes the
    // owners record that comes with a whole MANIFEST only.
    if (!stream_off && !request_.update && !request_.owners)
        hello.features |= wire::hello_feature_manifest_stream;
    wire::open_request open{1, known_content().value_or(content_id{}), request_.remote_path,
                            request_.owners};
    const auto problem = connection->start(hello, open, request_.tls, &frame_memory_);
    XLOG_INFO("receiver", connection->label(), "connecting");
    connections_.emplace(key, std::move(connection));
    if (!problem.empty()) drop_source(key, problem);
}

void fetcher::drop_source(uint64_t key, const std::string& reason, bool quietly, bool may_retry) {
    const auto it = connections_.find(key);
    if (it == connections_.end()) return;
    auto& connection = *it->second;
    // A partner of a mutual exchange may not listen yet; a peer found by discovery may not have
    // the content yet (it is fetching it too). Both are asked again, with backoff, for a while
    // (source_retries.hpp).
    const auto now = clock::now();
    const bool partner_not_up =
        !connection.ever_connected() && now - started_ < request_.connect_retry_window;
    const auto name = connection.source().to_string();
    if (connection.last_block_data() != clock::time_point{}) retries_.delivered(name);
    if (may_retry && !(scheduler_ && scheduler_->complete())) {
        if (const auto delay = retries_.after_drop(connection.source(), partner_not_up,
                                                   request_.wait_for_peers, now)) {
            XLOG_INFO("receiver", connection.label(),
                      reason << "; retrying in " << delay->count() << " ms");
            quietly = true;
        }
    }
    if (!quietly) {
        // The user sees the last of these as the fetch's error if no source is left.
        XLOG_INFO("receiver", connection.label(), reason);
        last_failure_ = connection.source().to_string() + ": " + reason;
    }
    sites_.source_gone(key);
    connection.send_close_and_bye();
    known_sources_.erase(name);
    connections_.erase(it);
    // Pieces only this source was filling are closed (transfer_scheduler::source_removed).
    if (!scheduler_) return;
    dropped_.clear();
    scheduler_->source_removed(key, dropped_);
    for (const uint32_t piece : dropped_.closed) recycle(piece);
}

aligned_bytes fetcher::take_buffer(uint32_t piece) {
    if (!spare_buffers_.empty() &&
        entry_->manifest.piece_length(piece) == entry_->manifest.piece_size) {
        auto buffer = std::move(spare_buffers_.back());
        spare_buffers_.pop_back();
        return buffer;
    }
    // Every buffer is piece_size long (the last piece's too), so all are reusable.
    return allocate_aligned(entry_->manifest.piece_size);
}

void fetcher::recycle(uint32_t piece) {
    const auto it = buffers_.find(piece);
    if (it == buffers_.end()) return;
    if (it->second && spare_buffers_.size() < max_buffers())
        spare_buffers_.push_back(std::move(it->second));
    buffers_.erase(it);
}

void fetcher::schedule_requests() {
    if (!scheduler_ || !entry_) return;
    offers_.clear();
    for (const auto& [key, connection] : connections_) {
        if (connection->manifest_accepted()) offers_.push_back({key, connection->rate()});
    }
    scheduler_->plan(offers_, connections_.size(), decisions_);
    apply(decisions_);
}

void fetcher::apply(scheduler_decisions& decided) {
    for (const uint32_t piece : decided.opened) buffers_[piece] = take_buffer(piece);
    for (const auto& request : decided.requests) {
        if (const auto it = connections_.find(request.source); it != connections_.end())
            it->second->request_piece(request.piece, request.length, request.starts_wait);
    }
    for (const auto& cancel : decided.cancels) {
        if (const auto it = connections_.find(cancel.source); it != connections_.end())
            it->second->cancel_blocks(cancel.piece, cancel.length, cancel.blocks);
    }
    for (const uint32_t piece : decided.verify) {
        // The streamed manifest's hash (a placeholder entry's own hashes are not the content's).
        verifier_->submit({piece,
                           {buffers_.at(piece).get(), scheduler_->piece_length(piece)},
                           assembly_->hash(piece)});
    }
    for (const uint32_t piece : decided.closed) recycle(piece);
    if (decided.banned.empty()) {
        decided.clear();
        return;
    }
    const auto banned = decided.banned;  // dropping a source decides again
    decided.clear();
    for (const auto source : banned) drop_banned(source);
}

void fetcher::tick(fetch_progress& progress, const progress_fn& report) {
    const auto now = clock::now();
    std::vector<std::pair<uint64_t, std::string>> stalled;
    progress.sources.clear();
    const auto limits = liveness_limits::from_stall_timeout(request_.stall_timeout);
    for (auto& [key, connection] : connections_) {
        connection->update_rate(tick_interval);
        connection->send_keepalive_if_idle(now);
        if (auto reason = stall_reason(source_view::of(*connection, in_flight(key)), limits, now))
            stalled.emplace_back(key, std::move(*reason));
        progress.sources.push_back(
            {connection->label(), connection->bytes_received(), connection->rate()});
    }
    for (const auto& [key, reason] : stalled) drop_source(key, reason);
    progress.manifest_known = entry_ != nullptr;
    progress.wanted_bytes = wanted_bytes_;
    progress.downloaded_bytes = downloaded_bytes_;
    progress.resumed_bytes = resumed_bytes_;
    if (entry_) count_verified(*entry_, span_, progress);
    double rate = 0;
    for (const auto& source : progress.sources) rate += source.rate;
    progress.rate = rate;
    if (report) report(progress);
}

fetch_outcome fetcher::run(const volatile int* stop_flag, const progress_fn& report) {
    zmq::socket_t peer_events(context_, zmq::socket_type::sub);
    peer_events.set(zmq::sockopt::linger, 0);
    peer_events.set(zmq::sockopt::subscribe, bus::topic(bus::event_type::peer_learned));
    peer_events.set(zmq::sockopt::subscribe, bus::topic(bus::event_type::peer_left));
    bus::bind_inproc(peer_events, bus::peer_events_endpoint);

    for (const auto& source : request_.sources) add_source(source);
    fetch_progress progress;
    progress.name = request_.output_name;
    for (;;) {
        if (stop_flag != nullptr && *stop_flag) {
            fatal_ = errc::cancelled;
            fatal_message_ = "interrupted; run the same command again to resume";
        }
        if (fatal_) break;
        // Complete only with the whole manifest in: a streamed one is adopted as its last hash
        // arrives, before the last piece can be verified.
        if (scheduler_ && scheduler_->complete() && verifier_->in_progress() == 0 && !placeholder_)
            break;
        start_due_retries();
        if (out_of_sources()) break;
        poll_once(peer_events);
        relieve_frame_memory();
        schedule_requests();
        on_timers(clock::now(), progress, report);
    }
    for (auto& [key, connection] : connections_) connection->send_close_and_bye();
    wait_for_writes();
    tick(progress, report);
    return finish();
}

void fetcher::start_due_retries() {
    connect_waiting_sources();
    if (retries_.empty()) return;
    for (const auto& source : retries_.take_due(clock::now())) add_source(source);
}

// One wait on the verifier, the bus and every connection, and what each has to say.
void fetcher::poll_once(zmq::socket_t& peer_events) {
    poll_items_.clear();
    poll_keys_.clear();
    poll_pending_.clear();
    // What this pass decided leaves now, a record and a write per source, not one per decision.
    for (auto& [key, connection] : connections_) connection->send_queued_requests();
    poll_items_.push_back({verifier_->ready_socket().handle(), 0, ZMQ_POLLIN, 0});
    poll_items_.push_back({peer_events.handle(), 0, ZMQ_POLLIN, 0});
    if (writer_) poll_items_.push_back({writer_->ready_socket().handle(), 0, ZMQ_POLLIN, 0});
    const size_t first_connection = poll_items_.size();
    bool buffered = false;
    for (auto& [key, connection] : connections_) {
        poll_items_.push_back({nullptr, connection->fd(), connection->poll_events(), 0});
        poll_keys_.push_back(key);
        const bool has_input = connection->has_buffered_input();
        poll_pending_.push_back(has_input || connection->frame_starved());
        buffered |= has_input;
    }
    auto timeout = buffered ? std::chrono::milliseconds(0) : tick_interval;
    // --limit-down spent: sources are not read, so sleep until it allows reading again.
    if (const auto now = clock::now(); download_limit_ && !download_limit_->ready(now)) {
        timeout = std::min(timeout, std::chrono::ceil<std::chrono::milliseconds>(
                                        download_limit_->next_ready(now) - now));
    }
    const auto poll_started = clock::now();
    zmq::poll(poll_items_.data(), poll_items_.size(), timeout);
    meter_->polled(poll_started, connections_, [&](uint64_t key) { return in_flight(key); });
    if (poll_items_[0].revents & ZMQ_POLLIN) {
        for (const auto& result : verifier_->take_results()) on_verified(result);
    }
    if (poll_items_[1].revents & ZMQ_POLLIN) take_peer_events(peer_events);
    if (writer_ && (poll_items_[2].revents & ZMQ_POLLIN)) {
        for (auto& result : writer_->take_results()) on_written(result);
        start_writes();
    }
    for (size_t i = first_connection; i < poll_items_.size(); ++i) {
        // Nothing to read or write there: what was queued for it was flushed before the poll.
        if (poll_items_[i].revents == 0 && !poll_pending_[i - first_connection]) continue;
        on_connection_events(poll_keys_[i - first_connection], poll_items_[i].revents);
    }
}

// A source could not read on because the fetch's frame memory is full: the source holding the
// most of it goes (not asked again: it would do the same), and the others read on next pass.
void fetcher::relieve_frame_memory() {
    // Every pass: nothing is built while no source starved (the usual case).
    if (std::none_of(connections_.begin(), connections_.end(),
                     [](const auto& item) { return item.second->frame_starved(); })) {
        return;
    }
    std::vector<frame_holder> holders;
    for (const auto& [key, connection] : connections_) {
        holders.push_back({key, connection->frame_bytes_held(), connection->frame_starved()});
    }
    const auto victim = frame_memory_victim(holders);
    if (!victim) return;
    const auto& connection = *connections_.at(*victim);
    constexpr size_t mib = 1024 * 1024;
    ignored_endpoints_.insert(connection.source().to_string());
    drop_source(*victim,
                "holds " + std::to_string(connection.frame_bytes_held() / mib) +
                    " MiB of an unfinished frame while the fetch's frame memory (" +
                    std::to_string(frame_memory_.limit() / mib) + " MiB for all sources) is full",
                false, /*may_retry=*/false);
}

void fetcher::on_connection_events(uint64_t key, short revents) {
    auto it = connections_.find(key);
    if (it == connections_.end()) return;
    std::string reason;
    const auto ec = it->second->on_poll(revents, reason);
    if (!ec) return;
    if (reason.empty())
        reason = it->second->refusal().empty() ? ec.message() : it->second->refusal();
    // Ourselves, a peer we already pull from, one that does not speak the protocol (or TLS, or
    // offers another version), or one a policy refused: never asked again (retry_policy.hpp).
    const bool ourselves_or_duplicate = ec == make_error_code(errc::cancelled);
    const auto& source = it->second->source();
    const bool named_by_user = std::find(request_.sources.begin(), request_.sources.end(),
                                         source) != request_.sources.end();
    const bool pointless =
        never_ask_again(ec, /*discovered=*/!named_by_user, retries_.attempts(source.to_string()),
                        /*tree_by_path=*/!request_.content && request_.remote_path.ends_with('/'));
    if (pointless) ignored_endpoints_.insert(it->second->source().to_string());
    const bool finished =
        ec == make_error_code(errc::peer_closed) && scheduler_ && scheduler_->complete();
    if (!ourselves_or_duplicate && !finished) last_failure_code_ = ec;
    drop_source(key, reason, ourselves_or_duplicate || finished, !pointless);
}

// Declines whose hold ended, the progress tick (with the bus heartbeat) and the resume checkpoint.
void fetcher::on_timers(std::chrono::steady_clock::time_point now, fetch_progress& progress,
                        const progress_fn& report) {
    if (scheduler_) scheduler_->tick(now);
    if (now - last_tick_ >= tick_interval) {
        last_tick_ = now;
        tick(progress, report);
        give_up_a_source_for_a_waiting_one(now);
        // Lets a sender notice it missed our last store events (no later event would tell it).
        store_publisher_.heartbeat();
    }
    if (auto ec = checkpoints_.poll())
        XLOG_WARN("receiver", "", "checkpoint failed: " << ec.message());
    if (entry_ && !entry_->complete && now - last_checkpoint_ >= checkpoint_interval &&
        checkpoints_.start(entry_)) {
        last_checkpoint_ = now;
    }
}

}  // namespace xfer::receiver
