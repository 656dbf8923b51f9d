// What a LAN listener has heard, as pure bookkeeping (no sockets, `now` passed in): datagrams
// go in (signed: signed_datagram.hpp), joins/updates/leaves come out. A peer appears once every
// page of one generation of its announcement has arrived; a GOODBYE or limits::lan_timeout of
// silence makes it leave. Keys are free, so a host may sign for any number of peers: each source
// address gets limits::max_lan_peers_per_source places, and a full table makes room only by
// evicting the newest peers of the busiest address (registry.hpp, evict_when_full), or, when no
// address holds more than the others, the oldest peer whose address did not answer a connection.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/discovery/lan_protocol.hpp"
#include "shared/discovery/membership.hpp"
#include "shared/discovery/registry.hpp"

namespace xfer::discovery::lan {

class lan_directory {
  public:
    explicit lan_directory(std::chrono::milliseconds timeout = limits::lan_timeout,
                           size_t max_peers = limits::max_lan_peers);

    // `source` is the datagram's source address (IPv4, or IPv6 with its interface if link-local).
    // Only signed datagrams count (signed_datagram.hpp): records carry the signer's peer ID, a
    // peer's per-run id stays bound to the key that first announced it, and only that key's GOODBYE
    // removes it.
    std::vector<membership_change> on_datagram(std::string_view bytes, const std::string& source,
                                               steady_time now);
    std::vector<membership_change> expire(steady_time now);
    // What a connection to a listed peer's address found (lan_socket's probes): a full table
    // keeps peers that answered and makes room from those that did not (registry.hpp).
    void on_probe(const peer_id& id, bool answered);

    std::optional<steady_time> next_deadline() const { return registry_.next_deadline(); }
    const registry& peers() const { return registry_; }
    uint64_t dropped_datagrams() const { return dropped_; }

  private:
    struct assembly {
        uint32_t generation = 0;
        identity::peer_id signer;  // all pages of one set come from one key
        std::vector<std::optional<announce_page>> pages;
        steady_time last_heard{};
        std::string source;  // first heard from: the per-source bound counts it there
        steady_time first_heard{};
    };
    // True when a new assembly from `source` may start (evicting the busiest source's newest).
    bool make_pending_room(const std::string& source);
    std::vector<membership_change> on_page(announce_page page, const identity::peer_id& signer,
                                           const std::string& source, steady_time now);
    std::vector<membership_change> dropped(const std::string& source, const char* why);
    std::string address_for(const announce_page& page, const std::string& source) const;

    std::chrono::milliseconds timeout_;
    size_t max_peers_;
    registry registry_;
    std::map<peer_id, assembly> pending_;
    uint64_t dropped_ = 0;
};

}  // namespace xfer::discovery::lan
