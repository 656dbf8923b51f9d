// Peer exchange as a pure policy: per content, the receivers that run a sender of their own.
// When one more opens the content, it is told about those already here and they are told about
// it, so a swarm meshes within a round trip rather than a tracker heartbeat. No sockets: the
// sender loop sends the PEERS messages this decides.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "shared/core/ids.hpp"
#include "shared/net/address.hpp"

namespace xfer::sender {

class peer_exchange {
  public:
    struct introductions {
        std::vector<net::endpoint> to_newcomer;  // senders of the receivers already here
        std::vector<uint64_t> about_newcomer;    // connections to tell about the newcomer
    };

    // `connection` opened `content` and its receiver's sender listens at `its_sender`.
    introductions join(const content_id& content, uint64_t connection,
                       const net::endpoint& its_sender);
    // The connection closed: nobody is introduced to it any more.
    void leave(uint64_t connection);

  private:
    std::map<content_id, std::map<uint64_t, net::endpoint>> members_;
};

}  // namespace xfer::sender
