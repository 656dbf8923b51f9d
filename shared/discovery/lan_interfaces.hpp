// Which interfaces LAN discovery uses: up, and able to multicast in that family. IPv4 includes
// loopback (peers on one machine hear each other through it); IPv6 does not, since Linux routes
// no IPv6 multicast over lo: there, it is link-local multicast on real (or veth) links only.
// Both lists are filtered by XFER_LAN_INTERFACES when it is set.
#pragma once

#include <netinet/in.h>

#include <string>
#include <vector>

namespace xfer::discovery::lan {

struct interface_address {
    std::string name;
    unsigned index = 0;
    in_addr address{};  // IPv4 only: the address multicast is sent from
};

std::vector<interface_address> eligible_interfaces(const std::vector<std::string>& names);
std::vector<interface_address> eligible_interfaces6(const std::vector<std::string>& names);

}  // namespace xfer::discovery::lan
