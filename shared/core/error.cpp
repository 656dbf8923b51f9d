#include "shared/core/error.hpp"

#include <cerrno>

namespace xfer {
namespace {

class xfer_error_category final : public std::error_category {
  public:
    const char* name() const noexcept override { return "xfer"; }

    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
            case errc::ok:
                return "success";
            case errc::frame_too_large:
                return "frame exceeds the size limit";
            case errc::frame_truncated:
                return "message truncated";
            case errc::unknown_message:
                return "unknown message type";
            case errc::malformed_message:
                return "malformed message";
            case errc::bad_protocol:
                return "peer does not speak the xfer protocol";
            case errc::version_mismatch:
                return "unsupported protocol version";
            case errc::unexpected_message:
                return "unexpected message";
            case errc::not_found:
                return "not shared by that peer";
            case errc::path_escapes_root:
                return "path leaves the shared directory";
            case errc::content_changed:
                return "file changed on the source during the transfer";
            case errc::piece_unavailable:
                return "peer does not have that piece";
            case errc::hash_mismatch:
                return "piece failed SHA-256 verification";
            case errc::manifest_invalid:
                return "invalid manifest";
            case errc::content_mismatch:
                return "source has a different version of the file";
            case errc::peer_closed:
                return "peer closed the connection";
            case errc::peer_timeout:
                return "peer stalled (timeout)";
            case errc::peer_banned:
                return "peer banned for sending bad data";
            case errc::no_source:
                return "no source can supply the missing pieces";
            case errc::cancelled:
                return "cancelled";
            case errc::state_corrupt:
                return "resume state is corrupt";
            case errc::peer_not_reading:
                return "peer does not read what it asked for";
            case errc::sender_busy:
                return "sender is busy; try again later";
            case errc::tree_path_invalid:
                return "tree entry path is not a clean relative path";
            case errc::tree_entry_order:
                return "tree entries are out of order or listed twice";
            case errc::tree_parent_missing:
                return "tree entry's parent directory is not listed";
            case errc::tree_parent_not_directory:
                return "tree entry lies under a file";
            case errc::tree_path_through_symlink:
                return "tree entry lies under a symlink";
            case errc::tree_symlink_escapes:
                return "symlink target is absolute or leaves the tree";
            case errc::tree_entry_invalid:
                return "tree entry has an invalid kind, mode, size or target";
            case errc::tree_too_large:
                return "tree exceeds the entry, depth or size limits";
            case errc::not_tls:
                return "did not answer the TLS handshake (not an xfer peer, or an xfer older than "
                       "0.2)";
            case errc::tls_failed:
                return "TLS handshake failed";
            case errc::not_authenticated:
                return "the connection proves no peer identity (not TLS)";
            case errc::peer_not_allowed:
                return "peer not allowed";
            case errc::manifest_stream_invalid:
                return "manifest hashes out of order, repeated or past the piece count";
            case errc::manifest_root_mismatch:
                return "the streamed manifest's content id is not the one asked for";
            case errc::pairing_failed:
                return "pairing failed (wrong pairing code)";
            case errc::closed_before_speaking:
                return "the peer closed the connection before sending anything";
        }
        return "unknown xfer error";
    }
};

}  // namespace

const std::error_category& xfer_category() noexcept {
    static const xfer_error_category category;
    return category;
}

bool is_protocol_violation(const std::error_code& ec) noexcept {
    if (ec.category() != xfer_category()) return false;
    switch (static_cast<errc>(ec.value())) {
        case errc::frame_too_large:
        case errc::frame_truncated:
        case errc::unknown_message:
        case errc::malformed_message:
        case errc::bad_protocol:
        case errc::version_mismatch:
        case errc::unexpected_message:
        case errc::manifest_invalid:
        case errc::content_mismatch:
        case errc::tree_path_invalid:
        case errc::tree_entry_order:
        case errc::tree_parent_missing:
        case errc::tree_parent_not_directory:
        case errc::tree_path_through_symlink:
        case errc::tree_symlink_escapes:
        case errc::tree_entry_invalid:
        case errc::tree_too_large:
        case errc::not_tls:
        case errc::tls_failed:
        case errc::not_authenticated:
        case errc::manifest_stream_invalid:
        case errc::manifest_root_mismatch:
            return true;
        default:
            return false;
    }
}

std::error_code last_system_error() noexcept {
    return {errno, std::system_category()};
}

}  // namespace xfer
