// `xfer ls`: asks a remote sender what it shares in one directory.
#pragma once

#include <chrono>
#include <expected>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "shared/core/ids.hpp"
#include "shared/net/address.hpp"
#include "shared/session/peer_policy.hpp"
#include "shared/tls/tls_context.hpp"
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

// How `ls` reaches a sender: over TLS with our identity, and asking `check_sender` (unset:
// any) about the sender's verified peer ID before the LIST goes out.
struct listing_security {
    std::shared_ptr<const tls::tls_context> tls;
    session::peer_check check_sender;
    session::hello_check check_sender_hello;  // again with the sender's HELLO (unset: any)
};

// All entries (every LISTING frame until `more` is clear), or what failed.
std::expected<std::vector<wire::listing_entry>, listing_failure> fetch_listing(
    const net::endpoint& source, const std::string& directory, const peer_id& our_id,
    const listing_security& security, std::chrono::milliseconds timeout);

}  // namespace xfer::receiver
