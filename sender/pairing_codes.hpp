// The pairing codes one sender offers, one at a time (`xfer serve` prints each): a code lives
// until it paired a receiver, its lifetime passed, or its tries are spent (code_limiter.hpp);
// then the next refresh() puts a fresh one in its place and says so, so the user always has a
// live code on screen. Pure and single-threaded: the sender loop owns it and passes the clock.
//
// Connections lease the code they pair with (a shared_ptr), so a replacement never pulls it
// from under an exchange in flight: that exchange still ends against the code it started with.
// A code whose last try is in flight is replaced only once that try ends (it may yet pair).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "shared/identity/peer_id.hpp"
#include "shared/net/address.hpp"
#include "shared/pairing/code_limiter.hpp"

namespace xfer::sender {

// A new code to show the user.
struct code_announcement {
    enum class cause { first, paired, expired, tries_spent };
    std::string code;  // canonical text, "7-amber-forest"
    std::chrono::steady_clock::duration lifetime;
    cause replaces = cause::first;  // why the code before it ended
};

// "" for the first code, else why it was replaced: "the previous code paired a receiver".
std::string replacement_reason(code_announcement::cause why);

// A receiver that proved the code: what the sender records (known_peers) and shows.
struct paired_receiver {
    identity::peer_id id;  // verified by TLS, bound into the exchange
    std::string name;      // its display name as it sent it: show through safe_text
    net::endpoint address;
};

class pairing_codes {
  public:
    using time_point = pairing::code_limiter::time_point;
    using code_source = std::function<pairing::pairing_code()>;

    explicit pairing_codes(pairing::code_policy policy,
                           code_source make_code = pairing::generate_pairing_code);

    // Issues the first code, or replaces a dead one; the code to announce when it did.
    std::optional<code_announcement> refresh(time_point now);
    // The code open now, leased to an exchange (refresh first: null before the first code).
    std::shared_ptr<pairing::code_limiter> lease() const { return current_; }

  private:
    std::optional<code_announcement::cause> why_dead(time_point now) const;

    pairing::code_policy policy_;
    code_source make_code_;
    std::shared_ptr<pairing::code_limiter> current_;
};

}  // namespace xfer::sender
