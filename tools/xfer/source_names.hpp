// What a SOURCE the user typed means: an address ("192.168.1.5", "a.lan:7000", "[::1]"), or a
// peer's name or the start of its peer ID ("alice", "XWSLX75"), looked up in this machine's
// trust store (the address it was last verified at), then in the tracker's list when a tracker
// is given (source_names_tracker.hpp), then among the peers heard on the LAN.
// A bare word no peer answers to is still tried as a host name ("nas", from /etc/hosts) when it
// is a valid one; otherwise it is an error that says where xfer looked.
//
// A name does not make a peer trusted: the sender is still checked as for an address
// (receiver/sender_check), the name only says where to connect.
#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/core/xfer_home.hpp"
#include "shared/discovery/peer_record.hpp"
#include "shared/discovery/tracker_link.hpp"
#include "shared/net/address.hpp"
#include "tools/xfer/exit_status.hpp"

namespace xfer::cli {

// True when `host` is written as an address: an IP literal, a dotted or colon name, localhost.
bool written_as_address(std::string_view host);
// True when `name` could be a DNS host name (letters, digits, '-', 1..63 bytes).
bool valid_host_label(std::string_view name);

// The LAN records that answer to `name`: exactly that name, or a peer ID starting with it
// (7 characters at least, as `xfer peers` shows them). Pure.
std::vector<discovery::peer_record> peers_called(std::string_view name,
                                                 const std::vector<discovery::peer_record>& heard);

// Why a SOURCE names no peer: one line for the user, and the class of failure (not_found; refused
// when the tracker asked did not prove its key; network when it did not answer).
struct source_error {
    failure_class failure = failure_class::not_found;
    std::string message;
};

// Where to connect for SOURCE `text` (see above). With `tracker`, waits for its list for at most
// `tracker_wait`; then listens on the LAN for at most `lan_wait`, returning as soon as a peer
// answers to the name.
std::expected<net::endpoint, source_error> resolve_source(
    std::string_view text, const xfer_home& home, std::chrono::milliseconds lan_wait,
    const std::optional<discovery::tracker_link>& tracker = std::nullopt,
    std::chrono::milliseconds tracker_wait = std::chrono::seconds(5));

}  // namespace xfer::cli
