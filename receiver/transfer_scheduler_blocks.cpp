// Blocks as they arrive, the verifier's and the writer's verdicts, and DECLINE.
#include "receiver/transfer_scheduler.hpp"
#include "shared/wire/frame.hpp"

namespace xfer::receiver {

bool transfer_scheduler::asked_of(peer_key source, uint32_t piece, uint32_t offset,
                                  uint32_t length) const {
    const auto state = sources_.find(source);
    if (state == sources_.end()) return false;
    const auto flight = state->second.pieces.find(piece);
    if (flight == state->second.pieces.end() || offset % wire::block_size != 0) return false;
    const uint32_t block = offset / wire::block_size;
    return block < 64 && (flight->second.blocks >> block & 1) != 0 && length != 0 &&
           length == block_length(piece, offset);
}

void transfer_scheduler::block_gone(peer_key source, uint32_t piece, uint32_t offset) {
    const auto state = sources_.find(source);
    if (state == sources_.end()) return;
    const auto flight = state->second.pieces.find(piece);
    if (flight == state->second.pieces.end()) return;
    const block_mask bit = block_mask{1} << (offset / wire::block_size);
    if ((flight->second.blocks & bit) == 0) return;
    mark(source);  // less in flight from it: only its own plan changes
    flight->second.blocks &= ~bit;
    const uint64_t bytes = std::min<uint64_t>(block_length(piece, offset), flight->second.bytes);
    flight->second.bytes -= bytes;
    state->second.bytes -= bytes;
    if (flight->second.blocks == 0) state->second.pieces.erase(flight);
}

block_claim transfer_scheduler::claim_block(peer_key source, uint32_t piece, uint32_t offset,
                                            uint32_t length) {
    // Never asked of this source, cancelled since, or not the block asked for: read and dropped,
    // and what is outstanding stays as it was.
    if (!asked_of(source, piece, offset, length)) return block_claim::unwanted;
    const auto it = open_.find(piece);
    if (it == open_.end() || it->second.verifying) {
        block_gone(source, piece, offset);
        return block_claim::unwanted;
    }
    auto& open_piece = it->second;
    const uint32_t block = offset / wire::block_size;
    // Already have it, or another source is mid-way through it: read this copy and drop it.
    if (open_piece.blocks[block] || open_piece.block_writer[block] != 0) {
        block_gone(source, piece, offset);
        return block_claim::duplicate;
    }
    open_piece.block_writer[block] = source;
    return block_claim::write;
}

void transfer_scheduler::block_received(peer_key source, uint32_t piece, uint32_t offset,
                                        scheduler_decisions& out) {
    block_gone(source, piece, offset);
    const auto it = open_.find(piece);
    if (it == open_.end()) return;
    auto& open_piece = it->second;
    const uint32_t block = offset / wire::block_size;
    open_piece.block_writer[block] = 0;
    if (std::find(open_piece.senders.begin(), open_piece.senders.end(), source) ==
        open_piece.senders.end()) {
        open_piece.senders.push_back(source);
    }
    if (!open_piece.blocks[block]) {
        open_piece.blocks[block] = true;
        ++open_piece.blocks_received;
    }
    if (open_piece.blocks_received != open_piece.blocks.size() || open_piece.verifying) return;
    open_piece.verifying = true;
    changed_ = true;  // its duplicates elsewhere are cancelled
    // Endgame duplicates of this piece elsewhere are no longer needed.
    for (auto& [key, state] : sources_) {
        if (key != source) cancel(key, piece, out);
    }
    out.verify.push_back(piece);
}

void transfer_scheduler::piece_failed(uint32_t piece, scheduler_decisions& out) {
    changed_ = true;
    const auto it = open_.find(piece);
    if (it == open_.end()) return;
    const auto senders = std::move(it->second.senders);
    open_.erase(it);
    out.closed.push_back(piece);
    for (const auto peer : picker_.assigned_peers(piece)) {
        picker_.release(peer, piece);
        cancel(peer, piece, out);
    }
    for (const auto peer : picker_.piece_failed(piece, senders)) out.banned.push_back(peer);
}

void transfer_scheduler::piece_written(uint32_t piece, bool counted, scheduler_decisions& out) {
    changed_ = true;
    open_.erase(piece);
    if (!counted) return;
    for (const auto peer : picker_.piece_verified(piece)) cancel(peer, piece, out);
}

bool transfer_scheduler::declined(peer_key source, uint32_t piece, clock::time_point now,
                                  scheduler_decisions& out) {
    const auto state = sources_.find(source);
    // Only a piece still asked of it (one we cancelled may cross its DECLINE): a flood of
    // DECLINEs for other pieces would otherwise grow declines_ without bound.
    if (state == sources_.end() || !state->second.pieces.contains(piece)) return false;
    changed_ = true;
    // The sender dropped the piece's other blocks already; CANCEL clears our side.
    cancel(source, piece, out);
    picker_.decline(source, piece);
    declines_.push_back({source, piece, now + decline_hold});
    const auto it = open_.find(piece);
    if (it != open_.end() && !it->second.verifying && !anyone_fetching(piece))
        close_unfetched(piece, out);
    return true;
}

void transfer_scheduler::tick(clock::time_point now) {
    std::erase_if(declines_, [&](const held_decline& declined) {
        if (now < declined.until) return false;
        picker_.allow_again(declined.source, declined.piece);
        changed_ = true;
        return true;
    });
}

}  // namespace xfer::receiver
