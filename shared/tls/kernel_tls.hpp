// Whether this kernel can take over TLS record encryption (the `tls` upper-layer protocol,
// CONFIG_TLS, usually a module): then OpenSSL (SSL_OP_ENABLE_KTLS) hands it the keys after the
// handshake and SSL_sendfile sends file data without copying it through user space. Each
// connection still checks BIO_get_ktls_send, which is the real answer; this is what -v reports
// once per process.
#pragma once

#include <string>

namespace xfer::tls {

// "tls" is listed in /proc/sys/net/ipv4/tcp_available_ulp (loaded now, or built in).
bool kernel_tls_available();

// One line for -v: "TLS 1.3 (AES-GCM first); kernel TLS available" or "...not available
// (the kernel has no `tls` module loaded): user-space encryption".
std::string tls_path_summary();

}  // namespace xfer::tls
