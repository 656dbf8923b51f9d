#include "shared/pairing/code_limiter.hpp"

#include "shared/pairing/pairing_error.hpp"

namespace xfer::pairing {

code_limiter::code_limiter(pairing_code code, time_point issued_at, code_policy policy)
    : code_(code), issued_at_(issued_at), policy_(policy) {}

std::expected<std::string, std::error_code> code_limiter::begin_attempt(time_point now) {
    if (used_) return std::unexpected(make_error_code(pairing_errc::code_used));
    if (now >= expires_at()) return std::unexpected(make_error_code(pairing_errc::code_expired));
    if (attempts_started_ >= policy_.max_attempts) {
        return std::unexpected(make_error_code(pairing_errc::too_many_attempts));
    }
    ++attempts_started_;
    return code_.text();
}

}  // namespace xfer::pairing
