// The command line's side of trust: --public, --allow, --allow-file (serve, fetch --listen) and
// --peer (fetch, ls) turned into the pure policies (sender/read_policy, receiver/sender_check),
// and the two live objects the connection hooks call: one for who may read from our sender
// (reloads known_peers when the file changes, so `xfer trust add` takes effect while serving),
// one for which senders a receiver takes data from (records first contacts in known_peers).
#pragma once

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "receiver/sender_check.hpp"
#include "sender/read_policy.hpp"
#include "shared/session/peer_policy.hpp"

namespace xfer::cli {

void add_sender_trust_options(boost::program_options::options_description& options);
void add_receiver_trust_options(boost::program_options::options_description& options);

// --allow and --allow-file (read now: a bad file fails the command at start) and --public.
std::expected<sender::read_policy_options, std::string> read_policy_options_from(
    const boost::program_options::variables_map& values, const identity::peer_id& own_id);
// --peer, and the `xfer trust` command line to show in errors (with --home when one was given).
std::expected<receiver::sender_check_options, std::string> sender_check_options_from(
    const boost::program_options::variables_map& values, const identity::peer_id& own_id);

struct trust_verdict {
    bool allowed = true;
    std::string reason;  // refused: the one line
};

// Who may read from our sender. Called from the sender loop for each verified receiver.
class live_read_policy {
  public:
    live_read_policy(std::filesystem::path config_dir, sender::read_policy_options options);
    // Logs a refusal (who, from where) at warning level and returns the line the peer gets.
    trust_verdict authorize(const identity::peer_id& receiver, const std::string& address);
    std::string audience();

  private:
    void reload_if_changed();

    const std::filesystem::path config_dir_;
    std::mutex mutex_;
    sender::read_policy policy_;
    std::optional<std::filesystem::file_time_type> loaded_mtime_;
    uintmax_t loaded_size_ = 0;
};

// Which senders a receiver takes data from. Called from the fetch loop (or ls) for each
// verified sender; first contacts it accepts are written to known_peers at once.
class live_sender_check {
  public:
    live_sender_check(std::filesystem::path config_dir, receiver::sender_check_options options);
    // `serves_public` unknown (the TLS handshake, before the sender's HELLO): an unknown
    // sender passes for now, to be decided when its HELLO says whether it is public.
    trust_verdict check(const identity::peer_id& sender, const std::string& address,
                        std::optional<bool> serves_public);
    // What the summary should say (first contacts accepted because the sender is public).
    std::vector<std::string> notes();

  private:
    const std::filesystem::path config_dir_;
    const receiver::sender_check_options options_;
    std::mutex mutex_;
    std::vector<std::string> notes_;
};

// The hooks the connections call (sender_options::authorize; fetch_request / listing_security
// check_sender and check_sender_hello).
session::peer_check authorize_hook(std::shared_ptr<live_read_policy> policy);
struct sender_check_hooks {
    session::peer_check at_handshake;
    session::hello_check at_hello;
};
sender_check_hooks sender_check_hooks_for(std::shared_ptr<live_sender_check> check);

}  // namespace xfer::cli
