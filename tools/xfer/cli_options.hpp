// Shared command-line plumbing for the subcommands (Boost.Program_options).
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <string>

namespace xfer::cli {

namespace po = boost::program_options;

struct parsed_options {
    po::variables_map values;
    std::optional<int> exit_now;  // set when --help was printed or the command line was bad
};

// Adds -h/--help, -v/--verbose (repeatable), -q/--quiet and --home DIR to `options`, parses argv against
// them and the positionals, and applies the log level. On --help prints "usage" + options +
// "examples" to stdout; on a bad command line prints one line to stderr. Either way exit_now
// says how the command should end.
parsed_options parse_command_line(int argc, char** argv, po::options_description& options,
                                  const po::positional_options_description& positionals,
                                  const std::string& usage, const std::string& examples);

// From now on SIGINT/SIGTERM set a flag rather than exit (shared/core/stop_signals.hpp); returns it.
const volatile int* install_stop_signal_handlers();

}  // namespace xfer::cli
