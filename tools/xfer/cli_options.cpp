#include "tools/xfer/cli_options.hpp"

#include <cstdio>
#include <iostream>
#include <string_view>
#include <vector>

#include "shared/core/log.hpp"
#include "shared/core/stop_signals.hpp"
#include "tools/xfer/command.hpp"

namespace xfer::cli {
namespace {

// Every positional lands in this hidden option; they are handed out by name afterwards, so no
// internal option name ever shows in help or errors.
constexpr const char* positional_key = "xfer-positional-arguments";

std::vector<std::string> long_option_names(const po::options_description& options) {
    std::vector<std::string> names;
    for (const auto& option : options.options()) {
        if (!option->long_name().empty() && option->long_name() != positional_key)
            names.push_back("--" + option->long_name());
    }
    return names;
}

// A Program_options error in the user's words.
std::string explain(const po::error& error, const po::options_description& options) {
    if (const auto* unknown = dynamic_cast<const po::unknown_option*>(&error)) {
        const auto name = unknown->get_option_name();
        std::string message = "unknown option " + name;
        if (name.starts_with("--")) {
            if (const auto near = closest_match(name, long_option_names(options)))
                message += " (did you mean " + *near + "?)";
        }
        return message;
    }
    if (const auto* syntax = dynamic_cast<const po::invalid_command_line_syntax*>(&error)) {
        if (syntax->kind() == po::invalid_syntax::missing_parameter)
            return syntax->get_option_name() + " needs a value";
    }
    if (const auto* value = dynamic_cast<const po::invalid_option_value*>(&error)) {
        return value->get_option_name() + ": not a valid value (" + value->what() + ")";
    }
    return error.what();
}

void print_help(const command_spec& spec) {
    std::cout << "usage: " << usage_line(spec) << "\n";
    if (!spec.more_usage.empty()) std::cout << spec.more_usage;
    std::cout << "\n" << spec.summary << "\n";
    if (!spec.positionals.empty()) {
        std::cout << "\narguments:\n";
        for (const auto& arg : spec.positionals) {
            std::cout << "  " << arg.name
                      << std::string(arg.name.size() < 22 ? 22 - arg.name.size() : 1, ' ')
                      << arg.help << "\n";
        }
    }
    std::cout << "\n" << visible_options(spec);
    if (!spec.notes.empty()) std::cout << "\n" << spec.notes;
    std::cout << "\nexamples:\n" << spec.examples;
}

// Required positionals first in line; an optional one is filled only if there are more
// arguments than required ones. Returns an error message, or "" when all is well.
std::string hand_out_positionals(const command_spec& spec, const std::vector<std::string>& given,
                                 parsed_options& result) {
    size_t required = 0;
    for (const auto& arg : spec.positionals) required += arg.required ? 1 : 0;
    size_t spare = given.size() > required ? given.size() - required : 0;
    size_t next = 0;
    for (const auto& arg : spec.positionals) {
        if (!arg.required) {
            if (spare == 0) continue;
            --spare;
        }
        if (next == given.size()) return "missing " + arg.name;
        result.args[arg.name] = given[next];
        if (arg.repeatable) {
            result.repeated.assign(given.begin() + static_cast<std::ptrdiff_t>(next), given.end());
            next = given.size();
        } else {
            ++next;
        }
    }
    if (next < given.size()) return "unexpected argument '" + given[next] + "'";
    return {};
}

}  // namespace

std::string short_usage(const command_spec& spec) {
    std::string line = "xfer " + spec.name;
    for (const auto& arg : spec.positionals) {
        const auto name = arg.name + (arg.repeatable ? "..." : "");
        line += " " + (arg.required || arg.looks_required ? name : "[" + name + "]");
    }
    return line + " [options]";
}

std::string usage_line(const command_spec& spec) {
    if (spec.usage_tail.empty()) return short_usage(spec);
    auto line = short_usage(spec);
    return line.substr(0, line.size() - std::string_view("[options]").size()) + spec.usage_tail;
}

void add_common_options(po::options_description& options) {
    options.add_options()("help,h", "show this help")("verbose,v", "more detail; -vv for debug")(
        "quiet,q", "print nothing but errors (no progress, no summary)")(
        "home", po::value<std::string>()->value_name("DIR"),
        "keep xfer's own files in DIR/config, DIR/cache, DIR/state (default: the XDG dirs, "
        "~/.config/xfer ...)");
}

po::options_description visible_options(const command_spec& spec) {
    po::options_description options("options");
    if (spec.add_options) spec.add_options(options);
    add_common_options(options);
    return options;
}

int usage_error(const command_spec& spec, const std::string& message) {
    std::fprintf(stderr, "xfer %s: %s (usage: %s)\n", spec.name.c_str(), message.c_str(),
                 short_usage(spec).c_str());
    return exit_usage;
}

parsed_options parse_command_line(int argc, char** argv, const command_spec& spec) {
    auto options = visible_options(spec);
    po::options_description all;
    all.add(options).add_options()(positional_key, po::value<std::vector<std::string>>());
    po::positional_options_description positionals;
    positionals.add(positional_key, -1);
    // -v, -vv and --verbose are counted here: Program_options has no repeatable switch.
    int verbosity = 0;
    std::vector<char*> kept{argv[0]};
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--verbose") {
            ++verbosity;
        } else if (arg.size() >= 2 && arg[0] == '-' && arg[1] == 'v' &&
                   arg.find_first_not_of('v', 1) == std::string_view::npos) {
            verbosity += static_cast<int>(arg.size() - 1);
        } else {
            kept.push_back(argv[i]);
        }
    }
    parsed_options result;
    try {
        po::store(po::command_line_parser(static_cast<int>(kept.size()), kept.data())
                      .options(all)
                      .positional(positionals)
                      .run(),
                  result.values);
        if (result.values.count("help")) {
            print_help(spec);
            result.exit_now = exit_ok;
            return result;
        }
        po::notify(result.values);
    } catch (const po::error& e) {
        result.exit_now = usage_error(spec, explain(e, options));
        return result;
    }
    const auto given = result.values.count(positional_key)
                           ? result.values[positional_key].as<std::vector<std::string>>()
                           : std::vector<std::string>{};
    if (const auto problem = hand_out_positionals(spec, given, result); !problem.empty()) {
        result.exit_now = usage_error(spec, problem);
        return result;
    }
    if (result.values.count("quiet")) {
        log::set_level(log::level::error);
    } else if (verbosity > 0) {
        log::set_level(verbosity >= 2 ? log::level::debug : log::level::info);
    }
    return result;
}

const volatile int* install_stop_signal_handlers() {
    return request_stop_on_signal();
}

}  // namespace xfer::cli
