// The UDP multicast sockets behind LAN discovery, IPv4 and IPv6.
//
// Announcer: sends each datagram once on every eligible interface (lan_interfaces.hpp) of each
// family the sender can be reached over, with TTL / hop limit 1 so nothing leaves the local
// link: IPv4 to GROUP (loopback included, so peers on one machine hear each other), IPv6 to the
// link-local GROUP6 on every multicast link.
// Listener: binds PORT in both families (SO_REUSEADDR, so every xfer process on a host can
// listen), joins the groups on the same interfaces, re-checking for new interfaces every few
// seconds. fd() is one epoll descriptor readable when either socket is. An announcement heard
// over IPv6 from a link-local address carries its interface ("fe80::1%eth0"), so it can be dialled.
// Each peer newly listed is tried once at its address (answer_probes.hpp), so that a full table
// keeps the peers that answer over those that only announce.
//
// Environment (read once per socket):
//   XFER_LAN=off           no announcing and no listening at all (also: 0, no, false)
//   XFER_LAN_INTERFACES    comma-separated interface names to use (default: all eligible)
//   XFER_LAN_GROUP / XFER_LAN_PORT   override 239.255.74.20 / 7422
//   XFER_LAN_GROUP6        override ff12::7420;  XFER_LAN_IPV6=off: IPv4 only
#pragma once

#include <netinet/in.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "shared/core/fd.hpp"
#include "shared/discovery/answer_probes.hpp"
#include "shared/discovery/lan_directory.hpp"
#include "shared/discovery/lan_interfaces.hpp"

namespace xfer::discovery::lan {

struct lan_config {
    bool enabled = true;
    bool ipv6 = true;
    in_addr group{};
    in6_addr group6{};
    uint16_t port = limits::lan_port;
    std::vector<std::string> interfaces;  // empty: every eligible interface

    // Defaults overridden by the XFER_LAN* variables above; a bad value is reported on stderr
    // and ignored.
    static lan_config from_environment();
};

// Which families an announcement goes out in: those the sender accepts connections over.
struct lan_families {
    bool ipv4 = true;
    bool ipv6 = false;
    // From the host the sender listens on: "0.0.0.0" or an IPv4 literal: IPv4; an IPv6 literal:
    // IPv6; "::" (dual stack) or a name: both.
    static lan_families for_listen_host(const std::string& host);
};

class lan_announcer {
  public:
    explicit lan_announcer(const lan_config& config);
    bool ok() const { return static_cast<bool>(socket_) || static_cast<bool>(socket6_); }
    // Each datagram on each eligible interface; failures are logged, never thrown.
    void send(const std::vector<std::string>& datagrams, lan_families families = {});

  private:
    void send4(const std::vector<std::string>& datagrams);
    void send6(const std::vector<std::string>& datagrams);

    lan_config config_;
    unique_fd socket_;
    unique_fd socket6_;
};

class lan_listener {
  public:
    explicit lan_listener(const lan_config& config);
    bool ok() const { return static_cast<bool>(epoll_); }
    int fd() const { return epoll_.get(); }

    // Reads every waiting datagram (bounded per call) into the directory.
    std::vector<membership_change> receive(steady_time now);
    std::vector<membership_change> expire(steady_time now) { return directory_.expire(now); }
    // When receive()/expire() next has work without a datagram: expiry or an interface re-check.
    steady_time next_deadline() const;
    const lan_directory& directory() const { return directory_; }

  private:
    void open4();
    void open6();
    void join_new_interfaces(steady_time now);
    void read_from(int fd, steady_time now, std::vector<membership_change>& changes);

    lan_config config_;
    unique_fd socket_;
    unique_fd socket6_;
    unique_fd epoll_;
    lan_directory directory_;
    std::optional<answer_probes> probes_;  // on epoll_: whether listed peers answer
    std::set<unsigned> joined_;
    std::set<unsigned> joined6_;
    steady_time next_interface_check_{};
};

}  // namespace xfer::discovery::lan
