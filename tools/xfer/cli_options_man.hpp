// xfer(1) in roff, made from the same command_specs as --help (run at build time as the
// hidden `xfer --man`), so the installed man page cannot drift from the options.
#pragma once

#include <string>
#include <vector>

#include "tools/xfer/cli_options.hpp"

namespace xfer::cli {

std::string man_page(const std::vector<command_spec>& specs);

}  // namespace xfer::cli
