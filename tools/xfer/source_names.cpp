#include "tools/xfer/source_names.hpp"

#include <arpa/inet.h>
#include <poll.h>

#include <algorithm>

#include "shared/core/safe_text.hpp"
#include "shared/discovery/lan_socket.hpp"
#include "shared/identity/peer_id.hpp"
#include "shared/trust/known_peers_file.hpp"
#include "tools/xfer/source_names_tracker.hpp"

namespace xfer::cli {
namespace {

constexpr size_t min_id_prefix = 7;

bool id_starts_with(const identity::peer_id& id, std::string_view prefix) {
    return prefix.size() >= min_id_prefix && identity::format_peer_id(id).starts_with(prefix);
}

// The address of the trust store's peer called `name` (or with that ID prefix), if it has one;
// an error when several known peers with addresses answer to it.
std::expected<std::optional<std::string>, std::string> known_address(std::string_view name,
                                                                     const xfer_home& home) {
    const auto loaded = trust::load_known_peers(home.config);
    if (!loaded) return std::nullopt;
    std::vector<const trust::known_peer*> matches;
    for (const auto& peer : loaded->table.all()) {
        if ((peer.name == name || id_starts_with(peer.id, name)) && !peer.addresses.empty())
            matches.push_back(&peer);
    }
    if (matches.empty()) return std::nullopt;
    if (matches.size() > 1)
        return std::unexpected(std::to_string(matches.size()) + " known peers answer to '" +
                               safe_text(name) +
                               "': give the peer ID instead (xfer trust lists them)");
    return matches.front()->addresses.front();
}

// Peers answering to `name` heard on the LAN within `wait` (early once one answers).
std::vector<discovery::peer_record> heard_on_lan(std::string_view name,
                                                 std::chrono::milliseconds wait) {
    const auto config = discovery::lan::lan_config::from_environment();
    if (!config.enabled) return {};
    discovery::lan::lan_listener listener(config);
    if (!listener.ok()) return {};
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (auto now = std::chrono::steady_clock::now(); now < deadline;
         now = std::chrono::steady_clock::now()) {
        pollfd item{listener.fd(), POLLIN, 0};
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
        ::poll(&item, 1, static_cast<int>(std::min<int64_t>(left.count(), 200)));
        listener.receive(std::chrono::steady_clock::now());
        auto matches = peers_called(name, listener.directory().peers().list());
        if (!matches.empty()) return matches;
    }
    return {};
}

// "2 peers on the tracker answer to 'box' (ABCDEFG at 10.0.0.1:7420, HIJKLMN at ...): give the
// peer ID instead (xfer peers lists them)".
std::string ambiguous(std::string_view name, std::string_view where,
                      const std::vector<discovery::peer_record>& peers) {
    std::string text = std::to_string(peers.size()) + " peers " + std::string(where) +
                       " answer to '" + safe_text(name) + "' (";
    for (size_t i = 0; i < peers.size(); ++i) {
        if (i > 0) text += ", ";
        text += identity::format_peer_id(peers[i].identity).substr(0, min_id_prefix) + " at " +
                peers[i].sender.to_string();
    }
    return text + "): give the peer ID instead (xfer peers lists them)";
}

// The one peer among `heard` (from `where`), its port replaced by a typed one; an error when
// several answer; nullopt when none does.
std::expected<std::optional<net::endpoint>, source_error> the_one_heard(
    const net::endpoint& typed, bool port_given, std::string_view where,
    const std::vector<discovery::peer_record>& heard) {
    if (heard.size() > 1)
        return std::unexpected(
            source_error{failure_class::not_found, ambiguous(typed.host, where, heard)});
    if (heard.empty()) return std::nullopt;
    auto found = heard.front().sender;
    if (port_given) found.port = typed.port;
    return found;
}

}  // namespace

bool written_as_address(std::string_view host) {
    if (host == "localhost" || host.find('.') != std::string_view::npos ||
        host.find(':') != std::string_view::npos)
        return true;
    in_addr v4{};
    return ::inet_pton(AF_INET, std::string(host).c_str(), &v4) == 1;
}

bool valid_host_label(std::string_view name) {
    if (name.empty() || name.size() > 63 || name.front() == '-' || name.back() == '-') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-';
    });
}

std::vector<discovery::peer_record> peers_called(std::string_view name,
                                                 const std::vector<discovery::peer_record>& heard) {
    std::vector<discovery::peer_record> matches;
    for (const auto& record : heard) {
        if (record.name == name || id_starts_with(record.identity, name)) matches.push_back(record);
    }
    return matches;
}

std::expected<net::endpoint, source_error> resolve_source(
    std::string_view text, const xfer_home& home, std::chrono::milliseconds lan_wait,
    const std::optional<discovery::tracker_link>& tracker, std::chrono::milliseconds tracker_wait) {
    auto typed = net::parse_endpoint(text, net::default_sender_port);
    if (!typed) return std::unexpected(source_error{failure_class::usage, typed.error()});
    const bool port_given = text.find(':') != std::string_view::npos;
    if (written_as_address(typed->host)) return *typed;
    const auto address = known_address(typed->host, home);
    if (!address) return std::unexpected(source_error{failure_class::not_found, address.error()});
    if (*address) {
        auto known = net::parse_endpoint(**address, net::default_sender_port);
        if (known && port_given) known->port = typed->port;
        if (known) return *known;
    }
    if (tracker) {
        const auto listed = heard_on_tracker(typed->host, *tracker, tracker_wait);
        if (!listed)
            return std::unexpected(source_error{
                listed.error().refused ? failure_class::refused : failure_class::network,
                listed.error().message});
        const auto found = the_one_heard(*typed, port_given, "on the tracker", *listed);
        if (!found) return std::unexpected(found.error());
        if (*found) return **found;
    }
    auto found =
        the_one_heard(*typed, port_given, "on the LAN", heard_on_lan(typed->host, lan_wait));
    if (!found) return std::unexpected(found.error());
    if (*found) return **found;
    if (valid_host_label(typed->host)) return *typed;  // a host name: /etc/hosts or DNS decide
    return std::unexpected(source_error{
        failure_class::not_found, "no peer called '" + safe_text(typed->host) +
                                      "' seen on the LAN" + (tracker ? " or the tracker" : "") +
                                      " (xfer peers lists who is there)"});
}

}  // namespace xfer::cli
