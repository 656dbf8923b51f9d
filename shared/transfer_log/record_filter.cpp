#include "shared/transfer_log/record_filter.hpp"

#include <charconv>
#include <ctime>

namespace xfer::transfer_log {
namespace {

std::optional<std::chrono::seconds> parse_age(std::string_view text) {
    if (text.size() < 2) return std::nullopt;
    uint64_t count = 0;
    const auto* end = text.data() + text.size() - 1;
    const auto [stop, ec] = std::from_chars(text.data(), end, count);
    if (ec != std::errc{} || stop != end || count > 100ull * 365 * 24 * 3600) return std::nullopt;
    switch (text.back()) {
        case 's':
            return std::chrono::seconds(count);
        case 'm':
            return std::chrono::minutes(count);
        case 'h':
            return std::chrono::hours(count);
        case 'd':
            return std::chrono::days(count);
    }
    return std::nullopt;
}

std::optional<wall_clock::time_point> parse_utc(std::string_view text) {
    std::string owned(text);
    if (owned.size() == 10) owned += "T00:00:00Z";
    if (owned.size() != 20) return std::nullopt;
    std::tm utc{};
    const char* end = ::strptime(owned.c_str(), "%Y-%m-%dT%H:%M:%SZ", &utc);
    if (end == nullptr || *end != '\0') return std::nullopt;
    return wall_clock::from_time_t(::timegm(&utc));
}

bool under(std::string_view path, std::string_view prefix) {
    while (prefix.size() > 1 && prefix.back() == '/') prefix.remove_suffix(1);
    if (path == prefix) return true;
    return path.size() > prefix.size() && path.starts_with(prefix) && path[prefix.size()] == '/';
}

}  // namespace

bool record_filter::matches(const transfer_record& record) const {
    if (since && record.ended_at < *since) return false;
    if (peer && record.peer_name != *peer && (peer->empty() || !record.peer_id.starts_with(*peer)))
        return false;
    if (path && !under(record.path, *path)) return false;
    return true;
}

std::expected<wall_clock::time_point, std::string> parse_since(std::string_view text,
                                                               wall_clock::time_point now) {
    if (const auto age = parse_age(text)) return now - *age;
    if (const auto when = parse_utc(text)) return *when;
    return std::unexpected("'" + std::string(text) +
                           "' is not a time: give an age (90s, 30m, 2h, 7d) or a UTC date "
                           "(2026-12-01, 2026-12-01T10:30:00Z)");
}

}  // namespace xfer::transfer_log
