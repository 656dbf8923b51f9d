// xfer ls HOST[:PORT] [SUBDIR]: what a peer shares.
#include <cstdio>
#include <iostream>

#include "receiver/remote_listing.hpp"
#include "shared/core/safe_text.hpp"
#include "shared/wire/frame.hpp"
#include "tools/xfer/cli_options.hpp"
#include "tools/xfer/command.hpp"
#include "tools/xfer/format.hpp"
#include "tools/xfer/home_option.hpp"
#include "tools/xfer/tls_identity.hpp"
#include "tools/xfer/trust_options.hpp"

namespace xfer::cli {

namespace {

void ls_options(po::options_description& options) {
    options.add_options()("timeout", po::value<double>()->default_value(10)->value_name("SECONDS"),
                          "how long to wait for the peer");
    add_receiver_trust_options(options);
}

}  // namespace

command_spec ls_spec() {
    return {.name = "ls",
            .summary = "list what a peer shares",
            .positionals = {{"SOURCE", "the peer to ask, HOST[:PORT] (port 7420 by default)"},
                            {"SUBDIR", "a directory inside what the peer shares (default: the top)",
                             false}},
            .usage_tail = "[--timeout SECONDS]",
            .more_usage = {},
            .notes = {},
            .examples =
                "  xfer ls 192.168.1.5             # top of what 192.168.1.5 shares\n"
                "  xfer ls 192.168.1.5:7000 isos   # one folder, another port\n",
            .add_options = ls_options};
}

int run_ls(int argc, char** argv) {
    const auto spec = ls_spec();
    auto parsed = parse_command_line(argc, argv, spec);
    if (parsed.exit_now) return *parsed.exit_now;
    const std::string subdir = parsed.has("SUBDIR") ? parsed.arg("SUBDIR") : "";
    const auto source = net::parse_endpoint(parsed.arg("SOURCE"), net::default_sender_port);
    if (!source) {
        std::fprintf(stderr, "xfer ls: %s\n", source.error().c_str());
        return exit_usage;
    }
    if (subdir.size() > wire::max_path_length) {
        std::fprintf(stderr, "xfer ls: path is longer than %zu bytes\n", wire::max_path_length);
        return exit_usage;
    }
    const auto timeout =
        std::chrono::milliseconds(static_cast<long>(parsed.values["timeout"].as<double>() * 1000));
    auto tls = local_tls_context(parsed.values);
    if (!tls) {
        std::fprintf(stderr, "xfer ls: %s\n", tls.error().c_str());
        return exit_failure;
    }
    auto check_options = sender_check_options_from(parsed.values, (*tls)->our_id());
    if (!check_options) return usage_error(spec, check_options.error());
    auto hooks = sender_check_hooks_for(std::make_shared<live_sender_check>(
        home_from(parsed.values).config, std::move(*check_options)));
    const receiver::listing_security security{std::move(*tls), std::move(hooks.at_handshake),
                                              std::move(hooks.at_hello)};
    const auto entries =
        receiver::fetch_listing(*source, subdir, random_peer_id(), security, timeout);
    if (!entries) {
        std::fprintf(stderr, "xfer ls: %s\n", safe_text(entries.error()).c_str());
        return exit_failure;
    }
    for (const auto& entry : *entries) {
        if (entry.kind == wire::listing_entry::kind_t::directory) {
            std::cout << "dir   " << std::string(10, ' ') << "  " << safe_text(entry.name) << "/\n";
            continue;
        }
        char state[16];
        if (entry.complete())
            std::snprintf(state, sizeof state, "complete");
        else
            std::snprintf(state, sizeof state, "%.0f%%",
                          100.0 * entry.pieces_had / entry.piece_count);
        char size[24];
        std::snprintf(size, sizeof size, "%10s",
                      format_bytes(static_cast<double>(entry.size)).c_str());
        std::cout << "file  " << size << "  " << safe_text(entry.name) << "  (" << state << ", "
                  << entry.size << " bytes)\n";
    }
    return exit_ok;
}

}  // namespace xfer::cli
