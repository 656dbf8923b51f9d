#include "tools/xfer/fetch_paths.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <expected>
#include <iostream>
#include <thread>

#include "sender/sender.hpp"
#include "shared/core/error.hpp"
#include "shared/core/log.hpp"
#include "shared/core/safe_text.hpp"
#include "shared/discovery/peer_finder.hpp"
#include "tools/xfer/command.hpp"
#include "tools/xfer/failure.hpp"
#include "tools/xfer/fetch_discovery.hpp"
#include "tools/xfer/fetch_events.hpp"
#include "tools/xfer/home_option.hpp"
#include "tools/xfer/linger.hpp"
#include "tools/xfer/progress_display.hpp"
#include "tools/xfer/rate_option.hpp"
#include "tools/xfer/stats_report.hpp"
#include "tools/xfer/transfer_log_sink.hpp"
#include "tools/xfer/trust_options.hpp"
#include "tools/xfer/visibility.hpp"

namespace xfer::cli {

std::string last_component(const std::string& path) {
    auto trimmed = path;
    while (!trimmed.empty() && trimmed.back() == '/') trimmed.pop_back();
    const auto slash = trimmed.rfind('/');
    return slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
}

namespace {

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
    // Who may read from a fetch's sender: its own installation, paired peers, and those
    // --allow, --allow-file or --public admit (checked in run_fetch).
    auto readers = read_policy_options_from(values, request.tls->our_id());
    if (!readers) {
        std::fprintf(stderr, "xfer fetch: %s\n", readers.error().c_str());
        return std::unexpected(exit_usage);
    }
    sender_opts.public_access = readers->public_access;
    sender_opts.authorize = authorize_hook(
        std::make_shared<live_read_policy>(home_from(values).config, std::move(*readers)));
    sender_opts.prehash = false;  // our own store holds what we fetch, already hashed
    sender_opts.limit_up = limit_up.value_or(0);
    sender_opts.site = request.site;
    sender_opts.log_transfer = make_transfer_log_sink(home_from(values));
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

// A finished fetch kept for the linger, with the finder its source check asks (destroyed after
// it: members go in reverse order).
struct kept_fetch {
    std::unique_ptr<discovery::peer_finder> finder;
    std::unique_ptr<receiver::fetcher> fetch;
};

// What one path came to.
struct path_result {
    int status = exit_ok;
    std::string target;
    fetch_summary summary;  // when status is exit_ok
    receiver::fetch_stats stats;
};

// Everything one path needs that is the same for every path of the command.
struct shared_run {
    zmq::context_t& context;
    const parsed_options& parsed;
    const std::shared_ptr<piece_store>& store;
    const std::optional<discovery::tracker_link>& tracker;
    const sender::sender* uploads;
    progress_display& display;
    const volatile int* stop;
};

// The terminal display, or (with --json, `events` set) the events; never both. `label` names
// the path on the display ("[2/3] photos" when there are several).
fetch_summary run_with_progress(receiver::fetcher& fetch, const shared_run& shared,
                                const std::string& label, fetch_events* events,
                                receiver::fetch_outcome& outcome) {
    shared.display.next_content();
    const auto start = std::chrono::steady_clock::now();
    fetch_summary summary;
    outcome = fetch.run(shared.stop, [&](const receiver::fetch_progress& progress) {
        summary.resumed_bytes = progress.resumed_bytes;
        const auto upload_stats = shared.uploads ? shared.uploads->peer_stats()
                                                 : std::vector<sender::upload_peer_stats>{};
        if (events) return events->update(progress, upload_stats);
        auto shown = progress;
        shown.name = label;
        shared.display.update(shown, upload_stats);
    });
    shared.display.finish();
    summary.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    summary.whole_file = outcome.whole_file;
    summary.wanted_bytes = outcome.wanted_bytes;
    summary.downloaded_bytes = outcome.downloaded_bytes;
    if (const auto& entry = outcome.entry; entry && entry->is_tree())
        summary.file_count = entry->files->file_count();
    summary.uploading = shared.uploads != nullptr;
    summary.uploaded_bytes = shared.uploads ? shared.uploads->total_bytes_sent() : 0;
    return summary;
}

// One path: discovery when asked for, the fetch, and its failure line naming the path.
path_result fetch_one(const shared_run& shared, const receiver::fetch_request& request,
                      const std::string& label, std::vector<kept_fetch>& kept) {
    const auto& values = shared.parsed.values;
    const bool json = json_requested(values);
    path_result result;
    result.target = (shared.store->root() / request.output_name).string();
    auto wanted = request;
    // Declared before the fetcher: the source check the fetcher calls asks the finder.
    auto finder = start_discovery(shared.context, values, shared.tracker, wanted, shared.stop);
    if (!finder) {
        result.status = finder.error();
        return result;
    }
    std::optional<fetch_events> events;
    if (json) events.emplace(request.remote_path, result.target, !values.count("quiet"));
    auto fetch = std::make_unique<receiver::fetcher>(shared.context, shared.store, wanted);
    receiver::fetch_outcome outcome;
    result.summary = run_with_progress(*fetch, shared, label, events ? &*events : nullptr, outcome);
    log_fetch(home_from(values), wanted, outcome, result.summary.seconds, *shared.stop != 0);
    result.summary.target = result.target;
    // With --listen its last store events must still reach the sender during the linger.
    if (shared.uploads) kept.push_back({std::move(*finder), std::move(fetch)});
    if (outcome.error) {
        // "No source left" says little; the class is that of why the last source went.
        const bool cause_known =
            outcome.error == make_error_code(errc::no_source) && outcome.last_source_error;
        auto message = outcome.message.empty() ? outcome.error.message() : outcome.message;
        // Named by the path, however the cause reads (a refused connection names only the peer).
        if (message.find(request.output_name) == std::string::npos)
            message = request.remote_path + ": " + message;
        // The message may quote a peer's ERROR text: report_failure makes it safe.
        result.status = report_failure(
            "fetch", classify(cause_known ? outcome.last_source_error : outcome.error), message,
            json, request.remote_path);
        return result;
    }
    result.stats = outcome.stats;
    if (events) events->done(result.summary, result.stats);
    return result;
}

// The paths that arrived, as one: "fetched 3 paths into DIR  12 files, ..." on a terminal.
fetch_summary batch_summary(const std::vector<path_result>& results, size_t asked,
                            const std::filesystem::path& root, double seconds) {
    fetch_summary total;
    size_t arrived = 0;
    for (const auto& result : results) {
        if (result.status != exit_ok) continue;
        ++arrived;
        const auto& one = result.summary;
        total.whole_file = total.whole_file && one.whole_file;
        total.wanted_bytes += one.wanted_bytes;
        total.downloaded_bytes += one.downloaded_bytes;
        total.resumed_bytes += one.resumed_bytes;
        total.file_count += one.file_count > 0 ? one.file_count : 1;
        total.uploading = one.uploading;
        total.uploaded_bytes = std::max(total.uploaded_bytes, one.uploaded_bytes);
    }
    total.target = (arrived == asked ? std::to_string(asked)
                                     : std::to_string(arrived) + " of " + std::to_string(asked)) +
                   " paths into " + root.string();
    total.seconds = seconds;
    return total;
}

// --stats: where each path's time went, on stderr (stdout may carry the file or JSON).
void print_stats(const std::vector<path_result>& results, const std::vector<std::string>& paths) {
    for (size_t i = 0; i < results.size(); ++i) {
        if (results[i].status != exit_ok) continue;
        if (paths.size() > 1) std::cerr << "stats of " << safe_text(paths[i]) << ":\n";
        for (const auto& line : stats_lines(results[i].stats)) std::cerr << line << "\n";
    }
    std::cerr << std::flush;
}

void print_summary(const fetch_summary& summary) {
    // Fitted to a terminal; a script reading stdout always gets the whole line.
    const int width = ::isatty(STDOUT_FILENO) ? query_terminal_size(STDOUT_FILENO).columns : 0;
    std::cout << layout_summary(summary, width) << std::endl;
}

}  // namespace

int fetch_paths(zmq::context_t& context, const parsed_options& parsed,
                const std::shared_ptr<piece_store>& store, receiver::fetch_request base,
                const std::vector<std::string>& paths,
                const std::optional<discovery::tracker_link>& tracker, const volatile int* stop) {
    const auto& values = parsed.values;
    const bool json = json_requested(values);
    const bool quiet = values.count("quiet") > 0;
    auto uploads = start_uploads(context, values, store, base);
    if (!uploads) return uploads.error();
    const auto visible = *uploads ? make_presence(context, values, tracker, values.count("lan") > 0,
                                                  base.id, (*uploads)->listening(), store)
                                  : nullptr;
    progress_display display(!quiet && !json);
    const shared_run shared{context, parsed, store, tracker, uploads->get(), display, stop};
    std::vector<kept_fetch> kept;
    std::vector<path_result> results;
    const auto start = std::chrono::steady_clock::now();
    int status = exit_ok;
    for (size_t i = 0; i < paths.size() && !*stop; ++i) {
        auto request = base;
        request.remote_path = paths[i];
        request.output_name = last_component(paths[i]);
        const auto label = paths.size() == 1
                               ? request.output_name
                               : "[" + std::to_string(i + 1) + "/" + std::to_string(paths.size()) +
                                     "] " + request.output_name;
        results.push_back(fetch_one(shared, request, label, kept));
        if (status == exit_ok) status = results.back().status;
        if (results.back().status == exit_status(failure_class::interrupted)) break;
    }
    // Stopped between two paths: the rest were never asked for.
    if (results.size() < paths.size() && status == exit_ok)
        status = report_failure("fetch", failure_class::interrupted, "interrupted", json);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (paths.size() == 1) {
        // With -o -, stdout carries the file: no summary there.
        const bool to_stdout = values["output"].as<std::string>() == "-";
        if (status == exit_ok && !quiet && !json && !to_stdout)
            print_summary(results.front().summary);
    } else {
        size_t arrived = 0;
        for (const auto& result : results) arrived += result.status == exit_ok ? 1 : 0;
        const auto total = batch_summary(results, paths.size(), store->root(), seconds);
        if (json) emit_batch_summary(total, paths.size(), arrived);
        if (!quiet && !json && arrived > 0) print_summary(total);
        if (arrived < paths.size() && status != exit_status(failure_class::interrupted)) {
            std::fprintf(stderr, "xfer fetch: %zu of %zu paths failed\n", paths.size() - arrived,
                         paths.size());
        }
    }
    if (values.count("stats")) print_stats(results, paths);
    if (*uploads && status == exit_ok) {
        linger(**uploads, values["linger"].as<double>(), stop);
        XLOG_INFO("fetch", "",
                  "uploaded " << (*uploads)->total_bytes_sent() << " bytes to "
                              << (*uploads)->receivers_served() << " receivers");
    }
    return status;
}

}  // namespace xfer::cli
