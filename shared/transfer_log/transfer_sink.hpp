// Where the halves hand finished transfers for the transfer log. The command that runs them
// decides (appends to transfer_log_file, after naming the peer from the trust store); a half
// only fills in what it saw. Called on the half's own thread: keep it short.
#pragma once

#include <functional>

#include "shared/transfer_log/transfer_record.hpp"

namespace xfer::transfer_log {

using transfer_sink = std::function<void(transfer_record)>;

}  // namespace xfer::transfer_log
