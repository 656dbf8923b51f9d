// How a pairing attempt can fail, as std::error_code values in their own category
// ("xfer.pairing"), so the CLI can say precisely what happened and tests can tell the cases
// apart. The refusals a responder sends in PAIR_REPLY use the same numbers on the wire
// (docs/PROTOCOL.md, "Pairing").
#pragma once

#include <system_error>

namespace xfer::pairing {

enum class pairing_errc {
    ok = 0,
    // Refusals the responder (sender) sends in PAIR_REPLY's status byte.
    no_code = 1,            // the sender has no pairing code open (e.g. it runs --public)
    code_expired = 2,       // the code outlived its lifetime: ask for a new one
    too_many_attempts = 3,  // the code died after too many wrong tries
    code_used = 4,          // the code already paired a peer (codes are one-time)
    // Found locally.
    wrong_code = 10,         // the confirmation tags differ: a wrong code, or the connection is
                             // relayed by someone in the middle (the two cannot be told apart)
    malformed_message = 11,  // a pairing message broke its layout or bounds, or a point is invalid
    out_of_order = 12,       // a pairing message at the wrong step of the exchange
    bad_code_text = 13,      // what the user typed is not a pairing code
};

const std::error_category& pairing_category() noexcept;

inline std::error_code make_error_code(pairing_errc e) noexcept {
    return {static_cast<int>(e), pairing_category()};
}

}  // namespace xfer::pairing

template <>
struct std::is_error_code_enum<xfer::pairing::pairing_errc> : std::true_type {};
