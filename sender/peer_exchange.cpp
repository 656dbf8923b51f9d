#include "sender/peer_exchange.hpp"

namespace xfer::sender {

peer_exchange::introductions peer_exchange::join(const content_id& content, uint64_t connection,
                                                 const net::endpoint& its_sender) {
    introductions result;
    auto& members = members_[content];
    for (const auto& [member_connection, member_sender] : members) {
        // The same receiver on a second connection, or one whose sender shares the address.
        if (member_connection == connection || member_sender == its_sender) continue;
        result.to_newcomer.push_back(member_sender);
        result.about_newcomer.push_back(member_connection);
    }
    members[connection] = its_sender;
    return result;
}

void peer_exchange::leave(uint64_t connection) {
    for (auto& [content, members] : members_) members.erase(connection);
}

}  // namespace xfer::sender
