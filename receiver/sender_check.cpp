#include "receiver/sender_check.hpp"

#include "shared/core/safe_text.hpp"
#include "shared/trust/known_peers_file.hpp"

namespace xfer::receiver {
namespace {

// The peer this machine expects at `address`: the one last verified there, else a paired or
// allowed one whose name is the host typed (a peer renamed "nas" is expected at "nas:7420").
// Seen peers are named after the host they were first fetched from, which says nothing about
// other ports of that host, so their names bind nothing.
const trust::known_peer* expected_at(const trust::known_peers& known, std::string_view address,
                                     const peer_id& presented) {
    if (const auto* peer = known.find_by_address(address)) return peer;
    const trust::known_peer* expected = nullptr;
    for (const auto* peer : known.find_by_name(host_of(address))) {
        if (!trust::may_read(peer->trust)) continue;
        if (peer->id == presented) return peer;
        if (!expected) expected = peer;
    }
    return expected;
}

bool needs_refresh(const trust::known_peer& peer, std::string_view address, trust::timestamp now) {
    return peer.addresses.empty() || peer.addresses.front() != address ||
           now - peer.last_seen >= last_seen_refresh;
}

std::string changed_id_text(const trust::known_peer& expected, const sender_check_options& options,
                            const presented_sender& sender) {
    const auto presented = identity::format_peer_id(sender.id);
    const std::string name = expected.name.empty() ? "" : safe_text(expected.name) + ", ";
    return "answered with peer ID " + presented + ", but this machine knows " + sender.address +
           " as " + name + "peer ID " + identity::format_peer_id(expected.id) + " (" +
           std::string(trust::trust_level_name(expected.trust)) + " since " +
           trust::format_timestamp(expected.first_seen) +
           "); if that machine really has a new identity, accept it with '" +
           options.trust_command + " accept " + presented + " --address " + sender.address +
           "', otherwise someone else may be answering there";
}

std::string unknown_text(const sender_check_options& options, const presented_sender& sender) {
    const auto presented = identity::format_peer_id(sender.id);
    std::string text = "the sender is peer ID " + presented +
                       ", which this machine does not know: check that ID with its owner ('xfer "
                       "id' there prints it), then fetch again with --peer " +
                       presented;
    if (options.pairing_available)
        text += ", or pair with it: 'xfer pair " + sender.address +
                " CODE' (or fetch with --code CODE), CODE being what 'xfer serve' prints there";
    return text;
}

}  // namespace

std::string host_of(std::string_view address) {
    if (address.starts_with('[')) {
        const auto close = address.find(']');
        if (close != std::string_view::npos) return std::string(address.substr(1, close - 1));
    }
    const auto colon = address.rfind(':');
    if (colon == std::string_view::npos || address.find(':') != colon) return std::string(address);
    return std::string(address.substr(0, colon));
}

sender_decision check_sender(const trust::known_peers& known, const sender_check_options& options,
                             const presented_sender& sender, trust::timestamp now) {
    const auto presented = identity::format_peer_id(sender.id);
    if (options.pinned) {
        if (sender.id != *options.pinned) {
            return {sender_verdict::pin_mismatch, false,
                    "answered with peer ID " + presented + ", not the one given with --peer (" +
                        identity::format_peer_id(*options.pinned) + ")"};
        }
        const auto* peer = known.find(sender.id);
        return {sender_verdict::pinned, !peer || needs_refresh(*peer, sender.address, now), ""};
    }
    if (sender.id == options.own_id) return {sender_verdict::own_id, false, ""};
    const auto* peer = known.find(sender.id);
    if (peer && trust::may_read(peer->trust))
        return {sender_verdict::trusted_peer, needs_refresh(*peer, sender.address, now), ""};
    if (const auto* expected = expected_at(known, sender.address, sender.id);
        expected && expected->id != sender.id) {
        return {sender_verdict::changed_id, false, changed_id_text(*expected, options, sender)};
    }
    if (peer) return {sender_verdict::seen_peer, needs_refresh(*peer, sender.address, now), ""};
    if (sender.serves_public) {
        return {sender_verdict::public_first_contact, true,
                "first contact with " + sender.address + " (peer ID " + presented +
                    "), which serves anyone: accepted without proof of who it is, and "
                    "remembered"};
    }
    return {sender_verdict::unknown, false, unknown_text(options, sender)};
}

std::expected<void, std::string> remember_sender(trust::known_peers& known,
                                                 const presented_sender& sender,
                                                 trust::timestamp now) {
    if (!known.find(sender.id)) {
        auto added = known.add(sender.id, host_of(sender.address), trust::trust_level::seen, now);
        if (!added) return added;
    }
    known.seen_at(sender.id, sender.address, now);
    return {};
}

}  // namespace xfer::receiver
