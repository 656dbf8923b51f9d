// `xfer ls`: asks a remote sender what it shares in one directory.
#pragma once

#include <chrono>
#include <expected>
#include <string>
#include <system_error>
#include <vector>

#include "shared/core/ids.hpp"
#include "shared/net/address.hpp"
#include "shared/wire/messages.hpp"

namespace xfer::receiver {

// What one listing may hold, however many LISTING frames with `more` set a sender sends: past
// either bound the listing fails (a peer cannot make `xfer ls` grow without limit).
inline constexpr size_t max_listing_total_entries = 200'000;
inline constexpr size_t max_listing_total_bytes = 64 * 1024 * 1024;  // encoded entries

// Why a listing failed: the cause (for the exit status) and one line for the user.
struct listing_failure {
    std::error_code code;  // not_found (the sender's ERROR), peer_closed, peer_timeout, ...
    std::string message;
};

// All entries (every LISTING frame until `more` is clear), or what failed.
std::expected<std::vector<wire::listing_entry>, listing_failure> fetch_listing(
    const net::endpoint& source, const std::string& directory, const peer_id& our_id,
    std::chrono::milliseconds timeout);

}  // namespace xfer::receiver
