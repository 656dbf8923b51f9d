#include "tools/xfer/visibility.hpp"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "shared/core/log.hpp"
#include "shared/discovery/known_trackers.hpp"
#include "shared/discovery/limits.hpp"
#include "shared/identity/identity_store.hpp"
#include "tools/xfer/command.hpp"
#include "tools/xfer/failure.hpp"
#include "tools/xfer/home_option.hpp"

namespace xfer::cli {

void add_visibility_options(po::options_description& options) {
    options.add_options()("tracker", po::value<std::string>()->value_name("[KEY@]HOST[:PORT]"),
                          "register with the tracker at HOST[:PORT] (port 7421 by default)");
    add_tracker_key_option(options);
    options.add_options()("name", po::value<std::string>()->value_name("NAME"),
                          "name shown to other peers (default: host name)")(
        "no-lan",
        "do not announce on the LAN (UDP multicast 239.255.74.20:7422; XFER_LAN=off also)");
}

void add_tracker_key_option(po::options_description& options) {
    options.add_options()("tracker-key", po::value<std::string>()->value_name("KEY"),
                          "the key the tracker printed at start (remembered for its address)");
}

namespace {

// The named key, from KEY@HOST:PORT and/or --tracker-key (which must agree).
std::expected<std::optional<discovery::tracker_key>, std::string> named_key(
    const po::variables_map& values, const discovery::tracker_locator& locator) {
    std::optional<discovery::tracker_key> named = locator.key;
    // XFER_TRACKER_KEY stands in for --tracker-key (a deployment sets it once for every peer).
    const char* from_environment = std::getenv("XFER_TRACKER_KEY");
    const bool option = values.count("tracker-key") > 0;
    if (!option && (from_environment == nullptr || *from_environment == '\0')) return named;
    const std::string text =
        option ? values["tracker-key"].as<std::string>() : std::string(from_environment);
    const char* source = option ? "--tracker-key" : "XFER_TRACKER_KEY";
    auto given = discovery::parse_tracker_key(text);
    if (!given) return std::unexpected(std::string(source) + ": " + given.error());
    if (named && *named != *given)
        return std::unexpected(std::string("--tracker and ") + source + " name two different keys");
    return std::optional<discovery::tracker_key>{*given};
}

// The command that forgets the key pinned for `address`, with this command's --home if any.
std::string forget_pin_command(const po::variables_map& values, const std::string& address) {
    std::string command = "xfer trust remove-tracker " + address;
    if (values.count("home")) command += " --home " + values["home"].as<std::string>();
    return command;
}

}  // namespace

std::expected<std::optional<discovery::tracker_link>, tracker_option_error> tracker_option(
    const po::variables_map& values) {
    if (!values.count("tracker")) {
        if (values.count("tracker-key"))
            return std::unexpected(tracker_option_error{"--tracker-key needs --tracker"});
        return std::optional<discovery::tracker_link>{};
    }
    auto locator = discovery::parse_tracker_locator(values["tracker"].as<std::string>(),
                                                    net::default_tracker_port);
    if (!locator) return std::unexpected(tracker_option_error{"--tracker: " + locator.error()});
    auto named = named_key(values, *locator);
    if (!named) return std::unexpected(tracker_option_error{named.error()});
    const auto config = home_from(values).config;
    auto pins = discovery::load_known_trackers(config);
    if (!pins) return std::unexpected(tracker_option_error{pins.error(), false});
    for (const auto& warning : pins->warnings) XLOG_WARN("tracker", "", warning);
    const auto address = locator->endpoint.to_string();
    const auto pinned = pins->keys.find(address);
    const bool has_pin = pinned != pins->keys.end();
    const auto forget = forget_pin_command(values, address);
    if (*named && has_pin && **named != pinned->second) {
        return std::unexpected(tracker_option_error{
            "tracker " + address + ": the key given, " + discovery::format_tracker_key(**named) +
                ", is not the key pinned for it, " + discovery::format_tracker_key(pinned->second) +
                " (" + discovery::known_trackers_path(config).string() +
                "); if the tracker's key really changed (check the key it prints at start), "
                "forget the old one with `" +
                forget + "` and run again",
            false});
    }
    if (!*named && !has_pin) {
        return std::unexpected(tracker_option_error{
            "no key known for tracker " + address +
                ": name the key it prints at start, --tracker KEY@" + address +
                " or --tracker-key KEY (it is remembered once the tracker proves it)",
            false});
    }
    discovery::tracker_link link{locator->endpoint, *named ? **named : pinned->second, {}};
    if (!*named)
        link.when_pinned_key_fails = "if its key really changed, forget the pinned one with `" +
                                     forget + "` and name the new key";
    if (!has_pin) {
        link.on_proven = [config, address, key = link.key] {
            if (auto pinned_now = discovery::pin_tracker_key(config, address, key); !pinned_now)
                XLOG_WARN("tracker", address, pinned_now.error());
            else
                XLOG_INFO("tracker", address, "remembered its key");
        };
    }
    return std::optional<discovery::tracker_link>{std::move(link)};
}

int report_tracker_option_error(std::string_view command, const tracker_option_error& error,
                                bool json) {
    if (error.usage) {
        std::fprintf(stderr, "xfer %.*s: %s\n", static_cast<int>(command.size()), command.data(),
                     error.message.c_str());
        return exit_usage;
    }
    return report_failure(command, failure_class::refused, error.message, json);
}

std::unique_ptr<discovery::presence> make_presence(
    zmq::context_t& context, const po::variables_map& values,
    const std::optional<discovery::tracker_link>& tracker, bool lan, const peer_id& id,
    const net::endpoint& sender, std::shared_ptr<piece_store> store) {
    if (!tracker && !lan) return nullptr;
    discovery::presence::options options;
    options.tracker = tracker;
    options.lan = lan;
    if (values.count("name")) options.name = values["name"].as<std::string>();
    options.id = id;
    options.sender = sender;
    {
        // LAN announcements and tracker registrations are signed with this installation's key.
        auto identity = identity::load_or_create_identity(home_from(values).config);
        if (!identity) throw std::runtime_error(identity.error());
        options.signer =
            std::make_shared<const discovery::lan::datagram_signer>(identity->key.get());
    }
    return std::make_unique<discovery::presence>(context, options, [store] {
        std::vector<discovery::held_content> held;
        for (const auto& summary : store->held_contents(discovery::limits::max_contents_per_peer)) {
            held.push_back(
                {summary.id, summary.path, summary.size, summary.pieces_had, summary.piece_count});
        }
        return held;
    });
}

}  // namespace xfer::cli
