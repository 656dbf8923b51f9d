// How a command ends when something fails, the same for every command: one line on stderr
// ("xfer ls: 127.0.0.1:7420: connection refused", made safe: it may quote a peer), with --json
// also an error event on stdout, and the exit status of the failure's class.
#pragma once

#include <string_view>

#include "tools/xfer/cli_options.hpp"
#include "tools/xfer/exit_status.hpp"

namespace xfer::cli {

// --json, for the commands that have it.
void add_json_option(po::options_description& options);
bool json_requested(const po::variables_map& values);

// Prints the failure as described above and returns its exit status.
int report_failure(std::string_view command, failure_class failure, std::string_view message,
                   bool json);
// The same for one PATH of a fetch: the error event also says which ("path").
int report_failure(std::string_view command, failure_class failure, std::string_view message,
                   bool json, std::string_view path);

}  // namespace xfer::cli
