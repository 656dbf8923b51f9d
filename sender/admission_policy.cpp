#include "sender/admission_policy.hpp"

#include <algorithm>

namespace xfer::sender {
namespace {

using view = admission_policy::connection_view;
using clock = admission_policy::clock;

// The connection to give up among `candidates` (those `in_scope`), if any may go.
std::optional<uint64_t> victim(std::span<const view> current, clock::time_point now,
                               auto in_scope) {
    const view* unhandshaken = nullptr;
    const view* idlest = nullptr;
    const view* stalest = nullptr;
    for (const auto& c : current) {
        if (!in_scope(c)) continue;
        if (!c.greeted) {
            if (!unhandshaken || c.accepted_at < unhandshaken->accepted_at) unhandshaken = &c;
        } else if (!c.busy) {
            if (!idlest || c.last_useful < idlest->last_useful) idlest = &c;
        } else if (now - c.last_progress > served_grace) {
            if (!stalest || c.last_progress < stalest->last_progress) stalest = &c;
        }
    }
    if (unhandshaken) return unhandshaken->id;
    if (idlest) return idlest->id;
    if (stalest) return stalest->id;
    return std::nullopt;
}

}  // namespace

admission_policy::decision admission_policy::admit(const std::string& address,
                                                   std::span<const view> current,
                                                   clock::time_point now) const {
    const auto same_address = [&](const view& c) { return c.address == address; };
    const auto from_address =
        static_cast<size_t>(std::count_if(current.begin(), current.end(), same_address));
    // An address at its limit makes room among its own connections, never among others'.
    if (from_address >= max_per_address_) {
        const auto evict = victim(current, now, same_address);
        return {evict.has_value(), evict};
    }
    if (current.size() < max_connections_) return {true, std::nullopt};
    const auto evict = victim(current, now, [](const view&) { return true; });
    return {evict.has_value(), evict};
}

admission_policy::decision admission_policy::admit_peer(const std::string& peer, uint64_t newcomer,
                                                        std::span<const view> current,
                                                        clock::time_point now) const {
    const auto others_of_peer = [&](const view& c) { return c.peer == peer && c.id != newcomer; };
    const auto held =
        static_cast<size_t>(std::count_if(current.begin(), current.end(), others_of_peer));
    if (held < max_per_peer_) return {true, std::nullopt};
    const auto evict = victim(current, now, others_of_peer);
    return {evict.has_value(), evict};
}

}  // namespace xfer::sender
