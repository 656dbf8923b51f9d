// xfer ls HOST[:PORT] [SUBDIR]: what a peer shares; with -R everything under SUBDIR, with totals.
#include <cstdio>
#include <iostream>

#include "receiver/remote_listing.hpp"
#include "shared/core/safe_text.hpp"
#include "shared/wire/frame.hpp"
#include "tools/xfer/cli_options.hpp"
#include "tools/xfer/command.hpp"
#include "tools/xfer/failure.hpp"
#include "tools/xfer/format.hpp"
#include "tools/xfer/home_option.hpp"
#include "tools/xfer/json_writer.hpp"
#include "tools/xfer/source_names.hpp"
#include "tools/xfer/tls_identity.hpp"
#include "tools/xfer/trust_options.hpp"
#include "tools/xfer/visibility.hpp"

namespace xfer::cli {

namespace {

void ls_options(po::options_description& options) {
    options.add_options()("recursive,R",
                          "list SUBDIR and everything under it (paths relative to SUBDIR), "
                          "then the totals")(
        "timeout", po::value<double>()->default_value(10)->value_name("SECONDS"),
        "how long to wait for the peer (for each directory, with -R)")(
        "tracker", po::value<std::string>()->value_name("[KEY@]HOST[:PORT]"),
        "also look SOURCE up by name or peer ID in this tracker's list");
    add_tracker_key_option(options);
    add_json_option(options);
    add_receiver_trust_options(options);
}

// {"event":"entry","kind":"file","name":...,"size":...,"pieces_had":...,"piece_count":...,
// "complete":...}; a directory has kind "dir" and no piece fields, a symlink kind "symlink" and
// its "target". `name` is the entry's name, or with -R its path under SUBDIR.
void emit_entry(const wire::listing_entry& entry, const std::string& name) {
    json_object line("entry");
    if (entry.kind == wire::listing_entry::kind_t::directory) {
        emit(line.text("kind", "dir").text("name", name));
        return;
    }
    if (entry.kind == wire::listing_entry::kind_t::symlink) {
        emit(line.text("kind", "symlink").text("name", name).text("target", entry.link_target));
        return;
    }
    emit(line.text("kind", "file")
             .text("name", name)
             .number("size", entry.size)
             .number("pieces_had", entry.pieces_had)
             .number("piece_count", entry.piece_count)
             .boolean("complete", entry.complete()));
}

void print_entry(const wire::listing_entry& entry, const std::string& name) {
    if (entry.kind == wire::listing_entry::kind_t::directory) {
        std::cout << "dir   " << std::string(10, ' ') << "  " << safe_text(name) << "/\n";
        return;
    }
    if (entry.kind == wire::listing_entry::kind_t::symlink) {
        std::cout << "link  " << std::string(10, ' ') << "  " << safe_text(name) << " -> "
                  << safe_text(entry.link_target) << "\n";
        return;
    }
    char state[16];
    if (entry.complete())
        std::snprintf(state, sizeof state, "complete");
    else
        std::snprintf(state, sizeof state, "%.0f%%", 100.0 * entry.pieces_had / entry.piece_count);
    char size[24];
    std::snprintf(size, sizeof size, "%10s", format_bytes(static_cast<double>(entry.size)).c_str());
    std::cout << "file  " << size << "  " << safe_text(name) << "  (" << state << ", "
              << count_of(entry.size, "byte") << ")\n";
}

struct listing_totals {
    uint64_t files = 0;
    uint64_t directories = 0;
    uint64_t symlinks = 0;
    uint64_t bytes = 0;
};

// "12 files, 3 directories[, 2 symlinks], 4.20 MiB (4404019 bytes)"; with --json a "totals"
// event.
void report_totals(const listing_totals& totals, bool json) {
    if (json) {
        emit(json_object("totals")
                 .number("files", totals.files)
                 .number("directories", totals.directories)
                 .number("symlinks", totals.symlinks)
                 .number("bytes", totals.bytes));
        return;
    }
    std::cout << count_of(totals.files, "file") << ", "
              << count_of(totals.directories, "directory", "directories") << ", ";
    if (totals.symlinks > 0) std::cout << count_of(totals.symlinks, "symlink") << ", ";
    std::cout << format_bytes(static_cast<double>(totals.bytes)) << " ("
              << count_of(totals.bytes, "byte") << ")\n";
}

int list_recursively(const net::endpoint& source, const std::string& subdir,
                     const receiver::listing_security& security, std::chrono::milliseconds timeout,
                     bool json) {
    const auto entries =
        receiver::fetch_tree_listing(source, subdir, random_peer_id(), security, timeout);
    if (!entries) {
        return report_failure("ls", classify(entries.error().code), entries.error().message, json);
    }
    listing_totals totals;
    for (const auto& [path, entry] : *entries) {
        if (entry.kind == wire::listing_entry::kind_t::directory) {
            ++totals.directories;
        } else if (entry.kind == wire::listing_entry::kind_t::symlink) {
            ++totals.symlinks;
        } else {
            ++totals.files;
            totals.bytes += entry.size;
        }
        json ? emit_entry(entry, path) : print_entry(entry, path);
    }
    report_totals(totals, json);
    return exit_ok;
}

}  // namespace

command_spec ls_spec() {
    return {
        .name = "ls",
        .summary = "list what a peer shares",
        .positionals = {{"SOURCE",
                         "the peer to ask, HOST[:PORT] (port 7420 by default), or its name or "
                         "peer ID"},
                        {"SUBDIR", "a directory inside what the peer shares (default: the top)",
                         false}},
        .usage_tail = "[-R] [--timeout SECONDS] [--tracker [KEY@]HOST[:PORT]] [--json]",
        .more_usage = {},
        .notes = {},
        .examples =
            "  xfer ls 192.168.1.5             # top of what 192.168.1.5 shares\n"
            "  xfer ls 192.168.1.5:7000 isos   # one folder, another port\n"
            "  xfer ls -R 192.168.1.5 photos   # the whole tree under photos, with totals\n"
            "  xfer ls 192.168.1.5 --json      # one JSON object per entry (docs/JSON.md)\n"
            "  xfer ls alice --tracker 10.0.0.1  # the peer called alice in the tracker's list\n",
        .add_options = ls_options};
}

int run_ls(int argc, char** argv) {
    const auto spec = ls_spec();
    auto parsed = parse_command_line(argc, argv, spec);
    if (parsed.exit_now) return *parsed.exit_now;
    const std::string subdir = parsed.has("SUBDIR") ? parsed.arg("SUBDIR") : "";
    if (const auto typed = net::parse_endpoint(parsed.arg("SOURCE"), net::default_sender_port);
        !typed) {
        std::fprintf(stderr, "xfer ls: %s\n", typed.error().c_str());
        return exit_usage;
    }
    const auto tracker = tracker_option(parsed.values);
    if (!tracker)
        return report_tracker_option_error("ls", tracker.error(), json_requested(parsed.values));
    // A peer name ("alice") becomes an address: from the trust store, the tracker or the LAN.
    const auto source = resolve_source(parsed.arg("SOURCE"), home_from(parsed.values),
                                       std::chrono::milliseconds(1500), *tracker);
    if (!source)
        return report_failure("ls", source.error().failure, source.error().message,
                              json_requested(parsed.values));
    if (subdir.size() > wire::max_path_length) {
        std::fprintf(stderr, "xfer ls: path is longer than %zu bytes\n", wire::max_path_length);
        return exit_usage;
    }
    const auto timeout =
        std::chrono::milliseconds(static_cast<long>(parsed.values["timeout"].as<double>() * 1000));
    const bool json = json_requested(parsed.values);
    auto tls = local_tls_context(parsed.values);
    if (!tls) return report_failure("ls", failure_class::local_io, tls.error(), json);
    auto check_options = sender_check_options_from(parsed.values, (*tls)->our_id());
    if (!check_options) return usage_error(spec, check_options.error());
    auto hooks = sender_check_hooks_for(std::make_shared<live_sender_check>(
        home_from(parsed.values).config, std::move(*check_options)));
    const receiver::listing_security security{std::move(*tls), std::move(hooks.at_handshake),
                                              std::move(hooks.at_hello)};
    if (parsed.values.count("recursive"))
        return list_recursively(*source, subdir, security, timeout, json);
    const auto entries =
        receiver::fetch_listing(*source, subdir, random_peer_id(), security, timeout);
    if (!entries) {
        return report_failure("ls", classify(entries.error().code), entries.error().message, json);
    }
    for (const auto& entry : *entries)
        json ? emit_entry(entry, entry.name) : print_entry(entry, entry.name);
    return exit_ok;
}

}  // namespace xfer::cli
