#include "receiver/byte_range.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace xfer::receiver {
namespace {

std::expected<range_bound, std::string> parse_bound(std::string_view text, range_bound fallback) {
    if (text.empty()) return fallback;
    range_bound bound;
    if (text.back() == '%') {
        bound.percent = true;
        text.remove_suffix(1);
    }
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), bound.value);
    // from_chars accepts "nan" and "inf": neither is a position in a file.
    if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(bound.value) ||
        bound.value < 0 || (bound.percent && bound.value > 100)) {
        return std::unexpected("bad range bound '" + std::string(text) + "'");
    }
    return bound;
}

// A bound as a byte position, rounded outwards (a start down, an end up) so that every byte the
// user asked for lies in a fetched piece. Clamped to the file while still a double: a byte
// count beyond 2^64 cannot be converted to an integer.
uint64_t to_bytes(const range_bound& bound, uint64_t file_size, bool round_up) {
    const double size = static_cast<double>(file_size);
    const double position =
        std::min(bound.percent ? bound.value * size / 100.0 : bound.value, size);
    const double rounded = round_up ? std::ceil(position) : std::floor(position);
    return std::min(static_cast<uint64_t>(rounded), file_size);
}

}  // namespace

std::expected<byte_range, std::string> parse_byte_range(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos)
        return std::unexpected("range must be START:END, e.g. 0:50%");
    auto start = parse_bound(text.substr(0, colon), range_bound{0, false});
    if (!start) return std::unexpected(start.error());
    auto end = parse_bound(text.substr(colon + 1), range_bound{100, true});
    if (!end) return std::unexpected(end.error());
    if (start->percent == end->percent && start->value >= end->value) {
        return std::unexpected("empty range '" + std::string(text) + "'");
    }
    return byte_range{*start, *end};
}

piece_span to_pieces(const byte_range& range, uint64_t file_size, uint32_t piece_size) {
    const uint64_t start = to_bytes(range.start, file_size, /*round_up=*/false);
    const uint64_t end = std::max(start, to_bytes(range.end, file_size, /*round_up=*/true));
    piece_span span;
    span.first = static_cast<uint32_t>(start / piece_size);
    span.last = static_cast<uint32_t>((end + piece_size - 1) / piece_size);
    return span;
}

uint64_t verified_bytes(const content_entry& entry, const piece_span& span) {
    uint64_t verified = 0;
    for (uint32_t piece = span.first; piece < span.last; ++piece) {
        if (entry.have.test(piece)) verified += entry.manifest.piece_length(piece);
    }
    return verified;
}

}  // namespace xfer::receiver
