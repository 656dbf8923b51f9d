// Human-readable sizes, rates and durations for the command line, and fitting text to a
// terminal's width.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace xfer::cli {

std::string format_bytes(double bytes);       // "1.00 GiB", "512 KiB", "12 B"
std::string format_rate(double bytes_per_s);  // "1.08 GiB/s"
std::string format_seconds(double seconds);   // "0.93 s", "2m05s"
// "1 file", "2 files"; `plural` where the noun does not just take an "s".
std::string count_of(uint64_t count, std::string_view noun, std::string_view plural = {});

// Columns `text` takes on a terminal: one per UTF-8 code point (wide CJK glyphs are rare in
// file and peer names; they would count as one).
size_t display_columns(std::string_view text);
// `text` cut to at most `columns` columns, never splitting a UTF-8 sequence; a cut text ends
// in '~' so the reader sees it was shortened.
std::string fit_columns(std::string_view text, size_t columns);
// `text` right-aligned (padded on the left) or left-aligned (padded on the right) to `columns`.
std::string pad_left(std::string_view text, size_t columns);
std::string pad_right(std::string_view text, size_t columns);

}  // namespace xfer::cli
