// Whether a peer heard on the LAN answers where it says it listens: one non-blocking TCP connect
// to each newly listed peer's announced address (no TLS, no bytes sent; closed at once). Keys and
// source addresses cost a flooder nothing, answering a connection at the announced address does:
// the LAN table keeps peers that answered over those that only announce (registry.hpp).
//
// Bounded: at most max_probes_in_flight connects at once, max_probes_waiting more queued (the
// rest are not tried: such a peer simply stays "unknown"), each given probe_timeout. Only
// numeric unicast addresses with a port are tried (no name look-ups, no unspecified, multicast
// or broadcast address), so an announcement cannot aim the listeners of a LAN at an arbitrary
// name. The sockets are added to the caller's epoll descriptor (level-triggered), so its wait
// wakes when one completes.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "shared/core/fd.hpp"
#include "shared/discovery/peer_record.hpp"
#include "shared/discovery/registry.hpp"

namespace xfer::discovery::lan {

inline constexpr size_t max_probes_in_flight = 32;
inline constexpr size_t max_probes_waiting = 256;
inline constexpr std::chrono::milliseconds probe_timeout{2000};

class answer_probes {
  public:
    explicit answer_probes(int epoll_fd) : epoll_(epoll_fd) {}
    ~answer_probes();
    answer_probes(const answer_probes&) = delete;
    answer_probes& operator=(const answer_probes&) = delete;

    struct result {
        peer_id id;
        bool answered = false;
    };
    // Tries `record`'s address (once per id while a try is under way or waiting).
    void start(const peer_record& record, steady_time now);
    // Tries that finished or timed out since the last call; starts waiting ones.
    std::vector<result> collect(steady_time now);
    std::optional<steady_time> next_deadline() const;
    size_t in_flight() const { return probes_.size(); }

  private:
    struct probe {
        peer_id id;
        unique_fd socket;
        steady_time deadline;
    };
    struct waiting {
        peer_id id;
        net::endpoint address;
    };
    bool known(const peer_id& id) const;
    // A connect under way, or a result at once (nullopt: started).
    std::optional<result> begin(const peer_id& id, const net::endpoint& address, steady_time now);
    void forget(probe& finished);

    int epoll_;
    std::vector<probe> probes_;
    std::deque<waiting> waiting_;
    std::vector<result> ready_;  // decided without a connect (a refused address)
};

}  // namespace xfer::discovery::lan
