// The xfer command line: one file per subcommand (cmd_NAME.cpp), all listed in main.cpp. Each
// describes itself (NAME_spec: positionals, options, examples) and runs (run_NAME); help, errors
// and the man page are made from the description, so they cannot drift apart.
#pragma once

#include <string_view>

#include "tools/xfer/cli_options.hpp"

namespace xfer::cli {

// Every subcommand takes the arguments after its own name (argv[0] is the subcommand name)
// and returns the process exit status. Errors reach the user as one line on stderr.
using command_fn = int (*)(int argc, char** argv);
using spec_fn = command_spec (*)();

struct command {
    spec_fn spec;
    command_fn run;
};

command_spec serve_spec();
int run_serve(int argc, char** argv);
command_spec fetch_spec();
int run_fetch(int argc, char** argv);
command_spec ls_spec();
int run_ls(int argc, char** argv);
command_spec manifest_spec();
int run_manifest(int argc, char** argv);
command_spec tracker_spec();
int run_tracker(int argc, char** argv);
command_spec peers_spec();
int run_peers(int argc, char** argv);
command_spec id_spec();
int run_id(int argc, char** argv);
command_spec trust_spec();
int run_trust(int argc, char** argv);
command_spec log_spec();
int run_log(int argc, char** argv);
command_spec pair_spec();
int run_pair(int argc, char** argv);

// Exit statuses shared by every subcommand.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;  // the operation failed (network, disk, peer)
inline constexpr int exit_usage = 2;    // bad command line
inline constexpr int exit_interrupted = 130;

}  // namespace xfer::cli
