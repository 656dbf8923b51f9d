// xfer id [--reset]: this machine's peer ID (first line) and display name (second line). The
// identity (an Ed25519 key pair and its self-signed certificate) is made on first use.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "shared/identity/identity_store.hpp"
#include "tools/xfer/cli_options.hpp"
#include "tools/xfer/command.hpp"
#include "tools/xfer/failure.hpp"
#include "tools/xfer/home_option.hpp"
#include "tools/xfer/json_writer.hpp"

namespace xfer::cli {

namespace {

void id_options(po::options_description& options) {
    options.add_options()("reset",
                          "make a new identity: peers that know this one will have to pair again");
    add_json_option(options);
}

}  // namespace

command_spec id_spec() {
    return {.name = "id",
            .summary = "print this machine's peer ID and name (made on first use)",
            .positionals = {},
            .usage_tail = "[--reset] [--json]",
            .more_usage = {},
            .notes = {},
            .examples =
                "  xfer id                  # peer ID, then this machine's name\n"
                "  xfer id --home /tmp/p2   # the identity kept under another home\n"
                "  xfer id --reset          # a new key pair, hence a new peer ID\n"
                "  xfer id --json           # {\"event\":\"id\",\"peer_id\":...,\"name\":...}\n",
            .add_options = id_options};
}

int run_id(int argc, char** argv) {
    const auto spec = id_spec();
    auto parsed = parse_command_line(argc, argv, spec);
    if (parsed.exit_now) return *parsed.exit_now;
    const auto config = home_from(parsed.values).config;
    const bool reset = parsed.values.count("reset") > 0;

    std::optional<std::string> old_id;
    std::error_code ignored;
    if (reset && std::filesystem::exists(config / "identity", ignored)) {
        // Named in the warning when readable; a corrupt identity is what a reset is for.
        if (auto existing = identity::load_or_create_identity(config))
            old_id = identity::format_peer_id(existing->id);
    }
    auto loaded =
        reset ? identity::reset_identity(config) : identity::load_or_create_identity(config);
    const bool json = json_requested(parsed.values);
    if (!loaded) return report_failure("id", failure_class::local_io, loaded.error(), json);
    if (reset) {
        std::fprintf(
            stderr,
            "xfer id: warning: this machine has a new identity; peers that knew %s will not "
            "recognise it until paired again (the old one is kept in %s)\n",
            old_id ? old_id->c_str() : "the old one", (config / "identity.previous").c_str());
    } else if (loaded->created) {
        std::fprintf(stderr, "xfer id: created a new identity in %s\n",
                     (config / "identity").c_str());
    }
    if (json) {
        emit(json_object("id")
                 .text("peer_id", identity::format_peer_id(loaded->id))
                 .text("name", identity::display_name())
                 .boolean("created", loaded->created || reset));
        return exit_ok;
    }
    std::cout << identity::format_peer_id(loaded->id) << "\n" << identity::display_name() << "\n";
    return exit_ok;
}

}  // namespace xfer::cli
