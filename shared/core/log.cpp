#include "shared/core/log.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "shared/core/safe_text.hpp"

namespace xfer::log {

void set_level(level lvl) {
    threshold.store(static_cast<int>(lvl), std::memory_order_relaxed);
}

void write_line(level lvl, std::string_view component, std::string_view peer,
                std::string_view text) {
    static const auto start = std::chrono::steady_clock::now();
    static constexpr const char* names[] = {"error", "warn", "info", "debug"};
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char prefix[64];
    std::snprintf(prefix, sizeof prefix, "[%8.3f %-5s] ", seconds, names[static_cast<int>(lvl)]);
    std::string line = prefix;
    line.append(component);
    // Log lines quote what peers send (errors, names, paths): never raw on the terminal.
    if (!peer.empty()) line.append(" ").append(safe_text(peer));
    line.append(": ").append(safe_text(text)).append("\n");
    // One write per line keeps lines whole when several threads log at once.
    [[maybe_unused]] auto written = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace xfer::log
