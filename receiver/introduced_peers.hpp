// How many addresses a fetch connects to because a peer named them in PEERS. A hostile sender
// can name hundreds; without a bound the fetch opens a connection to each (a scan or flood run
// from the user's machine). Pure: the fetcher asks before each connection a PEERS frame asked for.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>

namespace xfer::receiver {

// Distinct addresses one introducer (the source that sent PEERS) may make a fetch connect to.
inline constexpr size_t max_introduced_per_introducer = 16;
// Distinct addresses all introducers together may make one fetch connect to.
inline constexpr size_t max_introduced_total = 64;

class introduced_peers {
  public:
    introduced_peers(size_t per_introducer = max_introduced_per_introducer,
                     size_t total = max_introduced_total)
        : per_introducer_(per_introducer), total_(total) {}

    // True when `address` may be connected to on `introducer`'s word. An address already
    // accepted stays accepted (a reconnect costs no new slot), whoever names it again.
    bool accept(const std::string& introducer, const std::string& address);
    size_t accepted() const { return accepted_.size(); }

  private:
    const size_t per_introducer_;
    const size_t total_;
    std::set<std::string> accepted_;
    std::map<std::string, size_t> by_introducer_;
};

}  // namespace xfer::receiver
