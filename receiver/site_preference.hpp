// Which sources a fetch asks for which pieces when peers say which site (rack, room) they are
// on (`--site`, the HELLO's `site`). Pure: no sockets, no clock; piece_picker consults it when it
// picks (tests/receiver/site_preference_test.cpp drives both from scripted availability).
//
// Sites are joined by links slower than the segments (issue 13's racks: 2.4-2.9 copies of the
// file crossed the uplink into rack 1, where one would do). So, once a source of our own site
// is connected:
// - a piece a same-site source has is asked of same-site sources only, rarest first among
//   them (what our own site holds is what counts);
// - an off-site source is asked only for pieces no same-site source has, at most
//   `max_off_site_in_flight` at once, and only the pieces this host is first in line for: each
//   piece has one host of the site that brings it in (highest rendezvous hash of its instance
//   id and the piece, over this host and the same-site sources it knows), so the hosts of one
//   site pull different pieces over the uplink and pass them on. A host with nothing at all in
//   flight takes one piece that another host is first in line for, from the end of that host's
//   order (it likely has not started it), so a host that never brings its pieces holds nobody.
// Sources without a label, and every source while we have no label, are asked as before.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "shared/core/ids.hpp"

namespace xfer::receiver {

using peer_key = uint64_t;

class site_preference {
  public:
    static constexpr size_t max_off_site_in_flight = 2;

    site_preference(std::string own_site, const peer_id& own_instance);

    // A source's HELLO: the site it is on ("" unknown) and its instance id.
    void source_met(peer_key source, std::string_view site, const peer_id& instance);
    void source_gone(peer_key source);
    // What sources hold, as the picker learns it (only same-site holders are counted).
    void holder_added(peer_key source, uint32_t piece);
    void holder_removed(peer_key source, uint32_t piece);

    // We have a site and at least one source of it is connected: the rules above apply.
    bool active() const { return same_site_sources_ > 0; }
    bool same_site(peer_key source) const { return kind_of(source) == kind::same; }
    bool off_site(peer_key source) const { return active() && kind_of(source) == kind::other; }
    uint32_t same_site_holders(uint32_t piece) const {
        return piece < holders_.size() ? holders_[piece] : 0;
    }
    // Off-site sources that have the piece (0 while not active).
    uint32_t off_site_holders(uint32_t piece) const {
        return active() && piece < off_site_holders_.size() ? off_site_holders_[piece] : 0;
    }

    // May `source` be asked for `piece` now? `idle`: nothing at all is in flight for the fetch.
    bool may_ask(peer_key source, uint32_t piece, bool idle) const;
    // How many more pieces off-site `source` may be given, with `off_site_in_flight` pieces
    // already on off-site sources (unbounded for a source that is not off-site).
    size_t room(peer_key source, size_t off_site_in_flight, bool idle) const;
    // Order among the pieces `source` may be asked for, smallest first: for an off-site source,
    // ours first (in the site's shared order), then others' from the end of theirs; for a
    // same-site source, the rarest on our site first. `availability`: holders of all sites.
    uint64_t order(peer_key source, uint32_t piece, uint32_t availability) const;
    // This host is first in line for bringing `piece` into the site.
    bool first_in_line(uint32_t piece) const;

  private:
    enum class kind { unknown, same, other };
    struct source_site {
        kind is = kind::unknown;
        uint64_t instance = 0;
    };
    kind kind_of(peer_key source) const;

    std::string own_site_;
    uint64_t own_instance_;
    std::map<peer_key, source_site> sources_;
    size_t same_site_sources_ = 0;
    std::vector<uint32_t> holders_;           // per piece: same-site sources that have it
    std::vector<uint32_t> off_site_holders_;  // per piece: sources of other sites that have it
    // first_in_line per piece (0 unknown, 1 yes, 2 no): it depends only on the same-site
    // sources, and the picker asks it for every piece of every pick; forgotten when they change.
    mutable std::vector<uint8_t> first_in_line_;
};

}  // namespace xfer::receiver
