// The life of one pairing code on the responder (sender) side: it dies after a lifetime, after
// max_attempts attempts that did not pair, and once it has paired a peer (one-time use). The
// clock is passed in (`now`), so tests drive it without waiting.
//
// An attempt counts when it starts (PAIR_INIT), not when it fails: the responder's PAIR_REPLY
// carries a tag that already tells the initiator whether its guess was right, so an attacker who
// walks away before PAIR_CONFIRM has still used a guess.
#pragma once

#include <chrono>
#include <expected>
#include <string>
#include <system_error>

#include "shared/pairing/pairing_code.hpp"

namespace xfer::pairing {

struct code_policy {
    std::chrono::steady_clock::duration lifetime = std::chrono::minutes(10);
    unsigned max_attempts = 3;
};

class code_limiter {
  public:
    using time_point = std::chrono::steady_clock::time_point;

    code_limiter(pairing_code code, time_point issued_at, code_policy policy = {});

    // Starts an attempt: the code's canonical text (the PAKE password), or why the code is no
    // longer usable (pairing_errc::code_expired, too_many_attempts, code_used).
    std::expected<std::string, std::error_code> begin_attempt(time_point now);
    // The attempt paired a peer: the code is spent.
    void attempt_succeeded() { used_ = true; }

    bool used() const { return used_; }
    const pairing_code& code() const { return code_; }
    time_point expires_at() const { return issued_at_ + policy_.lifetime; }
    unsigned attempts_left() const { return policy_.max_attempts - attempts_started_; }

  private:
    pairing_code code_;
    time_point issued_at_;
    code_policy policy_;
    unsigned attempts_started_ = 0;
    bool used_ = false;
};

}  // namespace xfer::pairing
