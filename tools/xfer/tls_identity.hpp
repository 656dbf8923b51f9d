// This installation's identity (CONFIG/identity, made on first use) as the TLS context of every
// peer connection a command opens or accepts.
#pragma once

#include <boost/program_options.hpp>
#include <expected>
#include <memory>
#include <string>

#include "shared/tls/tls_context.hpp"

namespace xfer::cli {

// Loads or creates the identity under --home / XDG config and builds the TLS context from it;
// -v says once which peer ID and which TLS path this process uses. Errors name the file.
std::expected<std::shared_ptr<const tls::tls_context>, std::string> local_tls_context(
    const boost::program_options::variables_map& values);

}  // namespace xfer::cli
