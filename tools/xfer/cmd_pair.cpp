// xfer pair HOST[:PORT] CODE: prove to a sender that we know the code its `xfer serve` printed,
// and remember each other as paired; from then on fetches from it need no code.
#include <cstdio>

#include "tools/xfer/command.hpp"
#include "tools/xfer/failure.hpp"
#include "tools/xfer/pairing_cli.hpp"
#include "tools/xfer/tls_identity.hpp"

namespace xfer::cli {
namespace {

void pair_options(po::options_description& options) {
    options.add_options()("timeout", po::value<double>()->default_value(10)->value_name("SECONDS"),
                          "how long to wait for the sender")(
        "name", po::value<std::string>()->value_name("NAME"),
        "the name the sender remembers us by (default: this host's name)");
    add_json_option(options);
}

}  // namespace

command_spec pair_spec() {
    return {
        .name = "pair",
        .summary = "pair with a sender once, with the code its 'xfer serve' prints",
        .positionals = {{"SOURCE", "the sender, HOST[:PORT] (port 7420 by default)"},
                        {"CODE", "the pairing code 'xfer serve' printed there (7-amber-forest)"}},
        .usage_tail = "[--timeout SECONDS] [--name NAME] [--json]",
        .more_usage = {},
        .notes =
            "Both sides prove they know the code without sending it (CPace, bound to the TLS\n"
            "session), then remember each other's peer ID as paired: the sender lets us read,\n"
            "we trust the sender at that address. A code pairs once, dies after 3 wrong tries\n"
            "and after its lifetime (10 minutes); 'xfer serve' then prints a new one. 'xfer\n"
            "fetch SOURCE PATH --code CODE' pairs and fetches in one step.\n",
        .examples =
            "  xfer pair 192.168.1.5 7-amber-forest      # then: xfer fetch "
            "192.168.1.5 FILE\n"
            "  xfer pair nas.lan:7000 7-amber-forest     # another port\n",
        .add_options = pair_options};
}

int run_pair(int argc, char** argv) {
    const auto spec = pair_spec();
    auto parsed = parse_command_line(argc, argv, spec);
    if (parsed.exit_now) return *parsed.exit_now;
    const auto source = net::parse_endpoint(parsed.arg("SOURCE"), net::default_sender_port);
    if (!source) return usage_error(spec, source.error());
    if (!(parsed.values["timeout"].as<double>() > 0))
        return usage_error(spec, "--timeout must be positive");
    auto tls = local_tls_context(parsed.values);
    if (!tls)
        return report_failure("pair", failure_class::local_io, tls.error(),
                              json_requested(parsed.values));
    return pair_and_remember("pair", parsed.values, *source, parsed.arg("CODE"), std::move(*tls));
}

}  // namespace xfer::cli
