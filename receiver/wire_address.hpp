// Whether an address a peer handed us (PEERS, connect-back, a tracker or LAN record) may be
// dialled. A peer must not make a fetch look up names (a DNS query chosen by a stranger, and a
// blocking one on the fetch loop), connect to port 0, to "this host" in disguise (0.0.0.0, ::),
// or to multicast and broadcast addresses. Addresses the user typed are not checked. Pure.
#pragma once

#include <optional>
#include <string>

#include "shared/net/address.hpp"

namespace xfer::receiver {

// Addresses discovery and connect-back may make one fetch connect to, in total (PEERS has its
// own bounds: receiver/introduced_peers.hpp).
inline constexpr size_t max_learned_total = 64;

// Why `where` may not be dialled on a peer's word, or nullopt when it may.
std::optional<std::string> undialable_reason(const net::endpoint& where);

}  // namespace xfer::receiver
