// Shared command-line plumbing for the subcommands (Boost.Program_options). Each subcommand
// describes itself once in a command_spec (positionals by the names the user sees, options,
// examples); --help, the errors and the man page (xfer --man) are all made from that.
#pragma once

#include <boost/program_options.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xfer::cli {

namespace po = boost::program_options;

struct positional_arg {
    std::string name;  // as the user sees it in usage and errors: "DIR", "SOURCE", "PATH"
    std::string help;  // one line, for --help and the man page
    bool required = true;
    // Shown without [brackets] in usage even when optional: SOURCE of fetch, which only
    // --tracker/--lan make optional (their usage lines say so).
    bool looks_required = false;
    // The last positional only: takes every argument left (usage shows "PATH..."); all of them
    // are in parsed_options::repeated, the first also in args.
    bool repeatable = false;
};

struct command_spec {
    std::string name;     // "fetch"
    std::string summary;  // one line: `xfer --help` and the man page
    std::vector<positional_arg> positionals;
    std::string
        usage_tail;  // after the positionals in the usage line: "[options]" or "[-o DIR]..."
    std::string more_usage;  // further usage lines, without "usage:" (may be empty)
    std::string notes;       // paragraph after the options in --help (may be empty)
    std::string examples;    // "  xfer fetch HOST FILE    # what it does\n" lines
    void (*add_options)(po::options_description&) = nullptr;  // the command's own options
};

// "xfer fetch SOURCE PATH [-o DIR] ...": the first line of --help and the man page.
std::string usage_line(const command_spec& spec);
// "xfer fetch SOURCE PATH [options]": what errors print after "usage:".
std::string short_usage(const command_spec& spec);

// Options every command takes (-h, -v, -q, --home); the man page lists them once.
void add_common_options(po::options_description& options);

// The command's options and the common ones, as --help shows them.
po::options_description visible_options(const command_spec& spec);

struct parsed_options {
    po::variables_map values;
    std::map<std::string, std::string> args;  // positionals by name ("DIR"); absent if not given
    std::vector<std::string> repeated;        // every value of the repeatable positional
    std::optional<int> exit_now;  // set when --help was printed or the command line was bad

    bool has(const std::string& name) const { return args.contains(name); }
    const std::string& arg(const std::string& name) const { return args.at(name); }
};

// Parses argv (argv[0] is the command name) against spec, applies -v/-q to the log level. On
// --help prints usage, options and examples to stdout; on a bad command line prints one line
// in the user's words to stderr ("xfer serve: missing DIR (usage: xfer serve DIR [options])",
// "unknown option --lisen (did you mean --listen?)"). Either way exit_now says how to end.
// Optional positionals are filled only when there are more arguments than required ones.
parsed_options parse_command_line(int argc, char** argv, const command_spec& spec);

// Prints "xfer NAME: MESSAGE (usage: ...)" to stderr and returns exit_usage.
int usage_error(const command_spec& spec, const std::string& message);

// The candidate closest to `word` when it is close enough to be a typo ("lisen" -> "listen").
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

// From now on SIGINT/SIGTERM set a flag rather than exit (shared/core/stop_signals.hpp); returns
// it.
const volatile int* install_stop_signal_handlers();

}  // namespace xfer::cli
