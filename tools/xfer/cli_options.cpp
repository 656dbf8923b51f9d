#include "tools/xfer/cli_options.hpp"

#include <csignal>
#include <cstdio>
#include <iostream>

#include "shared/core/log.hpp"
#include "tools/xfer/command.hpp"

namespace xfer::cli {
namespace {

volatile sig_atomic_t stop_requested = 0;

void on_stop_signal(int) { stop_requested = 1; }

}  // namespace

parsed_options parse_command_line(int argc, char** argv, po::options_description& options,
                                  const po::positional_options_description& positionals,
                                  const std::string& usage, const std::string& examples) {
    options.add_options()
        ("help,h", "show this help")
        ("verbose,v", po::value<std::vector<bool>>()->zero_tokens()->composing(), "more detail (repeat for debug)")
        ("quiet,q", "only errors, no progress");
    parsed_options result;
    try {
        po::store(po::command_line_parser(argc, argv).options(options).positional(positionals).run(),
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
    } else if (result.values.count("verbose")) {
        const auto count = result.values["verbose"].as<std::vector<bool>>().size();
        log::set_level(count >= 2 ? log::level::debug : log::level::info);
    }
    return result;
}

const volatile int* install_stop_signal_handlers() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
    return reinterpret_cast<const volatile int*>(&stop_requested);
}

}  // namespace xfer::cli
