#include "shared/core/error.hpp"

#include <cerrno>

namespace xfer {
namespace {

// One line each, for the user (after "what: "); codes not listed are "unknown xfer error".
struct error_text {
    errc code;
    const char* text;
};
constexpr error_text error_texts[] = {
    {errc::ok, "success"},
    {errc::frame_too_large, "frame exceeds the size limit"},
    {errc::frame_truncated, "message truncated"},
    {errc::unknown_message, "unknown message type"},
    {errc::malformed_message, "malformed message"},
    {errc::bad_protocol, "peer does not speak the xfer protocol"},
    {errc::version_mismatch, "unsupported protocol version"},
    {errc::unexpected_message, "unexpected message"},
    {errc::not_found, "not shared by that peer"},
    {errc::path_escapes_root, "path leaves the shared directory"},
    {errc::content_changed, "file changed on the source during the transfer"},
    {errc::piece_unavailable, "peer does not have that piece"},
    {errc::hash_mismatch, "piece failed SHA-256 verification"},
    {errc::manifest_invalid, "invalid manifest"},
    {errc::content_mismatch, "source has a different version of the file"},
    {errc::peer_closed, "peer closed the connection"},
    {errc::peer_timeout, "peer stalled (timeout)"},
    {errc::peer_banned, "peer banned for sending bad data"},
    {errc::no_source, "no source can supply the missing pieces"},
    {errc::cancelled, "cancelled"},
    {errc::state_corrupt, "resume state is corrupt"},
    {errc::peer_not_reading, "peer does not read what it asked for"},
    {errc::sender_busy, "sender is busy; try again later"},
    {errc::tree_path_invalid, "tree entry path is not a clean relative path"},
    {errc::tree_entry_order, "tree entries are out of order or listed twice"},
    {errc::tree_parent_missing, "tree entry's parent directory is not listed"},
    {errc::tree_parent_not_directory, "tree entry lies under a file"},
    {errc::tree_path_through_symlink, "tree entry lies under a symlink"},
    {errc::tree_symlink_escapes, "symlink target is absolute or leaves the tree"},
    {errc::tree_entry_invalid, "tree entry has an invalid kind, mode, size or target"},
    {errc::tree_too_large, "tree exceeds the entry, depth or size limits"},
    {errc::not_tls,
     "did not answer the TLS handshake (not an xfer peer, or an xfer older than 0.2)"},
    {errc::tls_failed, "TLS handshake failed"},
    {errc::not_authenticated, "the connection proves no peer identity (not TLS)"},
    {errc::peer_not_allowed, "peer not allowed"},
    {errc::manifest_stream_invalid,
     "manifest hashes out of order, repeated or past the piece count"},
    {errc::manifest_root_mismatch, "the streamed manifest's content id is not the one asked for"},
    {errc::pairing_failed, "pairing failed (wrong pairing code)"},
    {errc::closed_before_speaking, "the peer closed the connection before sending anything"},
};

class xfer_error_category final : public std::error_category {
  public:
    const char* name() const noexcept override { return "xfer"; }

    std::string message(int value) const override {
        for (const auto& entry : error_texts)
            if (static_cast<int>(entry.code) == value) return entry.text;
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
