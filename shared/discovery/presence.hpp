// Makes this peer visible: registers with a tracker (if one is given) and heartbeats; announces
// on the LAN (if lan). Runs its own thread with its own ZeroMQ sockets; the destructor says
// goodbye (tracker LEAVE + LAN GOODBYE) and joins. Destroy it before the context: the LEAVE
// lingers up to 0.5 s, so the context's destructor may wait that long.
//
//   discovery::presence visible(context, {tracker, !no_lan, name, my_id, {"0.0.0.0", port},
//                                         signer},
//                               [&] { return store.held_contents(); });
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "shared/core/ids.hpp"
#include "shared/discovery/peer_record.hpp"
#include "shared/discovery/signed_datagram.hpp"
#include "shared/discovery/tracker_link.hpp"
#include "shared/net/address.hpp"

namespace xfer::discovery {

class presence {
  public:
    struct options {
        std::optional<tracker_link> tracker;  // and the key it must prove (CURVE)
        bool lan = true;                      // also off when XFER_LAN=off (see lan_socket.hpp)
        std::string name;                     // default: hostname
        peer_id id;
        // Where this peer's sender listens. Host 0.0.0.0 (or empty): the tracker / LAN listener
        // uses the address the registration or announcement came from.
        net::endpoint sender;
        // Signs every LAN datagram and tracker REGISTER with this installation's identity key;
        // without one, presence neither announces nor registers (both would be dropped).
        std::shared_ptr<const lan::datagram_signer> signer;
    };

    // `snapshot` is called from presence's thread about 4 times a second (so new contents are
    // pushed within a quarter second; the registration only goes out when they changed, else
    // a heartbeat once per heartbeat interval). It must be cheap (no hashing: it delays
    // heartbeats) and thread-safe with respect to whatever it reads. Contents past the limits (256
    // entries, 64 KiB per record, 32 LAN datagrams) are left out of what is published.
    presence(zmq::context_t& context, options opts,
             std::function<std::vector<held_content>()> snapshot);
    ~presence();
    presence(const presence&) = delete;
    presence& operator=(const presence&) = delete;

  private:
    void run(zmq::context_t& context, zmq::socket_t& control);

    options options_;
    std::function<std::vector<held_content>()> snapshot_;
    zmq::socket_t control_;  // PAIR: the destructor's stop message
    std::thread thread_;
};

// The peer record presence publishes for these options and contents: the default name,
// invalid contents skipped and the list cut to fit the limits. Exposed for tests.
peer_record make_record(const presence::options& opts, std::vector<held_content> contents);
std::string default_peer_name();

}  // namespace xfer::discovery
