// xfer fetch [SOURCE] PATH...: download each PATH (a file or a directory tree), verified piece by
// piece, resumable, from every source at once; with --listen, serve what we have meanwhile. This
// file reads the command line; fetch_paths runs it.
#include <unistd.h>

#include <cstdio>
#include <expected>
#include <filesystem>
#include <iostream>
#include <set>
#include <thread>

#include "receiver/fetcher.hpp"
#include "shared/core/safe_text.hpp"
#include "shared/wire/frame.hpp"
#include "tools/xfer/cli_options.hpp"
#include "tools/xfer/command.hpp"
#include "tools/xfer/failure.hpp"
#include "tools/xfer/fetch_paths.hpp"
#include "tools/xfer/home_option.hpp"
#include "tools/xfer/pairing_cli.hpp"
#include "tools/xfer/rate_option.hpp"
#include "tools/xfer/site_option.hpp"
#include "tools/xfer/source_names.hpp"
#include "tools/xfer/stdout_output.hpp"
#include "tools/xfer/tls_identity.hpp"
#include "tools/xfer/trust_options.hpp"
#include "tools/xfer/visibility.hpp"

namespace xfer::cli {
namespace {

void fetch_options(po::options_description& options) {
    options.add_options()(
        "output,o", po::value<std::string>()->default_value(".")->value_name("DIR"),
        "directory to write NAME into (created if missing; '-' is refused, see below)")(
        "from", po::value<std::vector<std::string>>()->composing()->value_name("SOURCE"),
        "another source HOST[:PORT] (repeatable)")(
        "listen,l", po::value<std::string>()->value_name("HOST:PORT"),
        "also serve what we have there while fetching")(
        "range", po::value<std::string>()->value_name("START:END"),
        "fetch only these bytes (or %), rounded to whole pieces")(
        "force", "replace DIR/NAME if it exists with other content (a tree: fetched anew)")(
        "update",
        "a tree at DIR/NAME with other content: fetch only the pieces that differ, keep the "
        "identical files' bytes (the result is the peer's tree)")(
        "owners",
        "as root: give a tree's files, directories and symlinks the owner and group they have "
        "on the sender (numeric uid/gid; default: yours)")(
        "linger", po::value<double>()->default_value(30)->value_name("SECONDS"),
        "with --listen: how long to keep serving after completion while receivers still need "
        "pieces")("stall-timeout", po::value<double>()->default_value(10)->value_name("SECONDS"),
                  "time without data before a source is dropped")(
        "max-sources",
        po::value<size_t>()->default_value(receiver::default_max_sources)->value_name("N"),
        "connect to at most N sources at once; others wait for a slot (0: no limit)")(
        "memory", po::value<size_t>()->default_value(32)->value_name("MIB"),
        "MiB of piece buffers")(
        "tracker", po::value<std::string>()->value_name("[KEY@]HOST[:PORT]"),
        "find every peer that has PATH through this tracker (and, with --listen, register "
        "there); SOURCE may name a peer in its list")(
        "lan", "find peers that have PATH on the LAN (and, with --listen, announce there)")(
        "id", po::value<std::string>()->value_name("CONTENT_ID"),
        "fetch only this version (64 hex digits, `xfer manifest`); with --lan or --tracker, "
        "from any peer that has it, trusted or not (every piece is checked against it)")(
        "name", po::value<std::string>()->value_name("NAME"),
        "name shown to other peers (with --listen, and to a sender we pair with)")(
        "stats",
        "after the summary, say on stderr where the time went (network, hashing, disk, CPU "
        "per thread) and what bounded the transfer");
    add_limit_option(options, "limit-down",
                     "download at most RATE bytes/s over all sources (500K, 10M, 1.5G; see man)");
    add_limit_option(options, "limit-up",
                     "with --listen: upload at most RATE bytes/s over all receivers");
    add_site_option(options);
    add_tracker_key_option(options);
    add_json_option(options);
    add_receiver_trust_options(options);
    // Who may read from the sender of `--listen` (as on serve).
    add_sender_trust_options(options);
    add_code_option(options);
}

}  // namespace

command_spec fetch_spec() {
    return {
        .name = "fetch",
        .summary =
            "download files and directory trees, verified and resumable, from one or more "
            "peers",
        .positionals = {{"SOURCE",
                         "the peer to fetch from, HOST[:PORT] (port 7420 by default), or its "
                         "name or peer ID; not needed with --tracker or --lan",
                         false, true},
                        {"PATH",
                         "a file or directory (DIR/), as the peer shares it (xfer ls SOURCE lists "
                         "them); several are fetched one after another",
                         true, false, true}},
        .usage_tail =
            "[-o DIR] [--from SOURCE]... [--code CODE] [--listen HOST:PORT] [--limit-down RATE] "
            "[--json]",
        .more_usage =
            "       xfer fetch --tracker HOST[:PORT] PATH [options]\n"
            "       xfer fetch --lan PATH [options]\n",
        .notes =
            "Each PATH appears as DIR/NAME (NAME: the last part of PATH) only once every piece is\n"
            "verified; until then DIR/NAME.xfer-part (a tree: DIR/.NAME.xfer-part/) and "
            "DIR/.xfer/\n"
            "hold what is there, and the same command resumes. Several PATHs share one progress\n"
            "display and one summary; a PATH that fails is named on stderr, the others still "
            "come,\n"
            "and the exit status is that of the first failure. An existing DIR/NAME with the same\n"
            "content is kept (nothing is fetched); with other content it needs --force or, for a\n"
            "tree, --update. '-o -' writes the file to standard output once it is complete and\n"
            "verified (it is staged in xfer's cache meanwhile, and resumes like any fetch).\n",
        .examples =
            "  xfer fetch 192.168.1.5 isos/debian.iso              # into ./debian.iso\n"
            "  xfer fetch 10.0.0.2:7000 data.tar -o /srv/in        # other port, other directory\n"
            "  xfer fetch 192.168.1.5 photos/ notes.txt -o /srv/in  # a tree and a file\n"
            "  xfer fetch 192.168.1.5 photos/ --update             # only what changed since\n"
            "  xfer fetch a.lan big.img --from b.lan --from c.lan  # three sources at once\n"
            "  xfer fetch a.lan big.img --range 0:50% --listen :7420  # first half, served "
            "meanwhile\n"
            "  xfer fetch --tracker 10.0.0.1 big.img --listen :7420  # from every peer the tracker "
            "knows\n"
            "  xfer fetch --lan big.img                            # from the peers heard on the "
            "LAN\n"
            "  xfer fetch a.lan big.img --limit-down 10M           # at most 10 MiB/s\n"
            "  xfer fetch a.lan big.img --code 7-amber-forest      # pair first (once per sender)\n"
            "  xfer fetch a.lan big.img --json | jq .event         # events for scripts\n",
        .add_options = fetch_options};
}

namespace {

// How long a peer name is listened for on the LAN (peers announce every second).
constexpr auto name_lookup_wait = std::chrono::milliseconds(1500);

// SOURCE and every --from, as typed.
std::vector<std::string> source_texts(const parsed_options& parsed) {
    std::vector<std::string> texts;
    if (parsed.has("SOURCE")) texts.push_back(parsed.arg("SOURCE"));
    if (parsed.values.count("from")) {
        for (const auto& from : parsed.values["from"].as<std::vector<std::string>>())
            texts.push_back(from);
    }
    return texts;
}

// Every source named on the command line, as endpoints; an error is a usage error.
std::expected<std::vector<net::endpoint>, std::string> sources_from(const parsed_options& parsed) {
    std::vector<net::endpoint> sources;
    for (const auto& text : source_texts(parsed)) {
        auto source = net::parse_endpoint(text, net::default_sender_port);
        if (!source) return std::unexpected(source.error());
        sources.push_back(*source);
    }
    return sources;
}

// "" when every PATH names a file or a directory and no two would be the same DIR/NAME; else
// the line that says which is not.
std::string check_paths(const std::vector<std::string>& paths) {
    std::set<std::string> names;
    for (const auto& path : paths) {
        if (path.size() > wire::max_path_length)
            return "path is longer than " + std::to_string(wire::max_path_length) + " bytes";
        const auto name = last_component(path);
        if (name.empty() || name == "." || name == "..")
            return "'" + path + "' does not name a file";
        if (!names.insert(name).second)
            return "two paths would both be written as " + name + " (fetch them with -o apart)";
    }
    return {};
}

// The fetch the command line asks for, all but its paths, or the line that says why it is not
// one.
std::expected<receiver::fetch_request, std::string> request_from(const parsed_options& parsed) {
    const auto& values = parsed.values;
    receiver::fetch_request request;
    if (const auto problem = check_paths(parsed.repeated); !problem.empty())
        return std::unexpected(problem);
    auto sources = sources_from(parsed);
    if (!sources) return std::unexpected(sources.error());
    request.sources = std::move(*sources);
    auto site = site_option(values);
    if (!site) return std::unexpected(site.error());
    request.site = std::move(*site);
    if (values.count("range")) {
        auto range = receiver::parse_byte_range(values["range"].as<std::string>());
        if (!range) return std::unexpected(range.error());
        request.range = *range;
    }
    if (values.count("id")) {
        const auto id = from_hex<32>(values["id"].as<std::string>());
        if (!id) return std::unexpected("--id: a content id is 64 hex digits (xfer manifest FILE)");
        request.content = *id;
    }
    request.update = values.count("update") > 0;
    request.overwrite = values.count("force") > 0 || request.update;
    request.owners = values.count("owners") > 0;
    request.id = random_peer_id();
    request.stall_timeout =
        std::chrono::milliseconds(static_cast<long>(values["stall-timeout"].as<double>() * 1000));
    request.memory_budget = values["memory"].as<size_t>() * 1024 * 1024;
    request.max_sources = values["max-sources"].as<size_t>();
    request.hash_threads = std::max(1u, std::thread::hardware_concurrency() - 1);
    auto limit_down = rate_option(values, "limit-down");
    if (!limit_down) return std::unexpected(limit_down.error());
    request.limit_down = *limit_down;
    if (request.limit_down > 0) {
        // A source counts as stalled when no block arrives in time; at a low limit one block
        // takes long to arrive, so allow at least two blocks' time at the limit.
        const auto two_blocks =
            std::chrono::milliseconds(2000 * wire::max_block_size / request.limit_down);
        request.stall_timeout = std::max(request.stall_timeout, two_blocks);
    }
    return request;
}

// -o -: the verified file to stdout, then its staging directory goes. A directory (the path
// named a tree without a trailing '/') is refused and removed.
int release_to_stdout(const std::filesystem::path& staging, const std::string& name) {
    const auto file = staging / name;
    std::error_code ignored;
    if (std::filesystem::is_directory(file, ignored)) {
        std::filesystem::remove_all(staging, ignored);
        return report_failure("fetch", failure_class::usage,
                              name + " is a directory: -o - takes a file; give -o DIR", false);
    }
    const auto ec = copy_to_stdout(file);
    std::filesystem::remove_all(staging, ignored);
    if (ec == std::errc::broken_pipe) return exit_failure;  // the reader left, as with `| head`
    if (ec)
        return report_failure("fetch", failure_class::local_io, "standard output: " + ec.message(),
                              false);
    return exit_ok;
}

}  // namespace

namespace {

// Combinations of arguments that cannot work, each with its one-line usage error.
std::optional<int> refuse_impossible_choices(const parsed_options& parsed, const command_spec& spec,
                                             bool have_tracker) {
    const auto& values = parsed.values;
    if (!parsed.has("SOURCE") && !values.count("from") && !have_tracker && !values.count("lan")) {
        // One argument and nowhere else to look: it names the peer, and the file is missing.
        return usage_error(spec, "missing PATH after SOURCE '" + parsed.arg("PATH") + "'");
    }
    const bool to_stdout = values["output"].as<std::string>() == "-";
    if (to_stdout && json_requested(values))
        return usage_error(spec, "-o - and --json both write to standard output; choose one");
    if (to_stdout && (parsed.repeated.size() != 1 || parsed.repeated.front().ends_with('/')))
        return usage_error(spec, "-o - takes one file, not a tree or several paths; give -o DIR");
    // Giving a file to another user is root's (CAP_CHOWN): say so before anything is fetched.
    if (values.count("owners") && ::geteuid() != 0)
        return usage_error(spec,
                           "--owners needs root (only root may give files to another "
                           "user); run it as root or leave --owners out");
    if (values.count("range") && parsed.repeated.size() > 1)
        return usage_error(spec, "--range takes one PATH (its bytes), not several");
    const auto limit_up = rate_option(values, "limit-up");
    if (!limit_up) return usage_error(spec, limit_up.error());
    if (*limit_up > 0 && !values.count("listen"))
        return usage_error(spec,
                           "--limit-up needs --listen (a fetch uploads only while it serves)");
    for (const char* option : {"public", "allow", "allow-file"}) {
        if (values.count(option) && !values.count("listen"))
            return usage_error(spec, std::string("--") + option +
                                         " needs --listen (it says who may read what the fetch "
                                         "serves)");
    }
    return std::nullopt;
}

// Peer names ("alice") become addresses: from the trust store, the tracker or the LAN.
std::optional<int> resolve_sources(const parsed_options& parsed, receiver::fetch_request& request,
                                   const std::optional<discovery::tracker_link>& tracker) {
    const auto texts = source_texts(parsed);
    for (size_t i = 0; i < texts.size(); ++i) {
        auto where = resolve_source(texts[i], home_from(parsed.values), name_lookup_wait, tracker);
        if (!where)
            return report_failure("fetch", where.error().failure, where.error().message,
                                  json_requested(parsed.values));
        request.sources[i] = *where;
    }
    return std::nullopt;
}

// Our identity, pairing first if --code was given, and which senders we accept.
std::optional<int> prepare_trust(const parsed_options& parsed, const command_spec& spec,
                                 receiver::fetch_request& request,
                                 std::shared_ptr<live_sender_check>& senders) {
    const auto& values = parsed.values;
    auto tls = local_tls_context(values);
    if (!tls)
        return report_failure("fetch", failure_class::local_io, tls.error(),
                              json_requested(values));
    request.tls = std::move(*tls);
    if (const int paired = pair_before_fetch(parsed, spec, request.sources, request.tls))
        return paired;
    auto check_options = sender_check_options_from(values, request.tls->our_id());
    if (!check_options) return usage_error(spec, check_options.error());
    senders =
        std::make_shared<live_sender_check>(home_from(values).config, std::move(*check_options));
    auto hooks = sender_check_hooks_for(senders);
    request.check_sender = std::move(hooks.at_handshake);
    request.check_sender_hello = std::move(hooks.at_hello);
    return std::nullopt;
}

// The output directory (with -o -, a private staging directory the file is released from).
std::expected<std::shared_ptr<piece_store>, int> open_output(const parsed_options& parsed,
                                                             const std::string& output,
                                                             bool to_stdout) {
    const auto& values = parsed.values;
    if (to_stdout) {
        if (auto ec = ensure_private_directory(output))
            return std::unexpected(
                report_failure("fetch", classify(ec), output + ": " + ec.message(), false));
    }
    auto store = piece_store::open(output, /*create=*/true, home_from(values).cache / "manifests");
    if (!store) {
        return std::unexpected(
            report_failure("fetch", classify(store.error()),
                           "cannot use output directory " + output + ": " + store.error().message(),
                           json_requested(values)));
    }
    return std::move(*store);
}

}  // namespace

int run_fetch(int argc, char** argv) {
    const auto spec = fetch_spec();
    auto parsed = parse_command_line(argc, argv, spec);
    if (parsed.exit_now) return *parsed.exit_now;
    const auto& values = parsed.values;
    const auto tracker = tracker_option(values);
    if (!tracker)
        return report_tracker_option_error("fetch", tracker.error(), json_requested(values));
    if (auto refused = refuse_impossible_choices(parsed, spec, tracker->has_value()))
        return *refused;
    auto request = request_from(parsed);
    if (!request) {
        std::fprintf(stderr, "xfer fetch: %s\n", request.error().c_str());
        return exit_usage;
    }
    if (auto failed = resolve_sources(parsed, *request, *tracker)) return *failed;
    std::shared_ptr<live_sender_check> senders;
    if (auto failed = prepare_trust(parsed, spec, *request, senders)) return *failed;
    const bool to_stdout = values["output"].as<std::string>() == "-";
    const auto output = to_stdout ? stdout_staging(home_from(values).cache, source_texts(parsed),
                                                   parsed.repeated.front())
                                        .string()
                                  : values["output"].as<std::string>();
    auto store = open_output(parsed, output, to_stdout);
    if (!store) return store.error();
    const auto* stop = install_stop_signal_handlers();
    zmq::context_t context;
    const int status =
        fetch_paths(context, parsed, *store, std::move(*request), parsed.repeated, *tracker, stop);
    context.close();
    // Said after the summary: which senders were taken on first contact, without proof.
    if (status == exit_ok && !values.count("quiet")) {
        for (const auto& note : senders->notes())
            (to_stdout ? std::cerr : std::cout) << "note: " << safe_text(note) << "\n";
    }
    if (status != exit_ok || !to_stdout) return status;
    return release_to_stdout(output, last_component(parsed.repeated.front()));
}

}  // namespace xfer::cli
