#include "sender/pairing_codes.hpp"

namespace xfer::sender {

std::string replacement_reason(code_announcement::cause why) {
    switch (why) {
        case code_announcement::cause::first:
            return "";
        case code_announcement::cause::paired:
            return "the previous code paired a receiver";
        case code_announcement::cause::expired:
            return "the previous code expired";
        case code_announcement::cause::tries_spent:
            return "the previous code died after too many wrong tries";
    }
    return "";
}

pairing_codes::pairing_codes(pairing::code_policy policy, code_source make_code)
    : policy_(policy), make_code_(std::move(make_code)) {}

std::optional<code_announcement::cause> pairing_codes::why_dead(time_point now) const {
    if (current_->used()) return code_announcement::cause::paired;
    // Tries spent: dead once no exchange holds a lease on it (its last try may still pair).
    if (current_->attempts_left() == 0 && current_.use_count() == 1)
        return code_announcement::cause::tries_spent;
    if (now >= current_->expires_at()) return code_announcement::cause::expired;
    return std::nullopt;
}

std::optional<code_announcement> pairing_codes::refresh(time_point now) {
    auto why = code_announcement::cause::first;
    if (current_) {
        const auto dead = why_dead(now);
        if (!dead) return std::nullopt;
        why = *dead;
    }
    current_ = std::make_shared<pairing::code_limiter>(make_code_(), now, policy_);
    return code_announcement{current_->code().text(), policy_.lifetime, why};
}

}  // namespace xfer::sender
