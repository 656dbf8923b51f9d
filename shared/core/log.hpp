// One small logging facility: a level, the component and (where there is one) the peer in every
// line, and nothing formatted when the level is off. Quiet by default (errors only); -v raises it.
//
//   XLOG_INFO("receiver", peer_label, "piece " << piece_index << " verified");
#pragma once

#include <atomic>
#include <sstream>
#include <string_view>

namespace xfer::log {

enum class level : int { error = 0, warn = 1, info = 2, debug = 3 };

// Process-wide threshold; lines above it are not even formatted.
inline std::atomic<int> threshold{static_cast<int>(level::warn)};

inline bool enabled(level lvl) {
    return static_cast<int>(lvl) <= threshold.load(std::memory_order_relaxed);
}
void set_level(level lvl);

// Writes one whole line to stderr (a single write, so threads do not interleave).
void write_line(level lvl, std::string_view component, std::string_view peer,
                std::string_view text);

}  // namespace xfer::log

#define XLOG_AT(lvl, component, peer, expr)                                    \
    do {                                                                       \
        if (::xfer::log::enabled(lvl)) {                                       \
            std::ostringstream xlog_stream_;                                   \
            xlog_stream_ << expr;                                              \
            ::xfer::log::write_line(lvl, component, peer, xlog_stream_.str()); \
        }                                                                      \
    } while (0)

#define XLOG_ERROR(component, peer, expr) XLOG_AT(::xfer::log::level::error, component, peer, expr)
#define XLOG_WARN(component, peer, expr) XLOG_AT(::xfer::log::level::warn, component, peer, expr)
#define XLOG_INFO(component, peer, expr) XLOG_AT(::xfer::log::level::info, component, peer, expr)
#define XLOG_DEBUG(component, peer, expr) XLOG_AT(::xfer::log::level::debug, component, peer, expr)
