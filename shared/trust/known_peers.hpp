// The peers this installation knows, by peer ID: ssh's known_hosts and Syncthing's device list
// in one small table. Pure: no I/O (known_peers_file reads and writes it), times passed in.
//
// How far a peer is trusted:
//   paired   both sides proved a pairing code: it may read what we serve, and is a verified sender
//   allowed  added by the user (`xfer trust add`): the same rights as paired
//   seen     remembered by a receiver on first contact (`--peer ID`, or a sender serving
//            `--public`): its ID is expected at its addresses, but it may not read our files
//
// An address (what a receiver dialled, "HOST:PORT") belongs to at most one peer: the last one
// verified there. That is what lets a receiver say "a different ID answers at a known address".
#pragma once

#include <chrono>
#include <cstddef>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shared/identity/peer_id.hpp"

namespace xfer::trust {

using identity::peer_id;
using seconds_clock = std::chrono::system_clock;
using timestamp = std::chrono::sys_seconds;

enum class trust_level { paired, allowed, seen };

std::string_view trust_level_name(trust_level level);  // "paired", "allowed", "seen"
std::optional<trust_level> parse_trust_level(std::string_view text);
// paired and allowed peers may read what we serve; seen ones may not.
inline bool may_read(trust_level level) {
    return level != trust_level::seen;
}

// Bounds: the table and every entry stay small whatever a peer or a hand-edit puts there.
inline constexpr size_t max_known_peers = 4096;
inline constexpr size_t max_name_bytes = 64;         // longer names are cut (on a UTF-8 boundary)
inline constexpr size_t max_addresses_per_peer = 8;  // the most recent are kept
inline constexpr size_t max_address_bytes = 270;     // a DNS name, ':' and a port

struct known_peer {
    peer_id id;
    std::string name;                    // as given (by the peer or the user): safe_text to show
    std::vector<std::string> addresses;  // most recently seen first
    timestamp first_seen{};
    timestamp last_seen{};
    trust_level trust = trust_level::seen;
};

// A name cut to max_name_bytes without splitting a UTF-8 sequence.
std::string bounded_name(std::string_view name);
// True for an address this table accepts: 1..max_address_bytes printable bytes, no space or ','.
bool valid_address(std::string_view address);

class known_peers {
  public:
    const known_peer* find(const peer_id& id) const;
    // Names are not unique: every peer with exactly this name.
    std::vector<const known_peer*> find_by_name(std::string_view name) const;
    const known_peer* find_by_address(std::string_view address) const;
    std::span<const known_peer> all() const { return peers_; }
    size_t size() const { return peers_.size(); }

    // Adds a peer, or raises the trust of (and names, if it has no name) one already known: a
    // known peer is never lowered by this (pairing again does not make a paired peer "seen").
    // When the table is full, the seen peer seen least recently makes room; if there is none,
    // fails with a sentence.
    std::expected<void, std::string> add(const peer_id& id, std::string_view name,
                                         trust_level trust, timestamp now);
    // A peer verified at `address` now: the address goes first in its list (and leaves any
    // other peer's), last_seen becomes `now`. No effect on an unknown peer or a bad address.
    void seen_at(const peer_id& id, std::string_view address, timestamp now);
    bool rename(const peer_id& id, std::string_view name);
    bool remove(const peer_id& id);

    // For the file reader: takes a whole entry as it was written (bounded like the rest).
    std::expected<void, std::string> insert_loaded(known_peer peer);

  private:
    known_peer* find_mutable(const peer_id& id);
    void forget_address(std::string_view address);
    bool make_room();

    std::vector<known_peer> peers_;
};

}  // namespace xfer::trust
