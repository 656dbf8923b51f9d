// xfer: fast, verified, resumable file transfer on a LAN.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string_view>

#include "shared/core/stop_signals.hpp"
#include "tools/xfer/command.hpp"

namespace {

using namespace xfer::cli;

constexpr command commands[] = {
    {"serve", "share a directory (complete and partial files)", run_serve},
    {"fetch", "download a file, verified and resumable, from one or more peers", run_fetch},
    {"ls", "list what a peer shares", run_ls},
    {"manifest", "print a file's content id and piece layout", run_manifest},
    {"tracker", "run a discovery server that pushes the live peer list", run_tracker},
    {"peers", "list peers online (from a tracker or the LAN)", run_peers},
    {"id", "print this machine's peer ID and name (made on first use)", run_id},
};

void print_usage(std::FILE* out) {
    std::fprintf(out,
                 "xfer: fast, verified, resumable file transfer on a LAN\n\n"
                 "usage: xfer COMMAND [OPTIONS]\n\ncommands:\n");
    for (const auto& cmd : commands) {
        std::fprintf(out, "  %-10.*s %.*s\n", static_cast<int>(cmd.name.size()), cmd.name.data(),
                     static_cast<int>(cmd.summary.size()), cmd.summary.data());
    }
    std::fprintf(out,
                 "\nexamples:\n"
                 "  xfer serve ~/share                      # share a directory on port 7420\n"
                 "  xfer fetch 192.168.1.5 iso/debian.iso   # download a file into .\n"
                 "\nrun 'xfer COMMAND --help' for the options of one command.\n");
}

}  // namespace

int main(int argc, char** argv) {
    // Before any thread starts, so that every thread inherits the blocked mask.
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
        std::printf("xfer 0.1.0\n");
        return exit_ok;
    }
    for (const auto& cmd : commands) {
        if (cmd.name == name) {
            try {
                return cmd.run(argc - 1, argv + 1);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "xfer %s: %s\n", argv[1], e.what());
                return exit_failure;
            }
        }
    }
    std::fprintf(stderr, "xfer: unknown command '%s' (see 'xfer --help')\n", argv[1]);
    return exit_usage;
}
