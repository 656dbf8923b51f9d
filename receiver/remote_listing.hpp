// `xfer ls`: asks a remote sender what it shares in one directory.
#pragma once

#include <chrono>
#include <expected>
#include <string>
#include <vector>

#include "shared/core/ids.hpp"
#include "shared/net/address.hpp"
#include "shared/wire/messages.hpp"

namespace xfer::receiver {

// All entries (every LISTING frame until `more` is clear), or one line saying what failed.
std::expected<std::vector<wire::listing_entry>, std::string> fetch_listing(
    const net::endpoint& source, const std::string& directory, const peer_id& our_id,
    std::chrono::milliseconds timeout);

}  // namespace xfer::receiver
