// The UDP multicast sockets behind LAN discovery (IPv4).
//
// Announcer: sends each datagram once on every interface that is up and multicast-capable
// (loopback included, so peers on one machine, or in a namespace with no multicast route, still
// hear each other), with TTL 1 so nothing leaves the local link.
// Listener: binds GROUP:PORT (SO_REUSEADDR, so every xfer process on a host can listen) and joins
// the group on the same interfaces, re-checking for new interfaces every few seconds.
//
// Environment (read once per socket):
//   XFER_LAN=off           no announcing and no listening at all (also: 0, no, false)
//   XFER_LAN_INTERFACES    comma-separated interface names to use (default: all eligible)
//   XFER_LAN_GROUP / XFER_LAN_PORT   override 239.255.74.20 / 7422
#pragma once

#include <netinet/in.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "shared/core/fd.hpp"
#include "shared/discovery/lan_directory.hpp"

namespace xfer::discovery::lan {

struct lan_config {
    bool enabled = true;
    in_addr group{};
    uint16_t port = limits::lan_port;
    std::vector<std::string> interfaces;  // empty: every eligible interface

    // Defaults overridden by the XFER_LAN* variables above; a bad value is reported on stderr
    // and ignored.
    static lan_config from_environment();
};

struct interface_address {
    std::string name;
    unsigned index = 0;
    in_addr address{};
};
// Up, IPv4, and loopback or multicast-capable; filtered by config.interfaces.
std::vector<interface_address> eligible_interfaces(const lan_config& config);

class lan_announcer {
  public:
    explicit lan_announcer(const lan_config& config);
    bool ok() const { return static_cast<bool>(socket_); }
    // Each datagram on each eligible interface; failures are logged, never thrown.
    void send(const std::vector<std::string>& datagrams);

  private:
    lan_config config_;
    unique_fd socket_;
};

class lan_listener {
  public:
    explicit lan_listener(const lan_config& config);
    bool ok() const { return static_cast<bool>(socket_); }
    int fd() const { return socket_.get(); }

    // Reads every waiting datagram (bounded per call) into the directory.
    std::vector<membership_change> receive(steady_time now);
    std::vector<membership_change> expire(steady_time now) { return directory_.expire(now); }
    // When receive()/expire() next has work without a datagram: expiry or an interface re-check.
    steady_time next_deadline() const;
    const lan_directory& directory() const { return directory_; }

  private:
    void join_new_interfaces(steady_time now);

    lan_config config_;
    unique_fd socket_;
    lan_directory directory_;
    std::set<unsigned> joined_;
    steady_time next_interface_check_{};
};

}  // namespace xfer::discovery::lan
