#include "shared/discovery/lan_interfaces.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <sys/socket.h>

#include <algorithm>

namespace xfer::discovery::lan {
namespace {

bool chosen(const std::vector<std::string>& names, const std::string& name) {
    return names.empty() || std::find(names.begin(), names.end(), name) != names.end();
}

// One entry per interface index of `family`, for the interfaces `usable` accepts.
template <typename Usable>
std::vector<interface_address> interfaces_of(int family, const std::vector<std::string>& names,
                                             Usable usable) {
    std::vector<interface_address> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return out;
    for (auto* item = list; item != nullptr; item = item->ifa_next) {
        if (item->ifa_addr == nullptr || item->ifa_addr->sa_family != family) continue;
        if (!usable(item->ifa_flags) || !chosen(names, item->ifa_name)) continue;
        const unsigned index = ::if_nametoindex(item->ifa_name);
        // Multicast goes out per interface: one address per interface is enough.
        if (index == 0 ||
            std::any_of(out.begin(), out.end(), [&](const auto& i) { return i.index == index; }))
            continue;
        interface_address entry{item->ifa_name, index, {}};
        if (family == AF_INET)
            entry.address = reinterpret_cast<const sockaddr_in*>(item->ifa_addr)->sin_addr;
        out.push_back(std::move(entry));
    }
    ::freeifaddrs(list);
    return out;
}

}  // namespace

std::vector<interface_address> eligible_interfaces(const std::vector<std::string>& names) {
    return interfaces_of(AF_INET, names, [](unsigned flags) {
        return (flags & IFF_UP) && (flags & (IFF_LOOPBACK | IFF_MULTICAST));
    });
}

std::vector<interface_address> eligible_interfaces6(const std::vector<std::string>& names) {
    return interfaces_of(AF_INET6, names, [](unsigned flags) {
        return (flags & IFF_UP) && (flags & IFF_MULTICAST) && !(flags & IFF_LOOPBACK);
    });
}

}  // namespace xfer::discovery::lan
