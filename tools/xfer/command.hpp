// The xfer command line: one file per subcommand (cmd_NAME.cpp), all listed in commands.cpp.
#pragma once

#include <string_view>

namespace xfer::cli {

// Every subcommand takes the arguments after its own name (argv[0] is the subcommand name)
// and returns the process exit status. Errors reach the user as one line on stderr.
using command_fn = int (*)(int argc, char** argv);

struct command {
    std::string_view name;
    std::string_view summary;
    command_fn run;
};

int run_serve(int argc, char** argv);
int run_fetch(int argc, char** argv);
int run_ls(int argc, char** argv);
int run_manifest(int argc, char** argv);
int run_tracker(int argc, char** argv);
int run_peers(int argc, char** argv);
int run_id(int argc, char** argv);

// Exit statuses shared by every subcommand.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;  // the operation failed (network, disk, peer)
inline constexpr int exit_usage = 2;    // bad command line
inline constexpr int exit_interrupted = 130;

}  // namespace xfer::cli
