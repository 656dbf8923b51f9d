// --site LABEL on serve and fetch: the segment (rack, room, switch) this peer is on. Peers say it
// in their HELLO; a fetch prefers sources of its own site, and a sender spreads pieces so each
// site gets each piece about once from it (receiver/site_preference.hpp, sender/site_fanout.hpp).
#pragma once

#include <expected>
#include <string>

#include "tools/xfer/cli_options.hpp"

namespace xfer::cli {

void add_site_option(po::options_description& options);
// The label ("" when not given), or "--site: ..." saying what is wrong with it.
std::expected<std::string, std::string> site_option(const po::variables_map& values);

}  // namespace xfer::cli
