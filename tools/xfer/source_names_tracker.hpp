// A peer's name or peer ID as the tracker knows it: the tracker lists every registered peer with
// the name it registered and the peer ID of the key that signed the registration (the tracker
// checked the signature), so `xfer fetch NAME --tracker T` finds peers that cannot multicast to
// us. The list is taken once, as `xfer peers --tracker` takes it; the name is matched here.
#pragma once

#include <chrono>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "shared/discovery/peer_record.hpp"
#include "shared/discovery/tracker_link.hpp"

namespace xfer::cli {

struct tracker_lookup_error {
    bool refused = false;  // the tracker did not prove its key (else: it did not answer in time)
    std::string message;   // one line for the user
};

// The tracker's records that answer to `name` (source_names.hpp, peers_called), once its list
// has come within `wait`; empty when none does.
std::expected<std::vector<discovery::peer_record>, tracker_lookup_error> heard_on_tracker(
    std::string_view name, const discovery::tracker_link& tracker, std::chrono::milliseconds wait);

}  // namespace xfer::cli
