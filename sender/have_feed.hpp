// Which HAVEs the sender owes its receivers, so that no verified piece goes unannounced when a
// store event is lost (docs/ARCHITECTURE.md, "No lost HAVE").
//
// For every connection and content it has open, the feed remembers which pieces that receiver
// has been told of: the BITFIELD sent on OPEN, then each HAVE. A piece-verified event announces
// one piece. When the stamps on the store events show one was missed (a gap in a publisher's
// sequence, or a heartbeat ahead of the last event seen), the feed resyncs: it compares each
// content's bitfield in the store with what each receiver was told and owes the difference.
// The store's bit is set before its event is published, so after a resync nothing is owed.
//
// Pure: no sockets, no clock; the loop passes in how to read the store's bits.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "shared/bus/sequence.hpp"
#include "shared/core/ids.hpp"

namespace xfer::sender {

// One HAVE to push: to every handle of `connection` that has `content` open.
struct owed_have {
    uint64_t connection = 0;
    content_id content{};
    uint32_t piece = 0;
    friend bool operator==(const owed_have&, const owed_have&) = default;
};

// The store's verified pieces of a content in wire form (piece 0 = MSB of byte 0); nullopt if
// the store does not have it open.
using bitfield_lookup = std::function<std::optional<std::vector<uint8_t>>(const content_id&)>;

class have_feed {
  public:
    // A receiver opened `content`; `announced` is the bitfield it was sent, or one read before
    // it (never one with bits the receiver was not sent: the feed would never owe those).
    void on_opened(uint64_t connection, const content_id& content, std::vector<uint8_t> announced);
    void forget(uint64_t connection);

    // One message from the store-events socket.
    std::vector<owed_have> on_message(const bus::store_message& message,
                                      const bitfield_lookup& store);
    // Every piece the store has that a receiver was not told of (also the loop's safety net).
    std::vector<owed_have> resync(const bitfield_lookup& store);

    uint64_t resyncs() const { return resyncs_; }

  private:
    using key = std::pair<uint64_t, content_id>;
    std::vector<owed_have> announce(const content_id& content, uint32_t piece);

    std::map<key, std::vector<uint8_t>> announced_;
    bus::sequence_tracker sequences_;
    uint64_t resyncs_ = 0;
};

}  // namespace xfer::sender
