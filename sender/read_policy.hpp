// Who may read what a sender serves. Pure: the verified peer ID of a receiver in, a decision out;
// the table of known peers and the command-line choices are handed in.
//
//   own ID          the same identity as this sender (another xfer of this installation): yes
//   paired/allowed  a peer in known_peers that may read (trust/known_peers.hpp): yes (the default)
//   --allow ID      (repeatable) and --allow-file FILE: yes, for this run
//   --public        anyone who can reach the port: yes (serve says so at start)
//   anyone else     no: the receiver is told in one line why and what to do; the sender logs it
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "shared/trust/known_peers.hpp"

namespace xfer::sender {

using identity::peer_id;

// Bounds on an --allow-file: small, like the known_peers file it stands beside.
inline constexpr size_t max_allow_file_bytes = 1024 * 1024;
inline constexpr size_t max_allow_file_ids = 4096;

// One peer ID per line; blank lines and '#' comments (a whole line, or after the ID) are ignored.
// Fails on the first bad line, naming `file_label`, the line number and what is wrong.
std::expected<std::vector<peer_id>, std::string> parse_allow_list(std::string_view text,
                                                                  std::string_view file_label);

struct read_policy_options {
    peer_id own_id;
    std::vector<peer_id> allowed;  // --allow and --allow-file
    bool public_access = false;    // --public
    bool pairing_offered = false;  // serve prints a pairing code: the refusal says to use it
};

enum class read_reason { own_id, known_peer, allowed_by_option, public_access, refused };

struct read_decision {
    bool allowed = false;
    read_reason reason = read_reason::refused;
};

class read_policy {
  public:
    read_policy(read_policy_options options, trust::known_peers known)
        : options_(std::move(options)), known_(std::move(known)) {}

    read_decision authorize(const peer_id& receiver) const;

    // The ERROR text a refused receiver gets: one line, that it is not allowed and how to become
    // allowed (pairing, or the commands its owner can run here).
    std::string refusal_text(const peer_id& receiver) const;
    // The sender's log line for a refusal: who tried and from where (the address is ours to
    // print, the ID is in our own format: neither came as free text from the peer).
    std::string refusal_log_text(const peer_id& receiver, std::string_view address) const;
    // How serve describes its audience at start: "anyone who can reach it (--public)" or
    // "paired peers (3 known) and 2 IDs from --allow".
    std::string audience() const;

    // The table again (known_peers changed on disk while serving: a peer was paired or added).
    void replace_known_peers(trust::known_peers known) { known_ = std::move(known); }
    bool is_public() const { return options_.public_access; }

  private:
    read_policy_options options_;
    trust::known_peers known_;
};

}  // namespace xfer::sender
