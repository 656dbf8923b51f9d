// xfer serve DIR: share a directory (complete and partial files) until Ctrl-C.
#include <sys/stat.h>

#include <cstdio>
#include <iostream>
#include <thread>

#include "sender/sender.hpp"
#include "shared/core/log.hpp"
#include "tools/xfer/cli_options.hpp"
#include "tools/xfer/command.hpp"
#include "tools/xfer/failure.hpp"
#include "tools/xfer/home_option.hpp"
#include "tools/xfer/json_writer.hpp"
#include "tools/xfer/pairing_cli.hpp"
#include "tools/xfer/rate_option.hpp"
#include "tools/xfer/site_option.hpp"
#include "tools/xfer/tls_identity.hpp"
#include "tools/xfer/transfer_log_sink.hpp"
#include "tools/xfer/trust_options.hpp"
#include "tools/xfer/visibility.hpp"

namespace xfer::cli {

namespace {

void serve_options(po::options_description& options) {
    options.add_options()(
        "listen,l",
        po::value<std::string>()->default_value("0.0.0.0:7420")->value_name("HOST:PORT"),
        "where to listen (:0 picks a free port)")(
        "no-prehash",
        "do not hash shared files in the background at start (they are hashed on first fetch)");
    add_limit_option(options, "limit-up",
                     "upload at most RATE bytes/s over all receivers (500K, 10M, 1.5G; see man)");
    add_site_option(options);
    add_visibility_options(options);
    add_json_option(options);
    add_sender_trust_options(options);
    add_code_lifetime_option(options);
}

}  // namespace

command_spec serve_spec() {
    return {
        .name = "serve",
        .summary = "share a directory (complete and partial files)",
        .positionals = {{"DIR", "the directory to share, with everything below it"}},
        .usage_tail =
            "[--listen HOST:PORT] [--tracker HOST[:PORT]] [--name NAME] [--no-lan] "
            "[--limit-up RATE] [--site LABEL] [--public] [--code-lifetime SECONDS] [--json]",
        .more_usage = {},
        .notes =
            "Unless --public, serve prints a one-time code for new receivers, such as\n"
            "'pairing code: 7-amber-forest': 'xfer pair HOST CODE' (or 'xfer fetch HOST PATH\n"
            "--code CODE') on the other machine pairs the two once. A code that paired, expired\n"
            "or met 3 wrong tries is replaced by a new one, printed again.\n",
        .examples =
            "  xfer serve ~/share                        # all interfaces, port 7420, on the LAN\n"
            "  xfer serve ~/share --listen 127.0.0.1:0   # loopback, any free port\n"
            "  xfer serve ~/share --tracker 10.0.0.1     # also register with a tracker\n"
            "  xfer serve ~/share --limit-up 5M          # upload at most 5 MiB/s in all\n"
            "  xfer serve ~/share --allow ID             # paired peers and this one may read\n"
            "  xfer serve ~/public --public              # anyone who can reach it may read\n"
            "  xfer serve ~/share --code-lifetime 120    # pairing codes valid 2 minutes\n",
        .add_options = serve_options};
}

int run_serve(int argc, char** argv) {
    const auto spec = serve_spec();
    auto parsed = parse_command_line(argc, argv, spec);
    if (parsed.exit_now) return *parsed.exit_now;

    const auto dir = parsed.arg("DIR");
    const bool json = json_requested(parsed.values);
    const auto limit_up = rate_option(parsed.values, "limit-up");
    if (!limit_up) return usage_error(spec, limit_up.error());
    const auto site = site_option(parsed.values);
    if (!site) return usage_error(spec, site.error());
    struct stat info {};
    if (::stat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
        return report_failure("serve", failure_class::not_found, dir + ": not a directory", json);
    }
    const auto listen =
        net::parse_endpoint(parsed.values["listen"].as<std::string>(), net::default_sender_port);
    if (!listen) {
        std::fprintf(stderr, "xfer serve: %s\n", listen.error().c_str());
        return exit_usage;
    }
    const auto tracker = tracker_option(parsed.values);
    if (!tracker) return report_tracker_option_error("serve", tracker.error(), json);
    auto store =
        piece_store::open(dir, /*create=*/false, home_from(parsed.values).cache / "manifests");
    if (!store) {
        return report_failure("serve", classify(store.error()),
                              dir + ": " + store.error().message(), json);
    }
    auto tls = local_tls_context(parsed.values);
    if (!tls) return report_failure("serve", failure_class::local_io, tls.error(), json);
    auto read_options = read_policy_options_from(parsed.values, (*tls)->our_id());
    if (!read_options) {
        std::fprintf(stderr, "xfer serve: %s\n", read_options.error().c_str());
        return exit_usage;
    }
    const bool public_access = read_options->public_access;
    read_options->pairing_offered = !public_access;
    const auto notices = std::make_shared<serve_notices>();
    std::optional<sender::pairing_options> pairing;
    if (!public_access) {
        auto offered =
            serve_pairing_options(parsed.values, home_from(parsed.values).config, notices);
        if (!offered) return usage_error(spec, offered.error());
        pairing = std::move(*offered);
    }
    auto readers = std::make_shared<live_read_policy>(home_from(parsed.values).config,
                                                      std::move(*read_options));
    const auto* stop = install_stop_signal_handlers();
    zmq::context_t context;
    int status = exit_ok;
    {
        sender::sender_options sender_opts;
        sender_opts.listen = *listen;
        sender_opts.id = random_peer_id();
        sender_opts.tls = *tls;
        sender_opts.authorize = authorize_hook(readers);
        sender_opts.public_access = public_access;
        sender_opts.prehash = parsed.values.count("no-prehash") == 0;
        sender_opts.limit_up = *limit_up;
        sender_opts.site = *site;
        sender_opts.log_transfer = make_transfer_log_sink(home_from(parsed.values));
        sender_opts.pairing = pairing;
        auto running = sender::sender::start(context, *store, sender_opts);
        if (!running) return report_failure("serve", failure_class::network, running.error(), json);
        if (json) {
            emit(json_object("listening")
                     .text("dir", dir)
                     .text("address", (*running)->listening().to_string())
                     .text("who_may_read", readers->audience())
                     .number("limit_up", *limit_up));
        } else if (!parsed.values.count("quiet")) {
            std::cout << "who may read: " << readers->audience() << std::endl;
            std::cout << "serving " << dir << " on " << (*running)->listening().to_string()
                      << std::endl;
        }
        const auto visible =
            make_presence(context, parsed.values, *tracker, parsed.values.count("no-lan") == 0,
                          sender_opts.id, {listen->host, (*running)->listening().port}, *store);
        const bool quiet = parsed.values.count("quiet") > 0;
        while (!*stop) {
            notices->print_pending(json, quiet);
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        notices->print_pending(json, quiet);  // what came since, before "stopped"
        XLOG_INFO("serve", "", "stopping");
        if (json) {
            emit(json_object("stopped")
                     .number("bytes_sent", (*running)->total_bytes_sent())
                     .number("receivers_served", (*running)->receivers_served()));
        }
    }
    context.close();
    return status;
}

}  // namespace xfer::cli
