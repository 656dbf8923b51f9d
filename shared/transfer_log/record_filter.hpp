// Which records `xfer log` shows: --since, --peer, --path. Pure (`now` passed in).
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "shared/transfer_log/transfer_record.hpp"

namespace xfer::transfer_log {

struct record_filter {
    std::optional<wall_clock::time_point> since{};
    std::optional<std::string> peer{};  // a peer name (exact) or the start of a peer ID
    std::optional<std::string> path{};  // the path, or a directory under ("isos" or "isos/")

    bool matches(const transfer_record& record) const;
};

// "90s", "30m", "2h", "7d" before `now`, or a UTC date or time: "2026-12-01",
// "2026-12-01T10:30:00Z". The error is one sentence naming what was expected.
std::expected<wall_clock::time_point, std::string> parse_since(std::string_view text,
                                                               wall_clock::time_point now);

}  // namespace xfer::transfer_log
