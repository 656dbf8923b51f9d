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

// --tracker HOST:PORT, --name NAME, --no-lan.
void add_visibility_options(po::options_description& options);

// Parsed --tracker, or a one-line error.
std::expected<std::optional<net::endpoint>, std::string> tracker_option(
    const po::variables_map& values);

// Starts announcing this peer (tracker if given, LAN if `lan`); `sender` is where its sender
// listens. Null when there is nothing to announce to.
std::unique_ptr<discovery::presence> make_presence(zmq::context_t& context,
                                                   const po::variables_map& values,
                                                   const std::optional<net::endpoint>& tracker,
                                                   bool lan, const peer_id& id,
                                                   const net::endpoint& sender,
                                                   std::shared_ptr<piece_store> store);

}  // namespace xfer::cli
