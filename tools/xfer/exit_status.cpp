#include "tools/xfer/exit_status.hpp"

#include "shared/core/error.hpp"
#include "shared/pairing/pairing_error.hpp"

namespace xfer::cli {
namespace {

failure_class classify_xfer(errc code) {
    switch (code) {
        case errc::not_found:
            return failure_class::not_found;
        case errc::path_escapes_root:
        case errc::sender_busy:
        case errc::peer_not_allowed:
            return failure_class::refused;
        case errc::peer_closed:
        case errc::peer_timeout:
        case errc::no_source:
        case errc::peer_not_reading:
        case errc::not_tls:
        case errc::tls_failed:
        case errc::not_authenticated:
            return failure_class::network;
        case errc::hash_mismatch:
        case errc::content_changed:
        case errc::manifest_invalid:
        case errc::content_mismatch:
        case errc::peer_banned:
            return failure_class::integrity;
        case errc::cancelled:
            return failure_class::interrupted;
        case errc::state_corrupt:
            return failure_class::local_io;
        case errc::pairing_failed:
            return failure_class::pairing;
        default:
            return failure_class::other;
    }
}

// A pairing exchange that ended without pairing: the code was wrong or no longer valid (the
// sender's own wording says which), unless the sender broke the exchange.
failure_class classify_pairing(pairing::pairing_errc code) {
    switch (code) {
        case pairing::pairing_errc::malformed_message:
        case pairing::pairing_errc::out_of_order:
            return failure_class::integrity;
        case pairing::pairing_errc::bad_code_text:
            return failure_class::usage;
        default:
            return failure_class::pairing;
    }
}

failure_class classify_errno(int value) {
    switch (value) {
        case ECONNREFUSED:
        case ECONNRESET:
        case ECONNABORTED:
        case EHOSTUNREACH:
        case ENETUNREACH:
        case ENETDOWN:
        case ETIMEDOUT:
        case EPIPE:
            return failure_class::network;
        case EEXIST:
            return failure_class::refused;
        default:
            return failure_class::local_io;  // ENOSPC, EACCES, EROFS, EIO, ...
    }
}

}  // namespace

failure_class classify(const std::error_code& error) {
    if (!error) return failure_class::other;
    if (error.category() == xfer_category()) {
        if (is_protocol_violation(error)) return failure_class::integrity;
        return classify_xfer(static_cast<errc>(error.value()));
    }
    if (error.category() == pairing::pairing_category())
        return classify_pairing(static_cast<pairing::pairing_errc>(error.value()));
    if (error.category() == std::system_category() || error.category() == std::generic_category())
        return classify_errno(error.value());
    return failure_class::other;
}

std::span<const exit_status_row> exit_status_table() {
    static constexpr exit_status_row rows[] = {
        {0, "success"},
        {1, "failed for a reason none of the statuses below names"},
        {2, "bad command line (usage error)"},
        {3, "not found: the peer does not share that path, or no peer has it"},
        {4, "network: cannot connect, connection lost, timed out, no source left"},
        {5, "integrity: data from a peer failed verification (SHA-256) or broke the protocol"},
        {6,
         "local I/O: cannot read or write a local file or directory (disk full, permission, "
         "a corrupt identity)"},
        {7,
         "refused: the peer refused (a path outside what it shares, too busy), or the output "
         "exists with other content (use --force, or --update for a tree)"},
        {8,
         "pairing failed: a wrong pairing code, or one that expired, was used already or died "
         "after too many wrong tries (xfer serve prints a new one)"},
        {130, "interrupted (Ctrl-C or SIGTERM); run the same command again to resume"},
    };
    return rows;
}

std::string_view failure_name(failure_class failure) {
    switch (failure) {
        case failure_class::usage:
            return "usage";
        case failure_class::not_found:
            return "not_found";
        case failure_class::network:
            return "network";
        case failure_class::integrity:
            return "integrity";
        case failure_class::local_io:
            return "local_io";
        case failure_class::refused:
            return "refused";
        case failure_class::interrupted:
            return "interrupted";
        case failure_class::pairing:
            return "pairing";
        case failure_class::other:
            break;
    }
    return "failed";
}

}  // namespace xfer::cli
