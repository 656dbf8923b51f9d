// Human-readable sizes, rates and durations for the command line.
#pragma once

#include <cstdint>
#include <string>

namespace xfer::cli {

std::string format_bytes(double bytes);       // "1.00 GiB", "512 KiB", "12 B"
std::string format_rate(double bytes_per_s);  // "1.08 GiB/s"
std::string format_seconds(double seconds);   // "0.93 s", "2m05s"

}  // namespace xfer::cli
