#include "tools/xfer/cli_options.hpp"

#include <cstdio>
#include <iostream>
#include <string_view>
#include <vector>

#include "shared/core/log.hpp"
#include "shared/core/stop_signals.hpp"
#include "tools/xfer/command.hpp"

namespace xfer::cli {
parsed_options parse_command_line(int argc, char** argv, po::options_description& options,
                                  const po::positional_options_description& positionals,
                                  const std::string& usage, const std::string& examples) {
    options.add_options()
        ("help,h", "show this help")
        ("verbose,v", "more detail; -vv for debug")
        ("quiet,q", "only errors, no progress")
        ("home", po::value<std::string>()->value_name("DIR"),
         "keep xfer's own files in DIR/config, DIR/cache, DIR/state (default: the XDG dirs, ~/.config/xfer ...)");
    // -v, -vv and --verbose are counted here: Program_options has no repeatable switch.
    int verbosity = 0;
    std::vector<char*> kept{argv[0]};
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--verbose") {
            ++verbosity;
        } else if (arg.size() >= 2 && arg[0] == '-' && arg[1] == 'v' && arg.find_first_not_of('v', 1) == std::string_view::npos) {
            verbosity += static_cast<int>(arg.size() - 1);
        } else {
            kept.push_back(argv[i]);
        }
    }
    parsed_options result;
    try {
        po::store(po::command_line_parser(static_cast<int>(kept.size()), kept.data())
                      .options(options)
                      .positional(positionals)
                      .run(),
                  result.values);
        if (result.values.count("help")) {
            std::cout << "usage: " << usage << "\n\n" << options << "\nexamples:\n" << examples;
            result.exit_now = exit_ok;
            return result;
        }
        po::notify(result.values);
    } catch (const po::error& e) {
        std::fprintf(stderr, "xfer %s: %s (see 'xfer %s --help')\n", argv[0], e.what(), argv[0]);
        result.exit_now = exit_usage;
        return result;
    }
    if (result.values.count("quiet")) {
        log::set_level(log::level::error);
    } else if (verbosity > 0) {
        log::set_level(verbosity >= 2 ? log::level::debug : log::level::info);
    }
    return result;
}

const volatile int* install_stop_signal_handlers() { return request_stop_on_signal(); }

}  // namespace xfer::cli
