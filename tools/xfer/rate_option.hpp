// RATE for --limit-up and --limit-down, in bytes per second: "500K", "10M", "1.5G", "2.5MiB/s",
// "20MB", "100mbit". K, M, G, T alone are powers of 1024, as in curl and rsync; KiB/MiB/GiB/TiB
// say the same explicitly; KB/MB/GB/TB are powers of 1000; kbit/mbit/gbit are 1000^n bits
// (divided by 8). A trailing "/s" is allowed. Letters are case-insensitive.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "tools/xfer/cli_options.hpp"

namespace xfer::cli {

// Bytes per second (1 .. token_bucket::max_rate), or one line that says what is wrong with
// `text` and shows the accepted forms.
std::expected<uint64_t, std::string> parse_rate(std::string_view text);

// --limit-up / --limit-down: RATE, for options of every command that has them.
void add_limit_option(po::options_description& options, const char* name, const char* help);
// The option's rate (0 when it was not given), or "--NAME: 'x' is not a rate (...)".
std::expected<uint64_t, std::string> rate_option(const po::variables_map& values,
                                                 const std::string& name);

}  // namespace xfer::cli
