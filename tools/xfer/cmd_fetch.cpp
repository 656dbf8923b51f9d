// xfer fetch [SOURCE] PATH: download PATH, verified piece by piece, resumable, from every source
// at once; with --listen, serve what we have meanwhile.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <expected>
#include <filesystem>
#include <iostream>
#include <thread>

#include "receiver/fetcher.hpp"
#include "sender/sender.hpp"
#include "shared/core/error.hpp"
#include "shared/core/log.hpp"
#include "shared/core/safe_text.hpp"
#include "shared/wire/frame.hpp"
#include "tools/xfer/cli_options.hpp"
#include "tools/xfer/command.hpp"
#include "tools/xfer/failure.hpp"
#include "tools/xfer/fetch_discovery.hpp"
#include "tools/xfer/fetch_events.hpp"
#include "tools/xfer/format.hpp"
#include "tools/xfer/home_option.hpp"
#include "tools/xfer/progress_display.hpp"
#include "tools/xfer/rate_option.hpp"
#include "tools/xfer/tls_identity.hpp"
#include "tools/xfer/trust_options.hpp"
#include "tools/xfer/visibility.hpp"

namespace xfer::cli {
namespace {

std::string last_component(const std::string& path) {
    auto trimmed = path;
    while (!trimmed.empty() && trimmed.back() == '/') trimmed.pop_back();
    const auto slash = trimmed.rfind('/');
    return slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
}

// After completing, a fetch that serves stays while some receiver still has our content open,
// so a partner mid-exchange is not stranded; bounded by --linger. Once every receiver that came
// has closed, it leaves at once; if none came yet, it waits a short grace period for partners
// that were told about us (connect-back) to arrive.
void linger(const sender::sender& uploads, double limit_seconds, const volatile int* stop) {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    const auto deadline =
        start + std::chrono::milliseconds(static_cast<long>(limit_seconds * 1000));
    constexpr auto grace = std::chrono::milliseconds(1500);
    while (!*stop && clock::now() < deadline) {
        if (uploads.receivers_with_open_content() == 0 &&
            (uploads.receivers_served() > 0 || clock::now() - start > grace)) {
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

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
        "force", "replace DIR/NAME if it exists with other content")(
        "linger", po::value<double>()->default_value(30)->value_name("SECONDS"),
        "with --listen: how long to keep serving after completion while receivers still need "
        "pieces")("stall-timeout", po::value<double>()->default_value(10)->value_name("SECONDS"),
                  "time without data before a source is dropped")(
        "memory", po::value<size_t>()->default_value(32)->value_name("MIB"),
        "MiB of piece buffers")(
        "tracker", po::value<std::string>()->value_name("[KEY@]HOST[:PORT]"),
        "find every peer that has PATH through this tracker (and, with --listen, register there)")(
        "lan", "find peers that have PATH on the LAN (and, with --listen, announce there)")(
        "id", po::value<std::string>()->value_name("CONTENT_ID"),
        "fetch only this version (64 hex digits, `xfer manifest`); with --lan or --tracker, "
        "from any peer that has it, trusted or not (every piece is checked against it)")(
        "name", po::value<std::string>()->value_name("NAME"),
        "with --listen: name shown to other peers");
    add_limit_option(options, "limit-down",
                     "download at most RATE bytes/s over all sources (500K, 10M, 1.5G; see man)");
    add_limit_option(options, "limit-up",
                     "with --listen: upload at most RATE bytes/s over all receivers");
    add_tracker_key_option(options);
    add_json_option(options);
    add_receiver_trust_options(options);
}

}  // namespace

command_spec fetch_spec() {
    return {
        .name = "fetch",
        .summary = "download a file, verified and resumable, from one or more peers",
        .positionals = {{"SOURCE",
                         "the peer to fetch from, HOST[:PORT] (port 7420 by default); "
                         "not needed with --tracker or --lan",
                         false, true},
                        {"PATH", "the file, as the peer shares it (xfer ls SOURCE lists them)"}},
        .usage_tail =
            "[-o DIR] [--from SOURCE]... [--listen HOST:PORT] [--limit-down RATE] [--json]",
        .more_usage =
            "       xfer fetch --tracker HOST[:PORT] PATH [options]\n"
            "       xfer fetch --lan PATH [options]\n",
        .notes =
            "The file appears as DIR/NAME (NAME: the last part of PATH) only once every piece is\n"
            "verified; until then DIR/NAME.xfer-part and DIR/.xfer/ hold what is there, and the "
            "same\n"
            "command resumes. '-o -' (standard output) is refused: a fetch writes into a "
            "directory\n"
            "so it can verify and resume; use -o DIR, then read DIR/NAME.\n",
        .examples =
            "  xfer fetch 192.168.1.5 isos/debian.iso              # into ./debian.iso\n"
            "  xfer fetch 10.0.0.2:7000 data.tar -o /srv/in        # other port, other directory\n"
            "  xfer fetch a.lan big.img --from b.lan --from c.lan  # three sources at once\n"
            "  xfer fetch a.lan big.img --range 0:50% --listen :7420  # first half, served "
            "meanwhile\n"
            "  xfer fetch --tracker 10.0.0.1 big.img --listen :7420  # from every peer the tracker "
            "knows\n"
            "  xfer fetch --lan big.img                            # from the peers heard on the "
            "LAN\n"
            "  xfer fetch a.lan big.img --limit-down 10M           # at most 10 MiB/s\n"
            "  xfer fetch a.lan big.img --json | jq .event         # events for scripts\n",
        .add_options = fetch_options};
}

namespace {

// Every source named on the command line, as endpoints; an error is a usage error.
std::expected<std::vector<net::endpoint>, std::string> sources_from(const parsed_options& parsed) {
    std::vector<std::string> texts;
    if (parsed.has("SOURCE")) texts.push_back(parsed.arg("SOURCE"));
    if (parsed.values.count("from")) {
        for (const auto& from : parsed.values["from"].as<std::vector<std::string>>())
            texts.push_back(from);
    }
    std::vector<net::endpoint> sources;
    for (const auto& text : texts) {
        auto source = net::parse_endpoint(text, net::default_sender_port);
        if (!source) return std::unexpected(source.error());
        sources.push_back(*source);
    }
    return sources;
}

// The fetch the command line asks for, or the line that says why it is not one.
std::expected<receiver::fetch_request, std::string> request_from(const parsed_options& parsed) {
    const auto& values = parsed.values;
    receiver::fetch_request request;
    request.remote_path = parsed.arg("PATH");
    auto sources = sources_from(parsed);
    if (!sources) return std::unexpected(sources.error());
    request.sources = std::move(*sources);
    if (request.remote_path.size() > wire::max_path_length)
        return std::unexpected("path is longer than " + std::to_string(wire::max_path_length) +
                               " bytes");
    request.output_name = last_component(request.remote_path);
    if (request.output_name.empty() || request.output_name == "." || request.output_name == "..")
        return std::unexpected("'" + request.remote_path + "' does not name a file");
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
    request.overwrite = values.count("force") > 0;
    request.id = random_peer_id();
    request.stall_timeout =
        std::chrono::milliseconds(static_cast<long>(values["stall-timeout"].as<double>() * 1000));
    request.memory_budget = values["memory"].as<size_t>() * 1024 * 1024;
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

// With --listen, a sender on our own store, so what we fetch is served meanwhile; the request
// learns where it listens (connect-back). nullptr without --listen; an exit status on failure.
std::expected<std::unique_ptr<sender::sender>, int> start_uploads(
    zmq::context_t& context, const po::variables_map& values,
    const std::shared_ptr<piece_store>& store, receiver::fetch_request& request) {
    if (!values.count("listen")) return nullptr;
    auto listen = net::parse_endpoint(values["listen"].as<std::string>(), net::default_sender_port);
    if (!listen) {
        std::fprintf(stderr, "xfer fetch: %s\n", listen.error().c_str());
        return std::unexpected(exit_usage);
    }
    const auto limit_up = rate_option(values, "limit-up");  // checked in run_fetch
    sender::sender_options sender_opts;
    sender_opts.listen = *listen;
    sender_opts.id = request.id;
    sender_opts.tls = request.tls;
    // Who may read from a fetch's sender: its own installation, paired and allowed peers.
    sender::read_policy_options readers;
    readers.own_id = request.tls->our_id();
    sender_opts.authorize = authorize_hook(
        std::make_shared<live_read_policy>(home_from(values).config, std::move(readers)));
    sender_opts.prehash = false;  // our own store holds what we fetch, already hashed
    sender_opts.limit_up = limit_up.value_or(0);
    auto started = sender::sender::start(context, store, sender_opts);
    if (!started) {
        return std::unexpected(report_failure("fetch", failure_class::network, started.error(),
                                              json_requested(values)));
    }
    request.listen_port = (*started)->listening().port;
    request.connect_retry_window = std::chrono::seconds(10);
    if (listen->host != "0.0.0.0" && listen->host != "::") request.listen_host = listen->host;
    return std::move(*started);
}

struct fetch_run {
    receiver::fetch_outcome outcome;
    uint64_t resumed_bytes = 0;
    double seconds = 0;
};

// The terminal display, or (with --json, `events` set) the events; never both.
fetch_run run_with_progress(receiver::fetcher& fetch, const sender::sender* uploads, bool quiet,
                            fetch_events* events, const volatile int* stop) {
    progress_display display(!quiet && events == nullptr);
    const auto start = std::chrono::steady_clock::now();
    fetch_run run;
    run.outcome = fetch.run(stop, [&](const receiver::fetch_progress& progress) {
        run.resumed_bytes = progress.resumed_bytes;
        const auto upload_stats =
            uploads ? uploads->peer_stats() : std::vector<sender::upload_peer_stats>{};
        if (events) {
            events->update(progress, upload_stats);
        } else {
            display.update(progress, upload_stats);
        }
    });
    display.finish();
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return run;
}

void print_summary(const fetch_run& run, const std::filesystem::path& target,
                   const sender::sender* uploads, fetch_events* events) {
    fetch_summary summary;
    summary.target = target.string();
    summary.whole_file = run.outcome.whole_file;
    summary.wanted_bytes = run.outcome.wanted_bytes;
    summary.downloaded_bytes = run.outcome.downloaded_bytes;
    summary.resumed_bytes = run.resumed_bytes;
    if (const auto& entry = run.outcome.entry; entry && entry->is_tree())
        summary.file_count = entry->files->file_count();
    summary.uploading = uploads != nullptr;
    summary.uploaded_bytes = uploads ? uploads->total_bytes_sent() : 0;
    summary.seconds = run.seconds;
    if (events) return events->done(summary);
    // Fitted to a terminal; a script reading stdout always gets the whole line.
    const int width = ::isatty(STDOUT_FILENO) ? query_terminal_size(STDOUT_FILENO).columns : 0;
    std::cout << layout_summary(summary, width) << std::endl;
}

// Everything that runs while the ZeroMQ context lives: uploads, discovery, the fetch itself.
int fetch_in(zmq::context_t& context, const parsed_options& parsed,
             const std::shared_ptr<piece_store>& store, receiver::fetch_request request,
             const std::optional<discovery::tracker_link>& tracker, const volatile int* stop) {
    const auto& values = parsed.values;
    const bool lan = values.count("lan") > 0;
    const bool json = json_requested(values);
    auto uploads = start_uploads(context, values, store, request);
    if (!uploads) return uploads.error();
    const auto visible = *uploads ? make_presence(context, values, tracker, lan, request.id,
                                                  (*uploads)->listening(), store)
                                  : nullptr;
    // Declared before the fetcher: the source check the fetcher calls asks the finder.
    auto finder = start_discovery(context, values, tracker, request, stop);
    if (!finder) return finder.error();
    const bool quiet = values.count("quiet") > 0;
    const auto target = store->root() / request.output_name;
    std::optional<fetch_events> events;
    if (json) events.emplace(request.remote_path, target.string(), /*progress_events=*/!quiet);
    // Lives until we return: during the linger its last store events still reach the sender.
    receiver::fetcher fetch(context, store, request);
    const auto run =
        run_with_progress(fetch, uploads->get(), quiet, events ? &*events : nullptr, stop);
    if (const auto& outcome = run.outcome; outcome.error) {
        // "No source left" says little; the class is that of why the last source went.
        const bool cause_known =
            outcome.error == make_error_code(errc::no_source) && outcome.last_source_error;
        // The message may quote a peer's ERROR text: report_failure makes it safe.
        return report_failure(
            "fetch", classify(cause_known ? outcome.last_source_error : outcome.error),
            outcome.message.empty() ? outcome.error.message() : outcome.message, json);
    }
    if (!quiet || json) print_summary(run, target, uploads->get(), events ? &*events : nullptr);
    if (*uploads) {
        linger(**uploads, values["linger"].as<double>(), stop);
        XLOG_INFO("fetch", "",
                  "uploaded " << (*uploads)->total_bytes_sent() << " bytes to "
                              << (*uploads)->receivers_served() << " receivers");
    }
    return exit_ok;
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
    if (!parsed.has("SOURCE") && !values.count("from") && !*tracker && !values.count("lan")) {
        // One argument and nowhere else to look: it names the peer, and the file is missing.
        return usage_error(spec, "missing PATH after SOURCE '" + parsed.arg("PATH") + "'");
    }
    if (values["output"].as<std::string>() == "-") {
        return usage_error(spec,
                           "-o - (standard output) is not supported: a fetch writes DIR/NAME so it "
                           "can verify and resume; give a directory");
    }
    auto request = request_from(parsed);
    if (!request) {
        std::fprintf(stderr, "xfer fetch: %s\n", request.error().c_str());
        return exit_usage;
    }
    const auto limit_up = rate_option(values, "limit-up");
    if (!limit_up) return usage_error(spec, limit_up.error());
    if (*limit_up > 0 && !values.count("listen"))
        return usage_error(spec,
                           "--limit-up needs --listen (a fetch uploads only while it serves)");
    auto tls = local_tls_context(values);
    if (!tls)
        return report_failure("fetch", failure_class::local_io, tls.error(),
                              json_requested(values));
    request->tls = std::move(*tls);
    auto check_options = sender_check_options_from(values, request->tls->our_id());
    if (!check_options) return usage_error(spec, check_options.error());
    const auto senders =
        std::make_shared<live_sender_check>(home_from(values).config, std::move(*check_options));
    auto hooks = sender_check_hooks_for(senders);
    request->check_sender = std::move(hooks.at_handshake);
    request->check_sender_hello = std::move(hooks.at_hello);
    const auto output = values["output"].as<std::string>();
    auto store = piece_store::open(output, /*create=*/true, home_from(values).cache / "manifests");
    if (!store) {
        return report_failure(
            "fetch", classify(store.error()),
            "cannot use output directory " + output + ": " + store.error().message(),
            json_requested(values));
    }
    const auto* stop = install_stop_signal_handlers();
    zmq::context_t context;
    const int status = fetch_in(context, parsed, *store, std::move(*request), *tracker, stop);
    context.close();
    // Said after the summary: which senders were taken on first contact, without proof.
    if (status == exit_ok && !values.count("quiet")) {
        for (const auto& note : senders->notes()) std::cout << "note: " << note << "\n";
    }
    return status;
}

}  // namespace xfer::cli
