#include "receiver/introduced_peers.hpp"

namespace xfer::receiver {

bool introduced_peers::accept(const std::string& introducer, const std::string& address) {
    if (accepted_.contains(address)) return true;
    auto& from_introducer = by_introducer_[introducer];
    if (from_introducer >= per_introducer_ || accepted_.size() >= total_) return false;
    ++from_introducer;
    accepted_.insert(address);
    return true;
}

}  // namespace xfer::receiver
