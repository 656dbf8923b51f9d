// A small LAN of network namespaces for discovery tests: namespaces xfd-<pid>-a, -b, ... each
// with one veth "eth0" (10.77.0.1/24, .2, ...) plugged into a bridge that lives in its own
// namespace xfd-<pid>-hub. Nothing touches the host's interfaces. Everything is deleted by the
// destructor, and on construction failure; namespaces left by a crashed earlier run (their
// pid is gone) are removed first.
#pragma once

#include <string>
#include <vector>

namespace xfer::test {

class network_lab {
  public:
    // With ipv4 false the namespaces have no IPv4 address at all, only IPv6 link-local ones
    // (made at once: duplicate address detection is off), so only IPv6 can carry anything.
    explicit network_lab(int namespace_count, bool ipv4 = true);
    ~network_lab();
    network_lab(const network_lab&) = delete;
    network_lab& operator=(const network_lab&) = delete;

    // False when namespaces cannot be made here (not root, no CAP_SYS_ADMIN, no `ip`).
    bool ok() const { return ok_; }
    const std::string& reason() const { return reason_; }

    std::string name(int index) const;     // "xfd-<pid>-a" for index 0
    std::string address(int index) const;  // "10.77.0.1" for index 0
    // Prefix a command line with this to run it inside namespace `index`.
    std::vector<std::string> exec_prefix(int index) const;
    // Environment for processes inside the lab: LAN discovery on every interface of their
    // namespace (child_process would otherwise confine it to loopback).
    static std::vector<std::string> environment() { return {"XFER_LAN_INTERFACES="}; }

  private:
    bool run(const std::vector<std::string>& argv);
    void remove_all();

    std::string prefix_;
    std::vector<std::string> created_;
    int count_ = 0;
    bool ok_ = false;
    std::string reason_;
};

}  // namespace xfer::test
