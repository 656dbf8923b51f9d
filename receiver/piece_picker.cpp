#include "receiver/piece_picker.hpp"

#include <algorithm>
#include <numeric>
#include <tuple>

namespace xfer::receiver {

piece_picker::piece_picker(std::vector<bool> wanted, const std::vector<bool>& had, uint64_t seed)
    : wanted_(std::move(wanted)),
      had_(had),
      availability_(wanted_.size(), 0),
      random_rank_(wanted_.size()),
      partial_availability_(wanted_.size(), 0) {
    had_.resize(wanted_.size(), false);
    // A random order of our own: receivers of one swarm rarely want the same piece at once.
    // (A sweep from a random start was tried: a receiver skipping another's region lands right
    // on that one's frontier, and both ask the seeder for the same pieces.)
    std::iota(random_rank_.begin(), random_rank_.end(), 0u);
    std::mt19937_64 generator(seed);
    std::shuffle(random_rank_.begin(), random_rank_.end(), generator);
    for (uint32_t piece = 0; piece < wanted_.size(); ++piece) remaining_ += wants(piece) ? 1 : 0;
}

void piece_picker::add_peer(peer_key peer) {
    peer_pieces_.try_emplace(peer, std::vector<bool>(wanted_.size(), false));
    peer_piece_count_.try_emplace(peer, 0);
}

bool piece_picker::is_complete_peer(peer_key peer) const {
    const auto it = peer_piece_count_.find(peer);
    return it != peer_piece_count_.end() && !wanted_.empty() && it->second == wanted_.size();
}

void piece_picker::remove_peer(peer_key peer) {
    const auto it = peer_pieces_.find(peer);
    if (it == peer_pieces_.end()) return;
    const bool partial = !is_complete_peer(peer);
    for (uint32_t piece = 0; piece < it->second.size(); ++piece) {
        if (!it->second[piece]) continue;
        if (sites_) sites_->holder_removed(peer, piece);
        --availability_[piece];
        if (partial) --partial_availability_[piece];
    }
    peer_pieces_.erase(it);
    peer_piece_count_.erase(peer);
    for (auto assigned = assigned_.begin(); assigned != assigned_.end();) {
        assigned->second.erase(peer);
        assigned = assigned->second.empty() ? assigned_.erase(assigned) : std::next(assigned);
    }
}

void piece_picker::peer_has(peer_key peer, uint32_t piece) {
    auto it = peer_pieces_.find(peer);
    if (it == peer_pieces_.end() || piece >= wanted_.size() || it->second[piece]) return;
    it->second[piece] = true;
    if (sites_) sites_->holder_added(peer, piece);
    ++availability_[piece];
    ++partial_availability_[piece];
    // The peer just became complete: it no longer counts as a partial holder of anything.
    if (++peer_piece_count_[peer] == wanted_.size()) {
        for (uint32_t other = 0; other < wanted_.size(); ++other) --partial_availability_[other];
    }
}

void piece_picker::peer_has_all(peer_key peer, const std::vector<bool>& pieces) {
    for (uint32_t piece = 0; piece < pieces.size() && piece < wanted_.size(); ++piece) {
        if (pieces[piece]) peer_has(peer, piece);
    }
}

bool piece_picker::peer_may_take(peer_key peer, uint32_t piece) const {
    const auto failed = failed_senders_.find(piece);
    if (failed != failed_senders_.end() && failed->second.contains(peer)) return false;
    const auto declined = declined_.find(piece);
    return declined == declined_.end() || !declined->second.contains(peer);
}

void piece_picker::decline(peer_key peer, uint32_t piece) {
    release(peer, piece);
    declined_[piece].insert(peer);
}

void piece_picker::allow_again(peer_key peer, uint32_t piece) {
    const auto it = declined_.find(piece);
    if (it == declined_.end()) return;
    it->second.erase(peer);
    if (it->second.empty()) declined_.erase(it);
}

std::vector<uint32_t> piece_picker::pick(peer_key peer, size_t count, bool allow_duplicates,
                                         size_t max_holders, const duplicate_check& worth_it) {
    std::vector<uint32_t> chosen;
    const auto it = peer_pieces_.find(peer);
    if (it == peer_pieces_.end() || banned_.contains(peer) || count == 0) return chosen;
    const auto& has = it->second;
    const bool idle = assigned_.empty();           // nothing in flight from anyone
    const bool complete = is_complete_peer(peer);  // once, not per piece

    // Fresh pieces: rarest first (or as the sites order them), our sweep order among equals.
    using candidate = std::tuple<uint64_t, uint32_t, uint32_t>;  // order, rank, piece
    std::vector<candidate> fresh;
    for (uint32_t piece = 0; piece < wanted_.size(); ++piece) {
        if (has[piece] && wants(piece) && !assigned_.contains(piece) &&
            peer_may_take(peer, piece) && !(complete && spares_seeder(peer, piece)) &&
            site_allows(peer, piece, idle)) {
            const uint64_t order =
                sites_ ? sites_->order(peer, piece, availability_[piece]) : availability_[piece];
            fresh.emplace_back(order, random_rank_[piece], piece);
        }
    }
    const size_t room = sites_ ? sites_->room(peer, off_site_in_flight(), idle) : SIZE_MAX;
    const size_t take = std::min({count, fresh.size(), room});
    std::partial_sort(fresh.begin(), fresh.begin() + static_cast<long>(take), fresh.end());
    for (size_t i = 0; i < take; ++i) {
        const uint32_t piece = std::get<2>(fresh[i]);
        assigned_[piece].insert(peer);
        chosen.push_back(piece);
    }
    if (chosen.size() == count || !fresh.empty() || !allow_duplicates || !in_endgame())
        return chosen;

    // Endgame: nothing unassigned that this peer has. Help with pieces others are on, the
    // least-duplicated first, so the last pieces do not wait on one slow peer.
    std::vector<candidate> busy;
    for (const auto& [piece, peers] : assigned_) {
        // A seeder is spared here too: a duplicate of a piece a partial peer has comes from a
        // partial peer (31 receivers' endgames had the seeder send ~1 more copy: issue 13).
        // Off-site, only a piece no source of our site has.
        if (has[piece] && wants(piece) && !peers.contains(peer) && peers.size() < max_holders &&
            !(complete && spares_seeder(peer, piece)) && peer_may_take(peer, piece) &&
            site_allows(peer, piece, /*idle=*/true) && (!worth_it || worth_it(piece, peers))) {
            busy.emplace_back(static_cast<uint32_t>(peers.size()), random_rank_[piece], piece);
        }
    }
    const size_t extra = std::min(count - chosen.size(), busy.size());
    std::partial_sort(busy.begin(), busy.begin() + static_cast<long>(extra), busy.end());
    for (size_t i = 0; i < extra; ++i) {
        const uint32_t piece = std::get<2>(busy[i]);
        assigned_[piece].insert(peer);
        chosen.push_back(piece);
    }
    return chosen;
}

bool piece_picker::spares_seeder(peer_key peer, uint32_t piece) const {
    if (!is_complete_peer(peer) || partial_availability_[piece] == 0) return false;
    // Partial holders that declined the piece (busy) do not count until their hold ends: with
    // all of them busy the seeder's uplink would idle while the piece waits (issue 13).
    const uint32_t askable = partial_availability_[piece] - declined_partial_holders(piece);
    // A seeder of our own site is not spared for a partial peer of another site we may not
    // ask (that would leave the piece to nobody); holders of other sites count as partial.
    if (sites_ && !sites_->off_site(peer)) return askable > sites_->off_site_holders(piece);
    return askable > 0;
}

uint32_t piece_picker::declined_partial_holders(uint32_t piece) const {
    const auto it = declined_.find(piece);
    if (it == declined_.end()) return 0;
    uint32_t count = 0;
    for (const auto holder : it->second) {
        const auto has = peer_pieces_.find(holder);
        if (has != peer_pieces_.end() && has->second[piece] && !is_complete_peer(holder)) ++count;
    }
    return std::min(count, partial_availability_[piece]);
}

size_t piece_picker::off_site_in_flight() const {
    size_t count = 0;
    for (const auto& [piece, peers] : assigned_) {
        for (const auto holder : peers) {
            if (sites_->off_site(holder)) {
                ++count;
                break;
            }
        }
    }
    return count;
}

void piece_picker::release(peer_key peer, uint32_t piece) {
    const auto it = assigned_.find(piece);
    if (it == assigned_.end()) return;
    it->second.erase(peer);
    if (it->second.empty()) assigned_.erase(it);
}

std::vector<peer_key> piece_picker::piece_verified(uint32_t piece) {
    std::vector<peer_key> others;
    if (piece >= wanted_.size()) return others;
    if (const auto it = assigned_.find(piece); it != assigned_.end()) {
        others.assign(it->second.begin(), it->second.end());
        assigned_.erase(it);
    }
    if (wants(piece)) --remaining_;
    had_[piece] = true;
    return others;
}

std::vector<peer_key> piece_picker::piece_failed(uint32_t piece,
                                                 const std::vector<peer_key>& senders) {
    std::vector<peer_key> newly_banned;
    for (const auto peer : senders) {
        failed_senders_[piece].insert(peer);
        release(peer, piece);
        if (++failures_[peer] >= failures_before_ban && banned_.insert(peer).second)
            newly_banned.push_back(peer);
    }
    return newly_banned;
}

bool piece_picker::in_endgame() const {
    for (uint32_t piece = 0; piece < wanted_.size(); ++piece) {
        if (wants(piece) && !assigned_.contains(piece)) return false;
    }
    return remaining_ > 0;
}

uint32_t piece_picker::unavailable_count() const {
    uint32_t count = 0;
    for (uint32_t piece = 0; piece < wanted_.size(); ++piece) {
        if (!wants(piece)) continue;
        bool available = false;
        for (const auto& [peer, has] : peer_pieces_) {
            if (has[piece] && !banned_.contains(peer) && peer_may_take(peer, piece)) {
                available = true;
                break;
            }
        }
        if (!available) ++count;
    }
    return count;
}

bool piece_picker::has_wanted(peer_key peer) const {
    const auto it = peer_pieces_.find(peer);
    if (it == peer_pieces_.end()) return false;
    for (uint32_t piece = 0; piece < wanted_.size(); ++piece) {
        if (it->second[piece] && wants(piece)) return true;
    }
    return false;
}

std::vector<peer_key> piece_picker::assigned_peers(uint32_t piece) const {
    const auto it = assigned_.find(piece);
    if (it == assigned_.end()) return {};
    return {it->second.begin(), it->second.end()};
}

}  // namespace xfer::receiver
