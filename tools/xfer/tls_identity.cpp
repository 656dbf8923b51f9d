#include "tools/xfer/tls_identity.hpp"

#include "shared/core/log.hpp"
#include "shared/identity/identity_store.hpp"
#include "shared/tls/kernel_tls.hpp"
#include "tools/xfer/home_option.hpp"

namespace xfer::cli {

std::expected<std::shared_ptr<const tls::tls_context>, std::string> local_tls_context(
    const boost::program_options::variables_map& values) {
    auto identity = identity::load_or_create_identity(home_from(values).config);
    if (!identity) return std::unexpected(identity.error());
    auto context = tls::tls_context::make(identity->key.get(), identity->certificate.get());
    if (!context) return std::unexpected(context.error());
    XLOG_INFO(
        "tls", "",
        "peer ID " << identity::format_peer_id(identity->id) << "; " << tls::tls_path_summary());
    return context;
}

}  // namespace xfer::cli
