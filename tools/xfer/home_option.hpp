// --home DIR, the option every subcommand takes (added by parse_command_line): where xfer keeps
// its own files for this run (see shared/core/xfer_home.hpp).
#pragma once

#include <boost/program_options.hpp>

#include "shared/core/xfer_home.hpp"

namespace xfer::cli {

// xfer's directories for this command line. Throws std::runtime_error (shown as one line by
// main) when no home can be found.
xfer_home home_from(const boost::program_options::variables_map& values);

}  // namespace xfer::cli
