// Sources and requests: who is asked for what, endgame duplicates, and what a departing source
// leaves behind. Blocks, verdicts and declines are in transfer_scheduler_blocks.cpp.
#include "receiver/transfer_scheduler.hpp"

#include "receiver/endgame_policy.hpp"
#include "shared/manifest/manifest.hpp"
#include "shared/wire/frame.hpp"

namespace xfer::receiver {

static_assert(max_piece_size / wire::block_size <= 64, "a piece's blocks must fit one block_mask");

void scheduler_decisions::clear() {
    opened.clear();
    requests.clear();
    cancels.clear();
    verify.clear();
    closed.clear();
    banned.clear();
}

bool scheduler_decisions::empty() const {
    return opened.empty() && requests.empty() && cancels.empty() && verify.empty() &&
           closed.empty() && banned.empty();
}

transfer_scheduler::transfer_scheduler(piece_sizes sizes, std::vector<bool> wanted,
                                       const std::vector<bool>& had, uint64_t seed,
                                       size_t max_open_pieces)
    : sizes_(sizes), picker_(std::move(wanted), had, seed), max_open_(max_open_pieces) {}

void transfer_scheduler::source_added(peer_key source) {
    changed_ = true;
    picker_.add_peer(source);
    sources_.try_emplace(source);
}

void transfer_scheduler::source_has(peer_key source, uint32_t piece) {
    picker_.peer_has(source, piece);
    // Another source may be asked for less now (rarer elsewhere, or no longer the seeder's to
    // give), never for more, unless this one just became complete (a seeder is spared no more).
    if (picker_.is_complete_peer(source)) {
        changed_ = true;
    } else {
        mark(source);
    }
}

void transfer_scheduler::source_has_all(peer_key source, const std::vector<bool>& pieces) {
    changed_ = true;
    picker_.peer_has_all(source, pieces);
}

void transfer_scheduler::source_removed(peer_key source, scheduler_decisions& out) {
    changed_ = true;
    if (const auto it = sources_.find(source); it != sources_.end()) {
        for (const auto& [piece, flight] : it->second.pieces) picker_.release(source, piece);
        sources_.erase(it);
    }
    picker_.remove_peer(source);
    // Pieces only this source was filling are closed; their pieces go back to the pool.
    for (auto it = open_.begin(); it != open_.end();) {
        auto& piece = it->second;
        std::replace(piece.block_writer.begin(), piece.block_writer.end(), source, peer_key{0});
        const uint32_t index = (it++)->first;
        if (!piece.verifying && !anyone_fetching(index)) close_unfetched(index, out);
    }
}

size_t transfer_scheduler::pieces_in_flight(peer_key source) const {
    const auto it = sources_.find(source);
    return it == sources_.end() ? 0 : it->second.pieces.size();
}

uint64_t transfer_scheduler::bytes_in_flight(peer_key source) const {
    const auto it = sources_.find(source);
    return it == sources_.end() ? 0 : it->second.bytes;
}

void transfer_scheduler::plan(std::span<const source_offer> sources, size_t connected,
                              scheduler_decisions& out) {
    const bool same_offers =
        connected == last_connected_ && std::ranges::equal(sources, last_offers_);
    if (!changed_ && same_offers && marked_.empty()) {
        ++plans_skipped_;
        return;
    }
    const bool everyone = changed_ || !same_offers;
    const auto planned = [&](peer_key key) {
        return everyone || std::find(marked_.begin(), marked_.end(), key) != marked_.end();
    };
    if (!same_offers) last_offers_.assign(sources.begin(), sources.end());
    last_connected_ = connected;
    const size_t asked_before = out.requests.size();
    for (const auto& offer : sources) {
        if (picker_.is_banned(offer.key) || !sources_.contains(offer.key)) continue;
        sources_[offer.key].rate = offer.rate;
    }
    for (const auto& offer : sources) {
        if (picker_.is_banned(offer.key) || !sources_.contains(offer.key) || !planned(offer.key))
            continue;
        ++sources_planned_;
        fill_source(offer, out);
        duplicate_for_idle(offer.key, connected, out);
    }
    marked_.clear();
    // A plan that asked for nothing changed nothing, so the same plan again asks for nothing.
    // One that asked may have opened endgame for a source planned before it: plan again.
    changed_ = out.requests.size() != asked_before;
}

void transfer_scheduler::fill_source(const source_offer& offer, scheduler_decisions& out) {
    const auto& state = sources_[offer.key];
    const uint64_t target = std::clamp<uint64_t>(
        static_cast<uint64_t>(offer.rate * in_flight_seconds), min_in_flight, max_in_flight);
    while (state.bytes < target && open_.size() < max_open_) {
        const auto pieces = picker_.pick(offer.key, 1, /*allow_duplicates=*/false);
        if (pieces.empty()) break;
        const uint32_t piece = pieces.front();
        if (!open_.contains(piece)) open(piece, out);
        request(offer.key, piece, out);
    }
}

// Endgame: an idle source helps with the last pieces (they share the open piece's buffer) when
// it would likely finish one first (endgame_policy.hpp).
void transfer_scheduler::duplicate_for_idle(peer_key source, size_t connected,
                                            scheduler_decisions& out) {
    if (!endgame_allowed(picker_.remaining(), connected, sizes_.piece_count) ||
        pieces_in_flight(source) != 0 || !picker_.in_endgame()) {
        return;
    }
    const auto worth_it = [&](uint32_t piece, const std::set<peer_key>& on_it) {
        return duplicate_pays_against(source, piece, on_it);
    };
    for (const uint32_t piece : picker_.pick(source, 1, true, max_endgame_holders, worth_it)) {
        const auto it = open_.find(piece);
        if (it != open_.end() && !it->second.verifying) {
            request(source, piece, out);
        } else {
            picker_.release(source, piece);
        }
    }
}

bool transfer_scheduler::duplicate_pays_against(peer_key source, uint32_t piece,
                                                const std::set<peer_key>& on_it) const {
    const auto idle = sources_.find(source);
    const source_pace idle_pace{idle->second.rate, idle->second.bytes};
    for (const auto holder : on_it) {
        const auto it = sources_.find(holder);
        if (it == sources_.end()) continue;
        const source_pace pace{it->second.rate, it->second.bytes};
        if (!duplicate_pays(idle_pace, pace, sizes_.length(piece))) return false;
    }
    return true;
}

void transfer_scheduler::open(uint32_t piece, scheduler_decisions& out) {
    auto& opened = open_[piece];
    opened.length = sizes_.length(piece);
    const uint32_t blocks = (opened.length + wire::block_size - 1) / wire::block_size;
    opened.blocks.assign(blocks, false);
    opened.block_writer.assign(blocks, 0);
    out.opened.push_back(piece);
}

uint32_t transfer_scheduler::block_length(uint32_t piece, uint32_t offset) const {
    const uint32_t length = sizes_.length(piece);
    return offset >= length ? 0 : std::min(wire::block_size, length - offset);
}

block_mask transfer_scheduler::all_blocks(uint32_t piece) const {
    const uint32_t blocks = (sizes_.length(piece) + wire::block_size - 1) / wire::block_size;
    return blocks >= 64 ? ~block_mask{0} : (block_mask{1} << blocks) - 1;
}

void transfer_scheduler::request(peer_key source, uint32_t piece, scheduler_decisions& out) {
    const uint32_t length = sizes_.length(piece);
    auto& state = sources_[source];
    const bool starts_wait = state.bytes == 0;
    auto& flight = state.pieces[piece];
    // Asked again (an endgame duplicate of a piece it already has a part of in flight cannot
    // happen: it is idle): every block is outstanding anew.
    state.bytes += length - flight.bytes;
    flight.blocks = all_blocks(piece);
    flight.bytes = length;
    out.requests.push_back({source, piece, length, starts_wait});
}

void transfer_scheduler::cancel(peer_key source, uint32_t piece, scheduler_decisions& out) {
    const auto state = sources_.find(source);
    if (state == sources_.end()) return;
    const auto flight = state->second.pieces.find(piece);
    if (flight == state->second.pieces.end()) return;
    state->second.bytes -= flight->second.bytes;
    out.cancels.push_back({source, piece, sizes_.length(piece), flight->second.blocks});
    state->second.pieces.erase(flight);
}

bool transfer_scheduler::anyone_fetching(uint32_t piece) const {
    for (const auto& [key, state] : sources_) {
        if (state.pieces.contains(piece)) return true;
    }
    return false;
}

void transfer_scheduler::close_unfetched(uint32_t piece, scheduler_decisions& out) {
    for (const auto peer : picker_.assigned_peers(piece)) picker_.release(peer, piece);
    open_.erase(piece);
    out.closed.push_back(piece);
}

}  // namespace xfer::receiver
