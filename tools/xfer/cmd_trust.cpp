// xfer trust [list | add ID [NAME] | accept ID [NAME] [--address HOST:PORT] | rename PEER NAME |
// remove PEER | trackers | remove-tracker HOST[:PORT]]: the peers this machine knows
// (CONFIG/trust/known_peers; PEER is an ID or a name that only one known peer has) and the
// tracker keys it pinned (CONFIG/trust/known_trackers).
#include <cstdio>
#include <iostream>

#include "shared/core/safe_text.hpp"
#include "shared/discovery/known_trackers.hpp"
#include "shared/identity/peer_id.hpp"
#include "shared/net/address.hpp"
#include "shared/trust/known_peers_file.hpp"
#include "tools/xfer/cli_options.hpp"
#include "tools/xfer/command.hpp"
#include "tools/xfer/home_option.hpp"

namespace xfer::cli {
namespace {

using trust::known_peer;
using trust::known_peers;
using trust::trust_level;

void trust_options(po::options_description& options) {
    options.add_options()("address", po::value<std::string>()->value_name("HOST[:PORT]"),
                          "with accept: the address where this ID is now expected");
}

trust::timestamp now_seconds() {
    return std::chrono::time_point_cast<std::chrono::seconds>(trust::seconds_clock::now());
}

// An ID, or a name exactly one known peer has.
std::expected<identity::peer_id, std::string> resolve_peer(const known_peers& table,
                                                           const std::string& text) {
    if (const auto id = identity::parse_peer_id(text)) return *id;
    const auto named = table.find_by_name(text);
    if (named.size() == 1) return named.front()->id;
    if (named.size() > 1) {
        return std::unexpected("'" + safe_text(text) + "' is the name of " +
                               std::to_string(named.size()) + " known peers: give the ID");
    }
    return std::unexpected("no known peer has the ID or name '" + safe_text(text) + "'");
}

std::string describe(const known_peer& peer) {
    std::string addresses;
    for (const auto& address : peer.addresses)
        addresses += (addresses.empty() ? "" : ",") + address;
    return identity::format_peer_id(peer.id) + "  " +
           std::string(trust::trust_level_name(peer.trust)) + "  " +
           (peer.name.empty() ? "-" : safe_text(peer.name)) + "  last seen " +
           trust::format_timestamp(peer.last_seen) + "  " + (addresses.empty() ? "-" : addresses);
}

void print_warnings(const trust::loaded_known_peers& loaded) {
    for (const auto& warning : loaded.warnings)
        std::fprintf(stderr, "xfer trust: warning: %s\n", warning.c_str());
}

int list(const std::filesystem::path& config) {
    const auto loaded = trust::load_known_peers(config);
    if (!loaded) {
        std::fprintf(stderr, "xfer trust: %s\n", loaded.error().c_str());
        return exit_failure;
    }
    print_warnings(*loaded);
    for (const auto& peer : loaded->table.all()) std::cout << describe(peer) << "\n";
    if (loaded->table.size() == 0) std::cerr << "xfer trust: no known peers yet\n";
    return exit_ok;
}

// trackers: "HOST:PORT  KEY" per pinned tracker key.
int list_trackers(const std::filesystem::path& config) {
    const auto loaded = discovery::load_known_trackers(config);
    if (!loaded) {
        std::fprintf(stderr, "xfer trust: %s\n", loaded.error().c_str());
        return exit_failure;
    }
    for (const auto& warning : loaded->warnings)
        std::fprintf(stderr, "xfer trust: warning: %s\n", safe_text(warning).c_str());
    for (const auto& [address, key] : loaded->keys)
        std::cout << address << "  " << discovery::format_tracker_key(key) << "\n";
    if (loaded->keys.empty()) std::cerr << "xfer trust: no tracker keys pinned yet\n";
    return exit_ok;
}

// remove-tracker: forget the key pinned for a tracker whose key really changed; the next
// `--tracker KEY@HOST:PORT` pins the new one.
int remove_tracker(const std::filesystem::path& config, const std::string& text) {
    const auto where = net::parse_endpoint(text, net::default_tracker_port);
    if (!where) {
        std::fprintf(stderr, "xfer trust: remove-tracker: %s\n", where.error().c_str());
        return exit_usage;
    }
    const auto address = where->to_string();
    const auto forgotten = discovery::forget_tracker_key(config, address);
    if (!forgotten) {
        std::fprintf(stderr, "xfer trust: %s\n", forgotten.error().c_str());
        return exit_failure;
    }
    if (!*forgotten) {
        std::fprintf(stderr, "xfer trust: no key is pinned for tracker %s (xfer trust trackers)\n",
                     safe_text(address).c_str());
        return exit_failure;
    }
    std::cout << "removed tracker " << address << "  " << discovery::format_tracker_key(**forgotten)
              << "\n";
    return exit_ok;
}

// add / accept: `level` is the trust given (never lowering what the peer has).
trust::known_peers_change add_change(const std::string& id_text, const std::string& name,
                                     trust_level level, const std::optional<std::string>& address,
                                     std::string& done) {
    return [=, &done](known_peers& table) -> std::expected<void, std::string> {
        const auto id = identity::parse_peer_id(id_text);
        if (!id) return std::unexpected(id.error());
        const auto now = now_seconds();
        if (auto added = table.add(*id, name, level, now); !added) return added;
        if (!name.empty()) table.rename(*id, name);
        if (address) table.seen_at(*id, *address, now);
        done = describe(*table.find(*id));
        return {};
    };
}

trust::known_peers_change rename_change(const std::string& peer_text, const std::string& name,
                                        std::string& done) {
    return [=, &done](known_peers& table) -> std::expected<void, std::string> {
        const auto id = resolve_peer(table, peer_text);
        if (!id) return std::unexpected(id.error());
        table.rename(*id, name);
        done = describe(*table.find(*id));
        return {};
    };
}

trust::known_peers_change remove_change(const std::string& peer_text, std::string& done) {
    return [=, &done](known_peers& table) -> std::expected<void, std::string> {
        const auto id = resolve_peer(table, peer_text);
        if (!id) return std::unexpected(id.error());
        done = "removed " + describe(*table.find(*id));
        table.remove(*id);
        return {};
    };
}

}  // namespace

command_spec trust_spec() {
    return {
        .name = "trust",
        .summary =
            "list, add, accept, rename and remove the peers (and tracker keys) this "
            "machine knows",
        .positionals = {{"ACTION",
                         "list (the default), add, accept, rename or remove; trackers or "
                         "remove-tracker",
                         false},
                        {"PEER",
                         "a peer ID (for rename and remove also a known name); for "
                         "remove-tracker the tracker's HOST[:PORT]",
                         false},
                        {"NAME", "the name to show for the peer", false}},
        .usage_tail = "[--address HOST[:PORT]]",
        .more_usage = {},
        .notes =
            "add: the peer may read what this machine serves and is trusted as a sender.\n"
            "accept: the peer is expected as the sender at --address (it may not read here);\n"
            "what a fetch says to run when a known address answers with a new ID.\n"
            "Kept in CONFIG/trust/known_peers (see --home).\n"
            "trackers: the tracker keys pinned (CONFIG/trust/known_trackers), one per address;\n"
            "remove-tracker forgets one, for a tracker whose key really changed: the next\n"
            "--tracker KEY@HOST:PORT pins the new key.\n",
        .examples =
            "  xfer trust                                 # every known peer, one per line\n"
            "  xfer trust add LOXXD2R-...-MJE55Q7 laptop  # let that peer read what I serve\n"
            "  xfer trust accept ID --address nas:7420    # nas has a new identity\n"
            "  xfer trust rename laptop old-laptop        # by ID or by a unique name\n"
            "  xfer trust remove old-laptop\n"
            "  xfer trust trackers                        # pinned tracker keys\n"
            "  xfer trust remove-tracker 10.0.0.1         # its key changed: forget the old one\n",
        .add_options = trust_options};
}

int run_trust(int argc, char** argv) {
    const auto spec = trust_spec();
    auto parsed = parse_command_line(argc, argv, spec);
    if (parsed.exit_now) return *parsed.exit_now;
    const auto config = home_from(parsed.values).config;
    const std::string action = parsed.has("ACTION") ? parsed.arg("ACTION") : "list";
    const std::string peer = parsed.has("PEER") ? parsed.arg("PEER") : "";
    const std::string name = parsed.has("NAME") ? parsed.arg("NAME") : "";
    std::optional<std::string> address;
    if (parsed.values.count("address")) {
        if (action != "accept") return usage_error(spec, "--address goes with accept");
        const auto where = net::parse_endpoint(parsed.values["address"].as<std::string>(),
                                               net::default_sender_port);
        if (!where || !trust::valid_address(where->to_string()))
            return usage_error(spec, "--address: " + (where ? "not an address" : where.error()));
        address = where->to_string();
    }
    if (action == "list") {
        if (!peer.empty()) return usage_error(spec, "list takes no PEER");
        return list(config);
    }
    if (action == "trackers") {
        if (!peer.empty()) return usage_error(spec, "trackers takes no argument");
        return list_trackers(config);
    }
    if (action == "remove-tracker") {
        if (peer.empty() || !name.empty())
            return usage_error(spec, "remove-tracker needs one HOST[:PORT]");
        return remove_tracker(config, peer);
    }
    std::string done;
    trust::known_peers_change change;
    if (action == "add" || action == "accept") {
        if (peer.empty()) return usage_error(spec, action + " needs a peer ID");
        change = add_change(peer, name, action == "add" ? trust_level::allowed : trust_level::seen,
                            address, done);
    } else if (action == "rename") {
        if (peer.empty() || name.empty()) return usage_error(spec, "rename needs PEER and NAME");
        change = rename_change(peer, name, done);
    } else if (action == "remove") {
        if (peer.empty() || !name.empty()) return usage_error(spec, "remove needs one PEER");
        change = remove_change(peer, done);
    } else {
        return usage_error(spec,
                           "unknown action '" + safe_text(action) +
                               "' (list, add, accept, rename, remove, trackers or remove-tracker)");
    }
    const auto updated = trust::update_known_peers(config, change);
    if (!updated) {
        std::fprintf(stderr, "xfer trust: %s\n", updated.error().c_str());
        return exit_failure;
    }
    print_warnings(*updated);
    std::cout << done << "\n";
    return exit_ok;
}

}  // namespace xfer::cli
