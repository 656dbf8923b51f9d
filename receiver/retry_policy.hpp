// Whether a source whose connection failed is asked again later (with backoff, within the
// attempts budget: source_retries.hpp) or never again in this fetch. Pure.
//
// Never again: ourselves or a peer we already pull from (errc::cancelled), a protocol violation,
// a sender whose policy refused us, and a discovered peer that does not share the tree asked for.
// Except: a source found by discovery or PEERS that hangs up during the TLS handshake
// (errc::not_tls, a close before any TLS record) is asked again. A sender at its connection limit
// closes what it cannot admit right after accept, which looks just like a plaintext xfer from
// before 0.2 hanging up; a discovered source announced itself as an xfer peer, so it is the former
// (issue 13: a refused receiver never came back to that sender); but only max_handshake_hangups
// times in a row, so an impostor in discovery costs ~1.5 s of backoff, not 30 attempts. A source
// named on the command line still fails at once, saying it may be too old.
#pragma once

#include <system_error>

#include "shared/core/error.hpp"

namespace xfer::receiver {

inline constexpr int max_handshake_hangups = 4;

// `attempts`: connection attempts to this source since it last delivered a block. `tree_by_path`:
// the fetch asks for DIR/, which discovery cannot see in a record (peer_finder.cpp: any peer that
// may hold it is tried), so a discovered peer that does not share it is not asked again.
inline bool never_ask_again(const std::error_code& ec, bool discovered, int attempts,
                            bool tree_by_path = false) {
    if (ec == make_error_code(errc::cancelled) || ec == make_error_code(errc::peer_not_allowed))
        return true;
    if (discovered && tree_by_path && ec == make_error_code(errc::not_found)) return true;
    if (discovered && ec == make_error_code(errc::not_tls))
        return attempts >= max_handshake_hangups;
    return is_protocol_violation(ec);
}

}  // namespace xfer::receiver
