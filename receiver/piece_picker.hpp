// Which piece to ask which peer for next. Pure bookkeeping: no sockets, no disk, no clock, so
// it is tested from availability patterns alone (tests/receiver/piece_picker_test.cpp).
//
// Policy: rarest first among the pieces a peer has and we still want, ties broken by a random
// rank fixed per fetch, so receivers of one swarm spread over different pieces. A complete source
// (a seeder) is not asked for a piece a partial peer already has, unless every partial holder
// declined it for now (busy): its uplink is kept for pieces nobody else can give. Each piece goes
// to one peer until none is left unassigned, then endgame: a peer with nothing else to do
// duplicates the in-progress piece with the fewest holders. A piece that fails its hash is never
// again given to a peer that sent it; a peer with too many failed pieces is banned. With sites
// (consult()), which sources may be asked for a piece, in what order and how many off-site at once
// is site_preference's.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "receiver/site_preference.hpp"

namespace xfer::receiver {

class piece_picker {
  public:
    // `wanted[i]`: piece i is part of this fetch; `had[i]`: already verified locally.
    piece_picker(std::vector<bool> wanted, const std::vector<bool>& had, uint64_t seed);

    // Sites (site_preference.hpp) decide which sources are asked for which pieces from now on.
    // It must outlive the picker, and hear of every source before the picker does.
    void consult(site_preference* sites) { sites_ = sites; }

    void add_peer(peer_key peer);
    // Forgets the peer's availability and returns its assigned pieces to the pool.
    void remove_peer(peer_key peer);
    void peer_has(peer_key peer, uint32_t piece);
    void peer_has_all(peer_key peer, const std::vector<bool>& pieces);

    // Asked before a piece others are on is duplicated: may `peer` join them?
    using duplicate_check = std::function<bool(uint32_t piece, const std::set<peer_key>& on_it)>;

    // Up to `count` pieces to start on `peer` now (assigns them to it). Pieces already being
    // fetched elsewhere are duplicated only in endgame (every missing piece assigned), only
    // with allow_duplicates, only while fewer than `max_holders` peers are on one, and only
    // when `worth_it` (if given) says so: a duplicate is bandwidth spent twice.
    std::vector<uint32_t> pick(peer_key peer, size_t count, bool allow_duplicates = true,
                               size_t max_holders = SIZE_MAX, const duplicate_check& worth_it = {});

    // The peer no longer works on the piece (cancelled, stalled, disconnected).
    void release(peer_key peer, uint32_t piece);
    // The piece is verified: returns the other peers still assigned to it (endgame duplicates
    // to cancel).
    std::vector<peer_key> piece_verified(uint32_t piece);
    // The piece failed verification; `senders` gave its blocks. Returns peers now banned.
    std::vector<peer_key> piece_failed(uint32_t piece, const std::vector<peer_key>& senders);

    // The peer declined the piece for now (a seeder that just gave it to someone else): it is
    // not given to that peer again until allow_again().
    void decline(peer_key peer, uint32_t piece);
    void allow_again(peer_key peer, uint32_t piece);

    bool is_banned(peer_key peer) const { return banned_.contains(peer); }
    // The peer holds every piece of the file (a seeder, or a peer that completed).
    bool is_complete_peer(peer_key peer) const;
    bool complete() const { return remaining_ == 0; }
    uint32_t remaining() const { return remaining_; }
    bool in_endgame() const;
    // Pieces still wanted that no connected, unbanned peer has.
    uint32_t unavailable_count() const;
    // The peer holds at least one piece still wanted.
    bool has_wanted(peer_key peer) const;
    std::vector<peer_key> assigned_peers(uint32_t piece) const;
    uint32_t availability(uint32_t piece) const { return availability_[piece]; }

    static constexpr uint32_t failures_before_ban = 3;

  private:
    bool wants(uint32_t piece) const { return wanted_[piece] && !had_[piece]; }
    bool peer_may_take(peer_key peer, uint32_t piece) const;
    // A seeder is not asked for a piece a partial peer it may ask instead has.
    bool spares_seeder(peer_key peer, uint32_t piece) const;
    // Partial holders of the piece that declined it for now.
    uint32_t declined_partial_holders(uint32_t piece) const;
    bool site_allows(peer_key peer, uint32_t piece, bool idle) const {
        return !sites_ || sites_->may_ask(peer, piece, idle);
    }
    // Pieces in progress on sources of other sites.
    size_t off_site_in_flight() const;

    std::vector<bool> wanted_;
    std::vector<bool> had_;
    std::vector<uint32_t> availability_;
    std::vector<uint32_t> random_rank_;
    std::map<peer_key, std::vector<bool>> peer_pieces_;
    std::map<peer_key, uint32_t> peer_piece_count_;
    std::vector<uint32_t> partial_availability_;       // holders of each piece that lack some piece
    std::map<uint32_t, std::set<peer_key>> assigned_;  // pieces in progress -> peers on them
    std::map<uint32_t, std::set<peer_key>> failed_senders_;  // piece -> peers that sent it bad
    std::map<uint32_t, std::set<peer_key>> declined_;  // piece -> peers that declined it for now
    std::map<peer_key, uint32_t> failures_;
    std::set<peer_key> banned_;
    uint32_t remaining_ = 0;
    site_preference* sites_ = nullptr;
};

}  // namespace xfer::receiver
