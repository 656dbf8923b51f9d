// The fetch's deadlines as a whole: when no source is left, none has what is missing, or none
// advances the fetch. Per-source deadlines are in source_liveness.hpp.
#include <algorithm>

#include "receiver/fetcher.hpp"
#include "receiver/source_liveness.hpp"

namespace xfer::receiver {
namespace {

using clock = std::chrono::steady_clock;

}  // namespace

bool fetcher::idle_sources_hopeless() const {
    // Nothing in flight and nothing pending: if no source has what is missing, waiting longer
    // helps only when a source may still gain pieces; unavailable_timeout bounds that wait.
    // While a manifest streams, pieces not hashed yet are coming: the stall deadlines apply.
    if (!scheduler_ || scheduler_->open_pieces() != 0 || placeholder_) return false;
    return scheduler_->unavailable_count() > 0;
}

// True (with fatal_ set) when no source is left, or none has what is missing, for longer than
// the fetch is willing to wait for new ones.
bool fetcher::out_of_sources() {
    if (connections_.empty() && retries_.empty() && waiting_sources_.empty()) {
        // With discovery, new sources may still be announced; wait for them a while.
        if (alone_since_ == clock::time_point{}) alone_since_ = clock::now();
        if (!request_.wait_for_peers ||
            clock::now() - alone_since_ > request_.unavailable_timeout) {
            fatal_ = errc::no_source;
            fatal_message_ = last_failure_.empty() ? "no source to fetch from" : last_failure_;
            return true;
        }
    } else {
        alone_since_ = {};
    }
    if (fetch_made_no_progress()) return true;
    if (!entry_ || !idle_sources_hopeless()) {
        unavailable_since_ = {};
        return false;
    }
    if (unavailable_since_ == clock::time_point{}) unavailable_since_ = clock::now();
    if (clock::now() - unavailable_since_ <= request_.unavailable_timeout) return false;
    fatal_ = errc::no_source;
    fatal_message_ = std::to_string(scheduler_->unavailable_count()) +
                     " pieces are not available from any source" +
                     (last_failure_.empty() ? "" : " (last problem: " + last_failure_ + ")");
    return true;
}

// True (with fatal_ set) when no source delivered a block for the no-progress limit: each may
// keep the connection alive, but none helps (all DECLINE, or keep alive without sending data).
bool fetcher::fetch_made_no_progress() {
    const auto limits = liveness_limits::from_stall_timeout(request_.stall_timeout);
    // While a manifest streams, the wait for the next hash is the source hashing what it said
    // it serves (a piece of 262,144 one-byte files took it 25 s beside our writers): bounded as
    // the wait for a manifest is. Data asked for is still due within the stall limit.
    const auto limit = placeholder_ ? std::max(limits.fetch, limits.manifest) : limits.fetch;
    // A block arriving slowly advances the fetch too (see partial_block_progress_bytes).
    for (const auto& [key, connection] : connections_)
        last_advance_ = std::max(last_advance_, connection->last_block_data());
    // Every piece still missing is here, being verified or written (one piece of 262,144 files
    // keeps a writer busy for tens of seconds): no source owes anything meanwhile.
    const size_t ours = (verifier_ ? verifier_->in_progress() : 0) + verified_unwritten_.size() +
                        (writer_ ? writer_->in_progress() : 0);
    if (scheduler_ && scheduler_->remaining() <= ours) last_advance_ = clock::now();
    if (!entry_ || connections_.empty() || clock::now() - last_advance_ <= limit) return false;
    std::vector<source_view> views;
    for (const auto& [key, connection] : connections_)
        views.push_back(source_view::of(*connection, in_flight(key)));
    fatal_ = errc::no_source;
    fatal_message_ = no_progress_summary(views, limit);
    return true;
}

}  // namespace xfer::receiver
