#include "receiver/byte_range.hpp"

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
    if (ec != std::errc{} || end != text.data() + text.size() || bound.value < 0 ||
        (bound.percent && bound.value > 100)) {
        return std::unexpected("bad range bound '" + std::string(text) + "'");
    }
    return bound;
}

uint64_t to_bytes(const range_bound& bound, uint64_t file_size) {
    if (bound.percent) return static_cast<uint64_t>(std::llround(bound.value / 100.0 * static_cast<double>(file_size)));
    return std::min<uint64_t>(static_cast<uint64_t>(bound.value), file_size);
}

}  // namespace

std::expected<byte_range, std::string> parse_byte_range(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return std::unexpected("range must be START:END, e.g. 0:50%");
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
    const uint64_t start = to_bytes(range.start, file_size);
    const uint64_t end = std::max(start, to_bytes(range.end, file_size));
    piece_span span;
    span.first = static_cast<uint32_t>(start / piece_size);
    span.last = static_cast<uint32_t>((end + piece_size - 1) / piece_size);
    return span;
}

}  // namespace xfer::receiver
