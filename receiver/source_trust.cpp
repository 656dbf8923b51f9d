#include "receiver/source_trust.hpp"

#include <algorithm>
#include <memory>
#include <set>

namespace xfer::receiver {

trusted_peer_test trusted_peers(const trust::known_peers& known, const identity::peer_id& own_id) {
    auto ids = std::make_shared<std::set<identity::peer_id>>();
    ids->insert(own_id);
    for (const auto& peer : known.all()) {
        if (trust::may_read(peer.trust)) ids->insert(peer.id);
    }
    return [ids](const identity::peer_id& id) { return ids->contains(id); };
}

session::peer_check trusted_sources_only(session::peer_check next, discovery_signers signers,
                                         trusted_peer_test trusted, std::string trust_command,
                                         std::vector<net::endpoint> named) {
    return [next = std::move(next), signers = std::move(signers), trusted = std::move(trusted),
            trust_command = std::move(trust_command),
            named = std::move(named)](const identity::peer_id& peer, const net::endpoint& address) {
        if (std::find(named.begin(), named.end(), address) != named.end())
            return session::judge(next, peer, address);
        const auto shown = identity::format_peer_id(peer);
        if (!trusted(peer)) {
            return session::peer_verdict::refuse(
                address.to_string() + ": peer ID " + shown +
                " is not trusted here (not this installation, paired or allowed); a fetch by path "
                "from discovery takes content only from trusted peers: pair with it, or '" +
                trust_command + " add " + shown + "' if you know it is right");
        }
        const auto signed_by = signers(address);
        if (!signed_by.empty() &&
            std::find(signed_by.begin(), signed_by.end(), peer) == signed_by.end()) {
            return session::peer_verdict::refuse(
                address.to_string() + ": answered with peer ID " + shown +
                ", but the discovery record naming this address was signed by " +
                identity::format_peer_id(signed_by.front()) + ": refused");
        }
        return session::judge(next, peer, address);
    };
}

}  // namespace xfer::receiver
