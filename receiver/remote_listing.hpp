// `xfer ls`: asks a remote sender what it shares in one directory, or (ls -R) in a directory and
// everything under it, over one connection.
#pragma once

#include <chrono>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "shared/core/ids.hpp"
#include "shared/net/address.hpp"
#include "shared/session/peer_policy.hpp"
#include "shared/session/peer_session.hpp"
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

namespace detail {
class listing_collector;
}

// One connection to a sender for any number of LISTs, one after another. The first failure
// (connect, TLS, the sender's ERROR, a timeout of `timeout` per LIST) ends it: every later
// list() returns that failure.
class listing_connection {
  public:
    listing_connection(const net::endpoint& source, const peer_id& our_id,
                       const listing_security& security, std::chrono::milliseconds timeout);
    ~listing_connection();

    // All entries of `directory` (every LISTING frame until `more` is clear). With
    // `entries_before` entries listed already, the listing fails once the total passes
    // max_listing_total_entries.
    std::expected<std::vector<wire::listing_entry>, listing_failure> list(
        const std::string& directory, size_t entries_before = 0);

  private:
    std::expected<std::vector<wire::listing_entry>, listing_failure> list_once(
        const std::string& directory, size_t entries_before);

    const net::endpoint source_;
    const std::chrono::milliseconds timeout_;
    std::optional<listing_failure> failure_;
    std::unique_ptr<detail::listing_collector> collector_;
    std::unique_ptr<session::peer_session> session_;
};

// All entries of one directory, or what failed.
std::expected<std::vector<wire::listing_entry>, listing_failure> fetch_listing(
    const net::endpoint& source, const std::string& directory, const peer_id& our_id,
    const listing_security& security, std::chrono::milliseconds timeout);

// `xfer ls -R`: an entry anywhere under the directory listed, by its path relative to it.
struct tree_listing_entry {
    std::string path;  // "sub/dir/name"
    wire::listing_entry entry;
};

// Every entry under `directory`, depth first in canonical path order (each directory followed
// by what is in it), all over one connection. The bounds of one listing hold for the whole
// walk (max_listing_total_entries in all; no path past wire::max_path_length), so a sender
// that loops (a symlink to a parent) ends it with a failure, not a hang.
std::expected<std::vector<tree_listing_entry>, listing_failure> fetch_tree_listing(
    const net::endpoint& source, const std::string& directory, const peer_id& our_id,
    const listing_security& security, std::chrono::milliseconds timeout);

}  // namespace xfer::receiver
