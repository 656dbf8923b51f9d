// What one receiver's connection served, per handle, for the transfer log: a record when the
// receiver closes a content (done), when an error ends it (failed), or when the connection goes
// with the content still open (abandoned: the destructor, so no way out of a connection skips
// it). Bytes are those queued to the receiver for that handle.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "shared/identity/peer_id.hpp"
#include "shared/net/address.hpp"
#include "shared/transfer_log/transfer_sink.hpp"

namespace xfer::sender {

class served_transfers {
  public:
    using clock = std::chrono::steady_clock;

    // `sink` may be null or empty: nothing is recorded.
    served_transfers(const transfer_log::transfer_sink* sink, std::string address)
        : sink_(sink), address_(std::move(address)) {}
    ~served_transfers();
    served_transfers(const served_transfers&) = delete;
    served_transfers& operator=(const served_transfers&) = delete;

    void set_peer(const identity::peer_id& id);
    void opened(uint32_t handle, std::string path, std::string content, clock::time_point now);
    void sent(uint32_t handle, uint64_t bytes);
    void ended(uint32_t handle, transfer_log::outcome result, std::string detail = {});

  private:
    struct open_transfer {
        std::string path;
        std::string content;
        clock::time_point started;
        uint64_t bytes = 0;
    };

    const transfer_log::transfer_sink* sink_;
    std::string address_;
    std::string peer_id_;
    std::map<uint32_t, open_transfer> open_;
};

}  // namespace xfer::sender
