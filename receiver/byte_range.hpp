// `--range START:END`: part of a file, in bytes or percent, rounded out to whole pieces.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "shared/store/content_entry.hpp"

namespace xfer::receiver {

struct range_bound {
    double value = 0;
    bool percent = false;
};

struct byte_range {
    range_bound start;
    range_bound end{100, true};
};

// "0:50%", "50%:100%", "0:1048576", ":50%" (from the start), "50%:" (to the end).
std::expected<byte_range, std::string> parse_byte_range(std::string_view text);

struct piece_span {
    uint32_t first = 0;  // first piece included
    uint32_t last = 0;   // one past the last piece included
};
piece_span to_pieces(const byte_range& range, uint64_t file_size, uint32_t piece_size);

// Bytes of the pieces in `span` that `entry` holds verified.
uint64_t verified_bytes(const content_entry& entry, const piece_span& span);

}  // namespace xfer::receiver
