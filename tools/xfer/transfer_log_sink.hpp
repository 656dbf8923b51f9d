// The transfer log sink `xfer serve` and `xfer fetch` hand their halves: names the peer from
// the trust store (the name it was paired or added with) and appends to STATE/transfers.log.
// A log that cannot be written is said once at warn level; the transfer itself goes on.
#pragma once

#include "receiver/fetcher.hpp"
#include "shared/core/xfer_home.hpp"
#include "shared/transfer_log/transfer_sink.hpp"

namespace xfer::cli {

transfer_log::transfer_sink make_transfer_log_sink(const xfer_home& home);

// The fetch's own record (direction "received"): done when everything asked for is verified,
// abandoned when interrupted, failed otherwise.
void log_fetch(const xfer_home& home, const receiver::fetch_request& request,
               const receiver::fetch_outcome& outcome, double seconds, bool interrupted);

}  // namespace xfer::cli
