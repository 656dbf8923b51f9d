// xfer fetch [SOURCE] PATH: download PATH, verified piece by piece, resumable, from every source
// at once; with --listen, serve what we have meanwhile.
#include <unistd.h>

#include <chrono>
#include <cstdio>
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
#include "tools/xfer/format.hpp"
#include "tools/xfer/progress_display.hpp"
#include "tools/xfer/visibility.hpp"
#include "shared/discovery/peer_finder.hpp"

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
    const auto deadline = start + std::chrono::milliseconds(static_cast<long>(limit_seconds * 1000));
    constexpr auto grace = std::chrono::milliseconds(1500);
    while (!*stop && clock::now() < deadline) {
        if (uploads.receivers_with_open_content() == 0 &&
            (uploads.receivers_served() > 0 || clock::now() - start > grace)) {
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace

int run_fetch(int argc, char** argv) {
    po::options_description options("options");
    options.add_options()
        ("args", po::value<std::vector<std::string>>(), "[SOURCE] PATH")
        ("output,o", po::value<std::string>()->default_value("."), "directory to write NAME into (created if missing)")
        ("from", po::value<std::vector<std::string>>()->composing(), "another source HOST[:PORT] (repeatable)")
        ("listen,l", po::value<std::string>(), "also serve what we have on HOST:PORT while fetching")
        ("range", po::value<std::string>(), "fetch only START:END (bytes or %, rounded to whole pieces)")
        ("force", "replace OUTDIR/NAME if it exists with other content")
        ("linger", po::value<double>()->default_value(30), "with --listen: seconds to keep serving after completion while receivers still need pieces")
        ("stall-timeout", po::value<double>()->default_value(10), "seconds without data before a source is dropped")
        ("memory", po::value<size_t>()->default_value(32), "MiB of piece buffers")
        ("tracker", po::value<std::string>(), "find every peer that has PATH through the tracker at HOST[:PORT] (and, with --listen, register there)")
        ("lan", "find peers that have PATH on the LAN (and, with --listen, announce there)")
        ("name", po::value<std::string>(), "with --listen: name shown to other peers");
    po::positional_options_description positionals;
    positionals.add("args", 2);
    auto parsed = parse_command_line(
        argc, argv, options, positionals, "xfer fetch [SOURCE] PATH [-o OUTDIR] [--from SOURCE]... [--listen HOST:PORT]",
        "  xfer fetch 192.168.1.5 isos/debian.iso              # into ./debian.iso\n"
        "  xfer fetch 10.0.0.2:7000 data.tar -o /srv/in        # other port, other directory\n"
        "  xfer fetch a.lan big.img --from b.lan --from c.lan  # three sources at once\n"
        "  xfer fetch a.lan big.img --range 0:50% --listen :7420  # first half, served meanwhile\n"
        "  xfer fetch --tracker 10.0.0.1 big.img --listen :7420  # from every peer the tracker knows\n"
        "  xfer fetch --lan big.img                            # from the peers heard on the LAN\n");
    if (parsed.exit_now) return *parsed.exit_now;
    const auto& values = parsed.values;
    const auto args = values.count("args") ? values["args"].as<std::vector<std::string>>() : std::vector<std::string>{};
    if (args.empty()) {
        std::fprintf(stderr, "xfer fetch: missing PATH (see 'xfer fetch --help')\n");
        return exit_usage;
    }
    receiver::fetch_request request;
    request.remote_path = args.back();
    std::vector<std::string> source_texts;
    if (args.size() == 2) source_texts.push_back(args.front());
    if (values.count("from")) {
        for (const auto& from : values["from"].as<std::vector<std::string>>()) source_texts.push_back(from);
    }
    const auto tracker = tracker_option(values);
    if (!tracker) {
        std::fprintf(stderr, "xfer fetch: %s\n", tracker.error().c_str());
        return exit_usage;
    }
    const bool lan = values.count("lan") > 0;
    if (source_texts.empty() && !*tracker && !lan) {
        std::fprintf(stderr, "xfer fetch: no source given: xfer fetch HOST[:PORT] PATH (or --tracker/--lan)\n");
        return exit_usage;
    }
    for (const auto& text : source_texts) {
        auto source = net::parse_endpoint(text, net::default_sender_port);
        if (!source) {
            std::fprintf(stderr, "xfer fetch: %s\n", source.error().c_str());
            return exit_usage;
        }
        request.sources.push_back(*source);
    }
    if (request.remote_path.size() > wire::max_path_length) {
        std::fprintf(stderr, "xfer fetch: path is longer than %zu bytes\n", wire::max_path_length);
        return exit_usage;
    }
    request.output_name = last_component(request.remote_path);
    if (request.output_name.empty() || request.output_name == "." || request.output_name == "..") {
        std::fprintf(stderr, "xfer fetch: '%s' does not name a file\n", request.remote_path.c_str());
        return exit_usage;
    }
    if (values.count("range")) {
        auto range = receiver::parse_byte_range(values["range"].as<std::string>());
        if (!range) {
            std::fprintf(stderr, "xfer fetch: %s\n", range.error().c_str());
            return exit_usage;
        }
        request.range = *range;
    }
    request.overwrite = values.count("force") > 0;
    request.id = random_peer_id();
    request.stall_timeout = std::chrono::milliseconds(static_cast<long>(values["stall-timeout"].as<double>() * 1000));
    request.memory_budget = values["memory"].as<size_t>() * 1024 * 1024;
    request.hash_threads = std::max(1u, std::thread::hardware_concurrency() - 1);

    const auto output = values["output"].as<std::string>();
    auto store = piece_store::open(output, /*create=*/true);
    if (!store) {
        std::fprintf(stderr, "xfer fetch: cannot use output directory %s: %s\n", output.c_str(),
                     store.error().message().c_str());
        return exit_failure;
    }
    const auto* stop = install_stop_signal_handlers();
    zmq::context_t context;
    int status = exit_ok;
    {
        std::unique_ptr<sender::sender> uploads;
        if (values.count("listen")) {
            auto listen = net::parse_endpoint(values["listen"].as<std::string>(), net::default_sender_port);
            if (!listen) {
                std::fprintf(stderr, "xfer fetch: %s\n", listen.error().c_str());
                return exit_usage;
            }
            sender::sender_options sender_opts;
            sender_opts.listen = *listen;
            sender_opts.id = request.id;
            sender_opts.prehash = false;  // our own store holds what we fetch, already hashed
            auto started = sender::sender::start(context, *store, sender_opts);
            if (!started) {
                std::fprintf(stderr, "xfer fetch: %s\n", started.error().c_str());
                return exit_failure;
            }
            uploads = std::move(*started);
            request.listen_port = uploads->listening().port;
            request.connect_retry_window = std::chrono::seconds(10);
            if (listen->host != "0.0.0.0" && listen->host != "::") request.listen_host = listen->host;
        }

        const auto visible = uploads ? make_presence(context, values, *tracker, lan, request.id,
                                                     uploads->listening(), *store)
                                     : nullptr;
        std::unique_ptr<discovery::peer_finder> finder;
        if (*tracker || lan) {
            finder = std::make_unique<discovery::peer_finder>(
                context, discovery::peer_finder::options{*tracker, lan, request.remote_path, std::nullopt, request.id});
            request.wait_for_peers = true;
            if (request.sources.empty()) {
                // Asked once up front, so "nobody has it" is a clear error rather than a wait.
                // A holder that just started registers its contents within a heartbeat or two,
                // so an empty first answer is asked again for a few seconds.
                const auto patience = lan && !*tracker ? std::chrono::milliseconds(2500) : std::chrono::milliseconds(5000);
                const auto deadline = std::chrono::steady_clock::now() + patience;
                auto holders = finder->current_holders(std::chrono::milliseconds(500));
                while (holders.empty() && !*stop && std::chrono::steady_clock::now() < deadline) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(250));
                    holders = finder->current_holders(std::chrono::milliseconds(500));
                }
                if (holders.empty()) {
                    std::fprintf(stderr, "xfer fetch: no peer has %s (asked %s)\n", request.remote_path.c_str(),
                                 *tracker ? ("the tracker at " + (*tracker)->to_string()).c_str() : "the LAN");
                    return exit_failure;
                }
            }
        }
        const bool show_progress = !values.count("quiet");
        progress_display display(show_progress);
        const auto start = std::chrono::steady_clock::now();
        receiver::fetcher fetch(context, *store, request);
        const auto outcome = fetch.run(stop, [&](const receiver::fetch_progress& progress) {
            display.update(progress, uploads ? uploads->peer_stats() : std::vector<sender::upload_peer_stats>{});
        });
        display.finish();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (outcome.error) {
            // The message may quote a peer's ERROR text.
            std::fprintf(stderr, "xfer fetch: %s\n",
                         safe_text(outcome.message.empty() ? outcome.error.message() : outcome.message).c_str());
            status = outcome.error == make_error_code(errc::cancelled) ? exit_interrupted : exit_failure;
        } else {
            const auto target = (*store)->root() / request.output_name;
            std::cout << "fetched " << (outcome.whole_file ? target.string() : target.string() + " (range, partial kept)")
                      << ": " << format_bytes(static_cast<double>(outcome.wanted_bytes)) << " in "
                      << format_seconds(seconds) << " ("
                      << format_rate(seconds > 0 ? static_cast<double>(outcome.downloaded_bytes) / seconds : 0)
                      << ", " << outcome.downloaded_bytes << " bytes downloaded"
                      << (uploads ? ", " + std::to_string(uploads->total_bytes_sent()) + " uploaded" : std::string())
                      << ")" << std::endl;
            if (uploads) {
                linger(*uploads, values["linger"].as<double>(), stop);
                XLOG_INFO("fetch", "", "uploaded " << uploads->total_bytes_sent() << " bytes to "
                                                   << uploads->receivers_served() << " receivers");
            }
        }
    }
    context.close();
    return status;
}

}  // namespace xfer::cli
