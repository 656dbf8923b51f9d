// The live peer list as pure bookkeeping: no sockets, no clock of its own (every call takes
// `now`), so expiry and every bound are tested in microseconds. The tracker keeps one; the LAN
// listener keeps one; both turn its outcomes into pushed joins and leaves.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shared/discovery/limits.hpp"
#include "shared/discovery/peer_record.hpp"

namespace xfer::discovery {

using steady_time = std::chrono::steady_clock::time_point;

struct registry_limits {
    size_t max_peers = limits::max_peers;
    size_t max_peers_per_source = limits::max_peers_per_source;
    std::chrono::milliseconds timeout = limits::default_heartbeat_timeout;
    // Tracker: only the address that registered a peer id may refresh, replace or remove it.
    // LAN: one announcement arrives over several interfaces, so the source varies.
    bool source_owns_entry = true;
    // LAN: when full, a newcomer from a less represented address takes the place of the newest
    // peer of the address holding the most (see upsert); the tracker instead rejects.
    bool evict_when_full = false;
};

enum class upsert_outcome {
    joined,         // a new peer
    updated,        // a known peer whose record changed
    refreshed,      // a known peer, same record: only its deadline moved
    invalid,        // the record breaks a limit (see validate())
    registry_full,  // max_peers reached
    source_full,    // max_peers_per_source reached for this source address
    not_owner,      // the peer id belongs to a registration from another address
};
const char* to_string(upsert_outcome outcome);
inline bool accepted(upsert_outcome outcome) {
    return outcome == upsert_outcome::joined || outcome == upsert_outcome::updated ||
           outcome == upsert_outcome::refreshed;
}

// Whether a peer's announced address answered a connection (LAN: lan_socket's probes). Keys and
// source addresses are free, answering at the announced address is not: a full table keeps peers
// that answered over those that only announce.
enum class reachability {
    unknown,   // not tried yet, or the try is under way
    answered,  // a connection to its address was accepted
    silent,    // tried, and nothing accepted the connection
};

class registry {
  public:
    explicit registry(registry_limits limits = {}) : limits_(limits) {}

    // Adds or replaces a peer's record; `source` is the address it came from. With
    // evict_when_full, a full registry makes room for a new peer by dropping the most recently
    // first-seen peer of the address with the most entries, but only if that address holds at
    // least two more than `source` would: a flood from a few addresses evicts only its own
    // entries, never a peer heard for longer from an address with fewer. A peer that answered is
    // never evicted; when no address holds two more, the oldest peer found silent makes room (a
    // flood from many addresses, one peer each, is cleared as its addresses fail to answer).
    upsert_outcome upsert(peer_record record, const std::string& source, steady_time now);
    // A heartbeat: false if the peer is unknown (or owned by another source): it must register.
    bool refresh(const peer_id& id, const std::string& source, steady_time now);
    // A clean leave; the removed record, if the peer was there and the source may remove it.
    std::optional<peer_record> remove(const peer_id& id, const std::string& source);
    // Drops every peer silent for longer than the timeout; returns them in id order.
    std::vector<peer_record> expire(steady_time now);

    // Peers evicted by upsert since the last call (to report them as left).
    std::vector<peer_record> take_evicted() { return std::exchange(evicted_, {}); }

    // Records what a connection to the peer's address found; false if the peer is unknown.
    bool set_reachability(const peer_id& id, discovery::reachability reach);
    std::optional<discovery::reachability> reachability_of(const peer_id& id) const;
    const peer_record* find(const peer_id& id) const;
    // Sorted by name, then id, so listings are stable.
    std::vector<peer_record> list() const;
    size_t size() const { return entries_.size(); }
    const registry_limits& limits() const { return limits_; }
    // When the next expiry could happen (nullopt if empty), so loops sleep exactly that long.
    std::optional<steady_time> next_deadline() const;

  private:
    struct entry {
        peer_record record;
        std::string source;
        steady_time last_seen;
        steady_time first_seen;
        discovery::reachability reach = discovery::reachability::unknown;
    };
    bool evict_for(const std::string& source);
    bool may_touch(const entry& existing, const std::string& source) const {
        return !limits_.source_owns_entry || existing.source == source;
    }

    registry_limits limits_;
    std::map<peer_id, entry> entries_;
    std::map<std::string, size_t> peers_per_source_;
    std::vector<peer_record> evicted_;
};

}  // namespace xfer::discovery
