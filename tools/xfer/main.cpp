// xfer: fast, verified, resumable file transfer on a LAN.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string_view>
#include <vector>

#include "shared/core/stop_signals.hpp"
#include "tools/xfer/cli_options_man.hpp"
#include "tools/xfer/command.hpp"
#include "tools/xfer/progress_display.hpp"

namespace {

using namespace xfer::cli;

constexpr command commands[] = {
    {serve_spec, run_serve},     {fetch_spec, run_fetch},
    {ls_spec, run_ls},           {manifest_spec, run_manifest},
    {tracker_spec, run_tracker}, {peers_spec, run_peers},
    {id_spec, run_id},           {trust_spec, run_trust},
    {log_spec, run_log},         {pair_spec, run_pair},
};

std::vector<command_spec> all_specs() {
    std::vector<command_spec> specs;
    for (const auto& cmd : commands) specs.push_back(cmd.spec());
    return specs;
}

void print_usage(std::FILE* out) {
    std::fprintf(out,
                 "xfer: fast, verified, resumable file transfer on a LAN\n\n"
                 "usage: xfer COMMAND [OPTIONS]\n\ncommands:\n");
    for (const auto& spec : all_specs()) {
        std::fprintf(out, "  %-10s %s\n", spec.name.c_str(), spec.summary.c_str());
    }
    std::fprintf(
        out,
        "\nexamples:\n"
        "  xfer serve ~/share                      # share a directory on port 7420\n"
        "  xfer fetch 192.168.1.5 iso/debian.iso   # download a file into .\n"
        "\nrun 'xfer COMMAND --help' for the options of one command; 'man xfer' for all.\n");
}

int unknown_command(std::string_view name) {
    std::vector<std::string> names;
    for (const auto& spec : all_specs()) names.push_back(spec.name);
    const auto near = closest_match(name, names);
    std::fprintf(stderr, "xfer: unknown command '%.*s'%s%s%s (see 'xfer --help')\n",
                 static_cast<int>(name.size()), name.data(), near ? " (did you mean '" : "",
                 near ? near->c_str() : "", near ? "'?)" : "");
    return exit_usage;
}

}  // namespace

int main(int argc, char** argv) {
    // Before any thread starts, so that every thread inherits the blocked mask: a thread with
    // SIGWINCH unblocked (the stop-signal watcher, say) would take and drop every resize.
    hold_window_change_signal();
    xfer::block_stop_signals();
    if (argc < 2) {
        print_usage(stderr);
        return exit_usage;
    }
    const std::string_view name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        print_usage(stdout);
        return exit_ok;
    }
    if (name == "--version") {
        std::printf("xfer %s\n", XFER_VERSION);
        return exit_ok;
    }
    if (name == "--man") {  // hidden: the build turns this into the installed xfer(1)
        std::fputs(man_page(all_specs()).c_str(), stdout);
        return exit_ok;
    }
    for (const auto& cmd : commands) {
        const auto spec = cmd.spec();
        if (spec.name == name) {
            try {
                return cmd.run(argc - 1, argv + 1);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "xfer %s: %s\n", argv[1], e.what());
                return exit_failure;
            }
        }
    }
    return unknown_command(name);
}
