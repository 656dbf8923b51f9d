#include "sender/listing_stream.hpp"

namespace xfer::sender {
namespace {

// A LISTING frame stays under this many bytes (the frame limit is larger).
constexpr size_t listing_frame_bytes = 1024 * 1024;
constexpr size_t listing_prefix = 5;  // flags and count

}  // namespace

bool listing_stream::ask(std::string path) {
    if (asked_.size() >= max_asked_listings) return false;
    asked_.push_back(std::move(path));
    return true;
}

std::optional<std::string> listing_stream::take_asked() {
    if (sending() || asked_.empty()) return std::nullopt;
    auto path = std::move(asked_.front());
    asked_.pop_front();
    return path;
}

bool listing_stream::start(std::vector<wire::listing_entry> entries) {
    drop_entries();
    if (budget_.entries_pending + entries.size() > budget_.max_entries) return false;
    budget_.entries_pending += entries.size();
    entries_ = std::move(entries);
    next_ = 0;
    started_ = true;
    return true;
}

std::optional<wire::listing> listing_stream::next_frame() {
    if (!sending()) return std::nullopt;
    wire::listing frame;
    size_t frame_bytes = listing_prefix;
    while (next_ < entries_.size() && frame.entries.size() < wire::max_listing_entries) {
        const size_t size = wire::listing_entry_size(entries_[next_]);
        if (!frame.entries.empty() && frame_bytes + size > listing_frame_bytes) break;
        frame_bytes += size;
        frame.entries.push_back(std::move(entries_[next_++]));
    }
    frame.more = next_ < entries_.size();
    // An empty directory still gets its one (empty, final) frame; after the final frame the
    // stream is done.
    if (!frame.more) drop_entries();
    return frame;
}

void listing_stream::clear() {
    drop_entries();
    asked_.clear();
}

void listing_stream::drop_entries() {
    if (started_) budget_.entries_pending -= entries_.size();
    entries_.clear();
    entries_.shrink_to_fit();
    next_ = 0;
    started_ = false;
}

}  // namespace xfer::sender
