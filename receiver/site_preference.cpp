#include "receiver/site_preference.hpp"

#include <limits>

namespace xfer::receiver {
namespace {

// splitmix64: a well-mixed hash of instance and piece, the same on every host of the site.
uint64_t mix(uint64_t value) {
    value += 0x9e3779b97f4a7c15ull;
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ull;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebull;
    return value ^ (value >> 31);
}

uint64_t instance_key(const peer_id& instance) {
    uint64_t key = 0;
    for (const uint8_t byte : instance) key = mix(key ^ byte);
    return key;
}

uint64_t claim(uint64_t instance, uint32_t piece) {
    return mix(instance ^ mix(piece));
}

// Where a piece stands in the order its bringer takes its pieces in (shared by the site).
uint64_t site_order(uint32_t piece) {
    return mix(uint64_t{piece} + 0x5157u) >> 1;  // top bit left for "not ours"
}

}  // namespace

site_preference::site_preference(std::string own_site, const peer_id& own_instance)
    : own_site_(std::move(own_site)), own_instance_(instance_key(own_instance)) {}

site_preference::kind site_preference::kind_of(peer_key source) const {
    const auto it = sources_.find(source);
    return it == sources_.end() ? kind::unknown : it->second.is;
}

void site_preference::source_met(peer_key source, std::string_view site, const peer_id& instance) {
    source_gone(source);
    first_in_line_.clear();
    kind is = kind::unknown;
    if (!own_site_.empty() && !site.empty()) is = site == own_site_ ? kind::same : kind::other;
    sources_[source] = {is, instance_key(instance)};
    if (is == kind::same) ++same_site_sources_;
}

void site_preference::source_gone(peer_key source) {
    const auto it = sources_.find(source);
    if (it == sources_.end()) return;
    if (it->second.is == kind::same) --same_site_sources_;
    sources_.erase(it);
    first_in_line_.clear();
}

void site_preference::holder_added(peer_key source, uint32_t piece) {
    const kind is = kind_of(source);
    if (is == kind::unknown) return;
    auto& counts = is == kind::same ? holders_ : off_site_holders_;
    if (piece >= counts.size()) counts.resize(piece + 1, 0);
    ++counts[piece];
}

void site_preference::holder_removed(peer_key source, uint32_t piece) {
    const kind is = kind_of(source);
    if (is == kind::unknown) return;
    auto& counts = is == kind::same ? holders_ : off_site_holders_;
    if (piece < counts.size() && counts[piece] > 0) --counts[piece];
}

bool site_preference::first_in_line(uint32_t piece) const {
    if (piece < first_in_line_.size() && first_in_line_[piece] != 0)
        return first_in_line_[piece] == 1;
    const uint64_t ours = claim(own_instance_, piece);
    bool first = true;
    for (const auto& [key, source] : sources_) {
        if (source.is == kind::same && claim(source.instance, piece) > ours) {
            first = false;
            break;
        }
    }
    if (piece >= first_in_line_.size()) first_in_line_.resize(piece + 1, 0);
    first_in_line_[piece] = first ? 1 : 2;
    return first;
}

bool site_preference::may_ask(peer_key source, uint32_t piece, bool idle) const {
    if (!off_site(source)) return true;
    if (same_site_holders(piece) > 0) return false;
    return idle || first_in_line(piece);
}

size_t site_preference::room(peer_key source, size_t off_site_in_flight, bool idle) const {
    if (!off_site(source)) return std::numeric_limits<size_t>::max();
    const size_t bound = idle ? 1 : max_off_site_in_flight;
    return off_site_in_flight >= bound ? 0 : bound - off_site_in_flight;
}

uint64_t site_preference::order(peer_key source, uint32_t piece, uint32_t availability) const {
    if (off_site(source)) {
        const uint64_t position = site_order(piece);
        return first_in_line(piece) ? position
                                    : (uint64_t{1} << 63) | ((uint64_t{1} << 63) - 1 - position);
    }
    if (active() && same_site(source)) return same_site_holders(piece);
    return availability;
}

}  // namespace xfer::receiver
