// One change to a peer list, as the tracker mirror and the LAN directory report it.
#pragma once

#include "shared/discovery/peer_record.hpp"
#include "shared/discovery/tracker_protocol.hpp"

namespace xfer::discovery {

struct membership_change {
    enum class kind { joined, updated, left };
    kind what = kind::joined;
    peer_record record;
    tracker::leave_reason reason = tracker::leave_reason::none;  // for left: clean or expired
};

}  // namespace xfer::discovery
