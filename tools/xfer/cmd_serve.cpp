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

namespace {

// Everything `serve` needs before it listens, each piece checked: a bad option or an unusable
// directory ends the command before anything is bound.
struct serve_setup {
    std::string dir;
    bool json = false;
    bool quiet = false;
    uint64_t limit_up = 0;
    std::string site;  // --site: told to receivers in the HELLO
    net::endpoint listen;
    std::optional<discovery::tracker_link> tracker;
    std::shared_ptr<piece_store> store;
    std::shared_ptr<const tls::tls_context> tls;
    std::shared_ptr<live_read_policy> readers;
    bool public_access = false;
    std::optional<sender::pairing_options> pairing;
    std::shared_ptr<serve_notices> notices = std::make_shared<serve_notices>();
};

// Who may read and, unless --public, the pairing codes offered to newcomers.
std::optional<int> prepare_readers(const parsed_options& parsed, const command_spec& spec,
                                   serve_setup& setup) {
    auto read_options = read_policy_options_from(parsed.values, setup.tls->our_id());
    if (!read_options) {
        std::fprintf(stderr, "xfer serve: %s\n", read_options.error().c_str());
        return exit_usage;
    }
    setup.public_access = read_options->public_access;
    read_options->pairing_offered = !setup.public_access;
    if (!setup.public_access) {
        auto offered =
            serve_pairing_options(parsed.values, home_from(parsed.values).config, setup.notices);
        if (!offered) return usage_error(spec, offered.error());
        setup.pairing = std::move(*offered);
    }
    setup.readers = std::make_shared<live_read_policy>(home_from(parsed.values).config,
                                                       std::move(*read_options));
    return std::nullopt;
}

// The setup, or the exit status of the one-line error already printed.
std::expected<serve_setup, int> prepare_serve(const parsed_options& parsed,
                                              const command_spec& spec) {
    serve_setup setup;
    setup.dir = parsed.arg("DIR");
    setup.json = json_requested(parsed.values);
    setup.quiet = parsed.values.count("quiet") > 0;
    const auto limit_up = rate_option(parsed.values, "limit-up");
    if (!limit_up) return std::unexpected(usage_error(spec, limit_up.error()));
    setup.limit_up = *limit_up;
    const auto site = site_option(parsed.values);
    if (!site) return std::unexpected(usage_error(spec, site.error()));
    setup.site = *site;
    struct stat info {};
    if (::stat(setup.dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
        return std::unexpected(report_failure("serve", failure_class::not_found,
                                              setup.dir + ": not a directory", setup.json));
    }
    const auto listen =
        net::parse_endpoint(parsed.values["listen"].as<std::string>(), net::default_sender_port);
    if (!listen) {
        std::fprintf(stderr, "xfer serve: %s\n", listen.error().c_str());
        return std::unexpected(exit_usage);
    }
    setup.listen = *listen;
    auto tracker = tracker_option(parsed.values);
    if (!tracker)
        return std::unexpected(report_tracker_option_error("serve", tracker.error(), setup.json));
    setup.tracker = std::move(*tracker);
    auto store = piece_store::open(setup.dir, /*create=*/false,
                                   home_from(parsed.values).cache / "manifests");
    if (!store) {
        return std::unexpected(report_failure("serve", classify(store.error()),
                                              setup.dir + ": " + store.error().message(),
                                              setup.json));
    }
    setup.store = std::move(*store);
    auto tls = local_tls_context(parsed.values);
    if (!tls)
        return std::unexpected(
            report_failure("serve", failure_class::local_io, tls.error(), setup.json));
    setup.tls = std::move(*tls);
    if (auto failed = prepare_readers(parsed, spec, setup)) return std::unexpected(*failed);
    return setup;
}

sender::sender_options sender_options_for(const serve_setup& setup, const parsed_options& parsed) {
    sender::sender_options options;
    options.listen = setup.listen;
    options.id = random_peer_id();
    options.tls = setup.tls;
    options.authorize = authorize_hook(setup.readers);
    options.public_access = setup.public_access;
    options.prehash = parsed.values.count("no-prehash") == 0;
    options.limit_up = setup.limit_up;
    options.site = setup.site;
    options.log_transfer = make_transfer_log_sink(home_from(parsed.values));
    options.pairing = setup.pairing;
    return options;
}

void say_listening(const serve_setup& setup, const net::endpoint& where) {
    if (setup.json) {
        emit(json_object("listening")
                 .text("dir", setup.dir)
                 .text("address", where.to_string())
                 .text("who_may_read", setup.readers->audience())
                 .number("limit_up", setup.limit_up));
    } else if (!setup.quiet) {
        std::cout << "who may read: " << setup.readers->audience() << std::endl;
        std::cout << "serving " << setup.dir << " on " << where.to_string() << std::endl;
    }
}

// Serves until SIGINT or SIGTERM, printing what the sender has to say (pairing codes) meanwhile.
int serve_until_stopped(zmq::context_t& context, const serve_setup& setup,
                        const parsed_options& parsed, const volatile int* stop) {
    const auto options = sender_options_for(setup, parsed);
    auto running = sender::sender::start(context, setup.store, options);
    if (!running)
        return report_failure("serve", failure_class::network, running.error(), setup.json);
    say_listening(setup, (*running)->listening());
    const auto visible =
        make_presence(context, parsed.values, setup.tracker, parsed.values.count("no-lan") == 0,
                      options.id, {setup.listen.host, (*running)->listening().port}, setup.store);
    while (!*stop) {
        setup.notices->print_pending(setup.json, setup.quiet);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    setup.notices->print_pending(setup.json, setup.quiet);  // what came since, before "stopped"
    XLOG_INFO("serve", "", "stopping");
    if (setup.json) {
        emit(json_object("stopped")
                 .number("bytes_sent", (*running)->total_bytes_sent())
                 .number("receivers_served", (*running)->receivers_served()));
    }
    return exit_ok;
}

}  // namespace

int run_serve(int argc, char** argv) {
    const auto spec = serve_spec();
    auto parsed = parse_command_line(argc, argv, spec);
    if (parsed.exit_now) return *parsed.exit_now;
    auto setup = prepare_serve(parsed, spec);
    if (!setup) return setup.error();
    const auto* stop = install_stop_signal_handlers();
    zmq::context_t context;
    const int status = serve_until_stopped(context, *setup, parsed, stop);
    context.close();
    return status;
}

}  // namespace xfer::cli
