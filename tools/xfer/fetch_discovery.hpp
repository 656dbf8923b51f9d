// `fetch --tracker` / `fetch --lan`: the peer finder that feeds the fetch its sources, and the
// rule for which discovered peers it takes content from (receiver/source_trust.hpp): by path,
// only trusted peers (own ID, paired, allowed); by content id (--id), anyone.
#pragma once

#include <expected>
#include <memory>
#include <optional>

#include <zmq.hpp>

#include "receiver/fetcher.hpp"
#include "shared/discovery/peer_finder.hpp"
#include "tools/xfer/cli_options.hpp"

namespace xfer::cli {

// Starts the finder for `request` and, searching by path, makes request.check_sender refuse
// untrusted senders. With no source on the command line, waits until a holder is known and
// fails (an exit status, the line already shown) when none is, or the tracker cannot prove its
// key. Null when neither a tracker nor the LAN is asked.
std::expected<std::unique_ptr<discovery::peer_finder>, int> start_discovery(
    zmq::context_t& context, const po::variables_map& values,
    const std::optional<discovery::tracker_link>& tracker, receiver::fetch_request& request,
    const volatile int* stop);

}  // namespace xfer::cli
