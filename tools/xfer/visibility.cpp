#include "tools/xfer/visibility.hpp"

#include <stdexcept>

#include "shared/identity/identity_store.hpp"
#include "tools/xfer/home_option.hpp"

namespace xfer::cli {

void add_visibility_options(po::options_description& options) {
    options.add_options()("tracker", po::value<std::string>()->value_name("HOST[:PORT]"),
                          "register with the tracker at HOST[:PORT] (port 7421 by default)")(
        "name", po::value<std::string>()->value_name("NAME"),
        "name shown to other peers (default: host name)")(
        "no-lan",
        "do not announce on the LAN (UDP multicast 239.255.74.20:7422; XFER_LAN=off also)");
}

std::expected<std::optional<net::endpoint>, std::string> tracker_option(
    const po::variables_map& values) {
    if (!values.count("tracker")) return std::optional<net::endpoint>{};
    auto tracker =
        net::parse_endpoint(values["tracker"].as<std::string>(), net::default_tracker_port);
    if (!tracker) return std::unexpected(tracker.error());
    return std::optional<net::endpoint>{*tracker};
}

std::unique_ptr<discovery::presence> make_presence(zmq::context_t& context,
                                                   const po::variables_map& values,
                                                   const std::optional<net::endpoint>& tracker,
                                                   bool lan, const peer_id& id,
                                                   const net::endpoint& sender,
                                                   std::shared_ptr<piece_store> store) {
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
        for (const auto& summary : store->held_contents()) {
            held.push_back(
                {summary.id, summary.path, summary.size, summary.pieces_had, summary.piece_count});
        }
        return held;
    });
}

}  // namespace xfer::cli
