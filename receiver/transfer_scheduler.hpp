// The receiver's piece and block state, and every decision made from it: which source is asked
// for which piece, what is in flight from whom, which copy of a block is kept, when a piece is
// complete, what a DECLINE, a bad piece or a departing source does, endgame duplicates and bans.
// Pure: no sockets, no ZeroMQ, no clock of its own (`now` is passed in), no piece bytes (the
// loop keeps the buffers; the scheduler says when one is opened and closed). The fetch loop feeds
// it events and carries out the decisions it returns; tests/receiver/transfer_scheduler_test.cpp
// drives it from scripted event sequences.
//
// Picking is piece_picker's (rarest first, seeders kept for what partial peers lack), endgame's
// bounds endgame_policy's. The scheduler adds the block level on top: a piece is requested whole
// from a source (every block), each block is written by at most one source at a time (endgame
// asks several for one piece), and in flight is counted per source and piece.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <vector>

#include "receiver/piece_picker.hpp"

namespace xfer::receiver {

// The geometry the scheduler needs: how long each piece is.
struct piece_sizes {
    uint64_t total_bytes = 0;
    uint32_t piece_size = 0;
    uint32_t piece_count = 0;
    uint32_t length(uint32_t piece) const {
        const uint64_t offset = uint64_t{piece} * piece_size;
        return offset >= total_bytes
                   ? 0
                   : static_cast<uint32_t>(std::min<uint64_t>(piece_size, total_bytes - offset));
    }
};

// A source the loop offers for requests now (connected, manifest accepted), as it measured it.
struct source_offer {
    peer_key key = 0;
    double rate = 0;  // bytes per second, smoothed; 0: not measured yet
    bool operator==(const source_offer&) const = default;
};

// Blocks of one piece as bits (bit i: the block at i * wire::block_size). A piece has at most
// max_piece_size / block_size = 64 blocks.
using block_mask = uint64_t;

struct piece_request {
    peer_key source = 0;
    uint32_t piece = 0;
    uint32_t length = 0;  // the piece's: every block of it is asked for
    // The source had nothing in flight before: its wait for data starts now (stall clock).
    bool starts_wait = false;
    bool operator==(const piece_request&) const = default;
};

struct piece_cancel {
    peer_key source = 0;
    uint32_t piece = 0;
    uint32_t length = 0;    // the piece's
    block_mask blocks = 0;  // those still outstanding from that source: one CANCEL each
    bool operator==(const piece_cancel&) const = default;
};

// What the loop is to do after an event, in this order: give each opened piece a buffer, send
// the requests and cancels, hash the pieces to verify, recycle the closed pieces' buffers, drop
// the banned sources (never asked again). Cleared by the loop, not freed: once the vectors have
// grown, events on the hot path allocate nothing.
struct scheduler_decisions {
    std::vector<uint32_t> opened;
    std::vector<piece_request> requests;
    std::vector<piece_cancel> cancels;
    std::vector<uint32_t> verify;
    std::vector<uint32_t> closed;
    std::vector<peer_key> banned;
    void clear();
    bool empty() const;
};

// What to do with a block that starts to arrive.
enum class block_claim {
    write,      // read it into the piece's buffer at its offset
    duplicate,  // another source already gave it or is giving it: read it and drop it
    unwanted,   // the piece is not open, is being verified, or the block does not fit it
};

class transfer_scheduler {
  public:
    using clock = std::chrono::steady_clock;
    // A declined piece is not asked of that source again for this long.
    static constexpr auto decline_hold = std::chrono::seconds(1);
    // In flight per source: a fifth of a second of its rate (covers LAN delay and our loop with
    // room), at least 512 KiB, at most 32 MiB. Deeper queues commit pieces to slow sources early
    // and, in a swarm, make two receivers ask one sender for the same piece.
    static constexpr double in_flight_seconds = 0.2;
    static constexpr uint64_t min_in_flight = 512 * 1024;
    static constexpr uint64_t max_in_flight = 32 * 1024 * 1024;

    // `wanted[i]`: piece i is part of this fetch; `had[i]`: already verified. At most
    // `max_open_pieces` pieces have a buffer at once (the memory budget).
    transfer_scheduler(piece_sizes sizes, std::vector<bool> wanted, const std::vector<bool>& had,
                       uint64_t seed, size_t max_open_pieces);

    // A source that accepted the manifest; what it holds, as its BITFIELD, HAVEs and streamed
    // hashes say.
    void source_added(peer_key source);
    void source_has(peer_key source, uint32_t piece);
    void source_has_all(peer_key source, const std::vector<bool>& pieces);
    // Gone (dropped, left, banned, gave up its slot) with whatever it had in flight: its
    // pieces go back to the pool, and a piece nobody else is fetching is closed.
    void source_removed(peer_key source, scheduler_decisions& out);

    // Requests that keep each offered source busy (`sources` in the loop's order), and endgame
    // duplicates for idle ones. `connected`: every source connected, for endgame's bound.
    // The loop plans after every wake-up, most of which are a few bytes of a block arriving:
    // a plan with the same offers and nothing changed since the last plan, which asked for
    // nothing, would ask for nothing again, and is skipped (plans_skipped() counts them); after
    // a HAVE or a block, only the source it came from is worked out again.
    void plan(std::span<const source_offer> sources, size_t connected, scheduler_decisions& out);

    // A block starts to arrive from `source`. Unwanted when it was not asked of that source
    // (never, or cancelled since) or is not the block asked for (offset, length); otherwise
    // anything but write makes it no longer outstanding. The scheduler is the one record of
    // what is in flight: the transport keeps none.
    block_claim claim_block(peer_key source, uint32_t piece, uint32_t offset, uint32_t length);
    // The block claimed with write arrived whole. The piece's last block puts it in `verify`
    // and cancels it on every other source.
    void block_received(peer_key source, uint32_t piece, uint32_t offset, scheduler_decisions& out);

    // The piece failed its hash: closed, cancelled everywhere, its senders counted against
    // (a source with too many bad pieces is in `banned`) and never given it again.
    void piece_failed(uint32_t piece, scheduler_decisions& out);
    // The verified piece is written (`counted`: and recorded; false after a failed write, when
    // the fetch ends anyway): closed, its endgame duplicates cancelled.
    void piece_written(uint32_t piece, bool counted, scheduler_decisions& out);
    // DECLINE from `source`: false when the piece is not asked of it (a CANCEL crossed it), else
    // cancelled there and not asked of it again for decline_hold.
    bool declined(peer_key source, uint32_t piece, clock::time_point now, scheduler_decisions& out);
    // Declines whose hold ended are lifted.
    void tick(clock::time_point now);

    // Sites (receiver/site_preference): which sources the picker may ask for which pieces.
    void consult(site_preference* sites) {
        picker_.consult(sites);
        changed_ = true;
    }
    // What the sites know changed (a source's HELLO named its site): plan again.
    void sites_changed() { changed_ = true; }
    uint64_t plans_skipped() const { return plans_skipped_; }
    // Sources worked out by plans so far (a plan after a HAVE works out only its sender's).
    uint64_t sources_planned() const { return sources_planned_; }
    bool complete() const { return picker_.complete(); }
    uint32_t remaining() const { return picker_.remaining(); }
    bool is_banned(peer_key source) const { return picker_.is_banned(source); }
    // The source holds a piece still wanted.
    bool has_wanted(peer_key source) const { return picker_.has_wanted(source); }
    // Pieces still wanted that no connected, unbanned source has.
    uint32_t unavailable_count() const { return picker_.unavailable_count(); }
    // Pieces with a buffer: being fetched, verified or written.
    size_t open_pieces() const { return open_.size(); }
    size_t pieces_in_flight(peer_key source) const;
    uint64_t bytes_in_flight(peer_key source) const;
    uint32_t piece_length(uint32_t piece) const { return sizes_.length(piece); }

  private:
    struct open_piece {
        uint32_t length = 0;
        std::vector<bool> blocks;  // received
        // Which source is reading each block into the buffer right now (0: none). Only one may
        // write a block, so a buffer is never written while it is hashed, and never freed
        // while a reader points into it.
        std::vector<peer_key> block_writer;
        uint32_t blocks_received = 0;
        std::vector<peer_key> senders;
        bool verifying = false;  // hashed, or (verified) waiting for its write or being written
    };
    struct piece_in_flight {
        block_mask blocks = 0;  // asked for, not yet arrived
        uint64_t bytes = 0;
    };
    struct source_state {
        std::map<uint32_t, piece_in_flight> pieces;
        uint64_t bytes = 0;
        double rate = 0;  // as last offered
    };
    struct held_decline {
        peer_key source;
        uint32_t piece;
        clock::time_point until;
    };

    void fill_source(const source_offer& offer, scheduler_decisions& out);
    void duplicate_for_idle(peer_key source, size_t connected, scheduler_decisions& out);
    // True when idle `source` would likely finish `piece` before every source now on it.
    bool duplicate_pays_against(peer_key source, uint32_t piece,
                                const std::set<peer_key>& on_it) const;
    void open(uint32_t piece, scheduler_decisions& out);
    void request(peer_key source, uint32_t piece, scheduler_decisions& out);
    void cancel(peer_key source, uint32_t piece, scheduler_decisions& out);
    // One block of `piece` is no longer outstanding from `source`.
    void block_gone(peer_key source, uint32_t piece, uint32_t offset);
    // The block at `offset` of `piece`, `length` long, is outstanding from `source`.
    bool asked_of(peer_key source, uint32_t piece, uint32_t offset, uint32_t length) const;
    uint32_t block_length(uint32_t piece, uint32_t offset) const;
    block_mask all_blocks(uint32_t piece) const;
    bool anyone_fetching(uint32_t piece) const;
    // Nobody fetches the rest of the piece: it goes back to the pool for anyone.
    void close_unfetched(uint32_t piece, scheduler_decisions& out);

    piece_sizes sizes_;
    piece_picker picker_;
    size_t max_open_;
    std::map<uint32_t, open_piece> open_;
    std::map<peer_key, source_state> sources_;
    std::vector<held_decline> declines_;
    // Anything plan() reads changed since the last plan (every event sets it), and that plan's
    // inputs: see plan(). An event that can give only one source more to do (a HAVE or a block
    // from it: for every other source, what it may be asked for only shrinks) marks that source
    // instead, and the next plan works out the marked sources alone.
    bool changed_ = true;
    std::vector<peer_key> marked_;
    void mark(peer_key source) {
        if (std::find(marked_.begin(), marked_.end(), source) == marked_.end())
            marked_.push_back(source);
    }
    uint64_t sources_planned_ = 0;
    std::vector<source_offer> last_offers_;
    size_t last_connected_ = 0;
    uint64_t plans_skipped_ = 0;
};

}  // namespace xfer::receiver
