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
            case errc::not_tls:
                return "did not answer the TLS handshake (not an xfer peer, or an xfer older than "
                       "0.2)";
            case errc::tls_failed:
                return "TLS handshake failed";
            case errc::not_authenticated:
                return "the connection proves no peer identity (not TLS)";
            case errc::peer_not_allowed:
                return "peer not allowed";
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
        case errc::not_tls:
        case errc::tls_failed:
        case errc::not_authenticated:
            return true;
        default:
            return false;
    }
}

std::error_code last_system_error() noexcept {
    return {errno, std::system_category()};
}

}  // namespace xfer
