#include "shared/tls/kernel_tls.hpp"

#include <fstream>
#include <sstream>

namespace xfer::tls {

bool kernel_tls_available() {
    std::ifstream ulps("/proc/sys/net/ipv4/tcp_available_ulp");
    std::string name;
    while (ulps >> name) {
        if (name == "tls") return true;
    }
    return false;
}

std::string tls_path_summary() {
    return kernel_tls_available()
               ? "TLS 1.3 (AES-GCM first); kernel TLS available: file data goes out with "
                 "SSL_sendfile where OpenSSL enables it"
               : "TLS 1.3 (AES-GCM first); kernel TLS not available (no `tls` module loaded): "
                 "user-space encryption";
}

}  // namespace xfer::tls
