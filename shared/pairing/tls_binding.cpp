#include "shared/pairing/tls_binding.hpp"

#include <cstring>

namespace xfer::pairing {

std::expected<channel_binding, std::string> tls_channel_binding(
    SSL* ssl, const identity::peer_id& initiator_id, const identity::peer_id& responder_id) {
    if (!SSL_is_init_finished(ssl)) {
        return std::unexpected("pairing needs a completed TLS handshake");
    }
    // Exporters of earlier versions are weaker (no binding to the full handshake in TLS 1.2
    // without extended master secret): refuse rather than bind to them.
    if (SSL_version(ssl) != TLS1_3_VERSION) return std::unexpected("pairing needs TLS 1.3");
    channel_binding binding;
    binding.initiator_id = initiator_id;
    binding.responder_id = responder_id;
    if (SSL_export_keying_material(ssl, binding.tls_exporter.data(), binding.tls_exporter.size(),
                                   exporter_label, std::strlen(exporter_label), nullptr, 0,
                                   0) != 1) {
        return std::unexpected("the TLS session cannot export keying material");
    }
    return binding;
}

}  // namespace xfer::pairing
