// A directory listing on its way to one receiver, cut into LISTING frames only as the socket
// takes them: a receiver that asks for listings and never reads them holds one listing's entries
// and about one frame of encoded bytes, not every answer it asked for.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "shared/wire/messages.hpp"

namespace xfer::sender {

// Entries of listings in progress across the whole sender: past the cap, a LIST is answered
// with ERROR sender_busy instead of being held (the sender's memory, not one peer's, is bounded).
struct listing_budget {
    uint64_t entries_pending = 0;
    uint64_t max_entries = 1'000'000;
};

// LISTs a receiver may have waiting behind the listing being sent; more is a violation.
inline constexpr size_t max_asked_listings = 16;

class listing_stream {
  public:
    explicit listing_stream(listing_budget& budget) : budget_(budget) {}
    ~listing_stream() { clear(); }
    listing_stream(const listing_stream&) = delete;
    listing_stream& operator=(const listing_stream&) = delete;

    // A LIST to answer after the ones before it. False when max_asked_listings are waiting.
    bool ask(std::string path);
    // The next path to list, once the listing before it is out.
    std::optional<std::string> take_asked();
    // False (nothing taken) when the process-wide budget cannot hold these entries.
    bool start(std::vector<wire::listing_entry> entries);
    // A listing is going out, or LISTs wait behind it.
    bool pending() const { return sending() || !asked_.empty(); }
    bool sending() const { return started_; }
    // The next LISTING frame (the last one has more = false), or nullopt when done.
    std::optional<wire::listing> next_frame();
    // Forgets the listing being sent and every LIST waiting.
    void clear();

  private:
    void drop_entries();

    listing_budget& budget_;
    std::deque<std::string> asked_;
    std::vector<wire::listing_entry> entries_;
    size_t next_ = 0;
    bool started_ = false;
};

}  // namespace xfer::sender
