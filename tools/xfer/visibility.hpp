// The discovery options shared by `serve` and `fetch --listen`, and the presence they start:
// register with a tracker and/or announce on the LAN what the store holds.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "shared/discovery/presence.hpp"
#include "shared/store/piece_store.hpp"
#include "tools/xfer/cli_options.hpp"

namespace xfer::cli {

// --tracker [KEY@]HOST:PORT, --tracker-key KEY, --name NAME, --no-lan.
void add_visibility_options(po::options_description& options);
// --tracker-key KEY alone (fetch and peers have their own --tracker text).
void add_tracker_key_option(po::options_description& options);

struct tracker_option_error {
    std::string message;
    bool usage = true;  // a malformed option; else a refusal (no key, or not the pinned one)
};

// --tracker [KEY@]HOST[:PORT] and --tracker-key KEY, resolved against the keys pinned in
// CONFIG/trust/known_trackers: the key named, else the one pinned for that address. A named key
// that differs from the pinned one is an error showing both; no key at all is an error saying
// how to name it. A key not yet pinned is pinned once the tracker proves it.
std::expected<std::optional<discovery::tracker_link>, tracker_option_error> tracker_option(
    const po::variables_map& values);
// Shows the error as `command` fails with it; returns the exit status.
int report_tracker_option_error(std::string_view command, const tracker_option_error& error,
                                bool json);

// Starts announcing this peer (tracker if given, LAN if `lan`); `sender` is where its sender
// listens. Null when there is nothing to announce to.
std::unique_ptr<discovery::presence> make_presence(
    zmq::context_t& context, const po::variables_map& values,
    const std::optional<discovery::tracker_link>& tracker, bool lan, const peer_id& id,
    const net::endpoint& sender, std::shared_ptr<piece_store> store);

}  // namespace xfer::cli
