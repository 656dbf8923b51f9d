// xfer tracker: a discovery server. Peers register and heartbeat over a ZeroMQ ROUTER; every
// join and leave is pushed at once to subscribers over a PUB (see docs/DISCOVERY.md). Both are
// CURVE servers with the tracker's long-term key (CONFIG/tracker/curve_secret), printed at start
// for clients to name.
#include <cstdio>
#include <stdexcept>
#include <zmq.hpp>

#include "shared/discovery/tracker_server.hpp"
#include "tools/xfer/cli_options.hpp"
#include "tools/xfer/command.hpp"
#include "tools/xfer/failure.hpp"
#include "tools/xfer/home_option.hpp"
#include "tools/xfer/json_writer.hpp"

namespace xfer::cli {

namespace {

void tracker_options(po::options_description& options) {
    // clang-format off
    options.add_options()
        ("listen", po::value<std::string>()->default_value("0.0.0.0:7421")->value_name("HOST:PORT"),
         "where to take registrations and queries (PORT 0: any free port)")
        ("pub-port", po::value<unsigned>()->value_name("PORT"),
         "TCP port for pushed membership changes (default: PORT+1 if free, else any; clients ask)")
        ("heartbeat-timeout", po::value<double>()->default_value(5.0)->value_name("SECONDS"),
         "time without a heartbeat before a peer is dropped (peers heartbeat 5 times as often)");
    // clang-format on
    add_json_option(options);
}

}  // namespace

command_spec tracker_spec() {
    return {.name = "tracker",
            .summary = "run a discovery server that pushes the live peer list",
            .positionals = {},
            .usage_tail = "[--listen HOST:PORT] [--pub-port PORT]",
            .more_usage = {},
            .notes =
                "The tracker's key (CONFIG/tracker/curve_secret, made on first start) is printed\n"
                "at start: clients name it once (--tracker KEY@HOST:PORT or --tracker-key KEY)\n"
                "and remember it for HOST:PORT; a tracker that cannot prove it is refused.\n",
            .examples =
                "  xfer tracker                          # on 0.0.0.0:7421, pushes on 7422\n"
                "  xfer tracker --listen 127.0.0.1:0     # any free port, printed on stdout\n"
                "  xfer tracker --json                   # {\"event\":\"listening\",...}\n",
            .add_options = tracker_options};
}

int run_tracker(int argc, char** argv) {
    const auto spec = tracker_spec();
    const auto parsed = parse_command_line(argc, argv, spec);
    if (parsed.exit_now) return *parsed.exit_now;
    const auto& values = parsed.values;

    discovery::tracker_server::options server_options;
    const auto listen =
        net::parse_endpoint(values["listen"].as<std::string>(), net::default_tracker_port);
    if (!listen) {
        std::fprintf(stderr, "xfer tracker: %s\n", listen.error().c_str());
        return exit_usage;
    }
    server_options.listen = *listen;
    if (values.count("pub-port")) {
        const unsigned port = values["pub-port"].as<unsigned>();
        if (port > 65535) {
            std::fprintf(stderr, "xfer tracker: --pub-port %u is not a port number\n", port);
            return exit_usage;
        }
        server_options.pub_port = static_cast<uint16_t>(port);
    }
    const double timeout = values["heartbeat-timeout"].as<double>();
    if (!(timeout >= 0.5 && timeout <= 600)) {
        std::fprintf(stderr,
                     "xfer tracker: --heartbeat-timeout must be between 0.5 and 600 seconds\n");
        return exit_usage;
    }
    server_options.heartbeat_timeout = std::chrono::milliseconds{static_cast<long>(timeout * 1000)};

    const bool json = json_requested(values);
    auto key = discovery::tracker_keypair::load_or_create(home_from(values).config);
    if (!key) return report_failure("tracker", failure_class::local_io, key.error(), json);
    const auto shown_key = discovery::format_tracker_key(key->public_key());
    server_options.key = std::make_shared<const discovery::tracker_keypair>(std::move(*key));

    const volatile int* stop = install_stop_signal_handlers();
    zmq::context_t context;
    try {
        discovery::tracker_server server(context, server_options);
        // The key first: whoever waits for the "listening" line has the key by then.
        const auto where = server.endpoint().to_string();
        if (json) {
            emit(json_object("listening")
                     .text("address", where)
                     .text("key", shown_key)
                     .text("clients", "--tracker " + shown_key + "@" + where));
        } else {
            std::printf("tracker key: %s\n", shown_key.c_str());
            std::printf("tracker listening on %s\n", where.c_str());
            std::printf("clients: --tracker %s@%s\n", shown_key.c_str(), where.c_str());
            std::fflush(stdout);
        }
        server.run([stop] { return *stop != 0; });
    } catch (const std::exception& e) {
        return report_failure("tracker", failure_class::network, e.what(), json);
    }
    if (json) emit(json_object("stopped"));
    return exit_ok;
}

}  // namespace xfer::cli
