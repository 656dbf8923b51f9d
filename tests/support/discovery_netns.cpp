#include "tests/support/discovery_netns.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <sstream>

#include "tests/support/process.hpp"

namespace xfer::test {
namespace {

using namespace std::chrono_literals;

// Namespaces named xfd-<pid>-* whose test process no longer exists.
std::vector<std::string> stale_namespaces() {
    std::vector<std::string> stale;
    child_process list({"ip", "netns", "list"});
    if (list.wait(30s) != 0) return stale;
    for (const auto& line : list.stdout_lines()) {
        const auto name = line.substr(0, line.find(' '));
        if (!name.starts_with("xfd-")) continue;
        const auto dash = name.find('-', 4);
        if (dash == std::string::npos) continue;
        const int pid = std::atoi(name.substr(4, dash - 4).c_str());
        if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) stale.push_back(name);
    }
    return stale;
}

}  // namespace

network_lab::network_lab(int namespace_count, bool ipv4)
    : prefix_("xfd-" + std::to_string(::getpid()) + "-"), count_(namespace_count) {
    for (const auto& name : stale_namespaces()) run({"ip", "netns", "del", name});
    const std::string hub = prefix_ + "hub";
    if (!run({"ip", "netns", "add", hub})) {
        reason_ = "cannot create network namespaces here (needs root / CAP_SYS_ADMIN): " + reason_;
        return;
    }
    created_.push_back(hub);
    bool built =
        run({"ip", "-n", hub, "link", "set", "lo", "up"}) &&
        run({"ip", "-n", hub, "link", "add", "br0", "type", "bridge"}) &&
        // Flood multicast to every port instead of relying on IGMP snooping state.
        run({"ip", "-n", hub, "link", "set", "br0", "type", "bridge", "mcast_snooping", "0"}) &&
        run({"ip", "-n", hub, "link", "set", "br0", "up"});
    for (int index = 0; built && index < count_; ++index) {
        const auto ns = name(index);
        const auto port = "port-" + std::string(1, static_cast<char>('a' + index));
        built = run({"ip", "netns", "add", ns});
        if (built) created_.push_back(ns);
        // Set before eth0 exists, so eth0 inherits it: its link-local address is usable at once.
        built = built && run({"ip", "netns", "exec", ns, "sysctl", "-qw",
                              "net.ipv6.conf.default.accept_dad=0"});
        built = built && run({"ip", "-n", ns, "link", "set", "lo", "up"}) &&
                run({"ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", port,
                     "netns", hub}) &&
                run({"ip", "-n", hub, "link", "set", port, "master", "br0"}) &&
                run({"ip", "-n", hub, "link", "set", port, "up"}) &&
                (!ipv4 ||
                 run({"ip", "-n", ns, "addr", "add", address(index) + "/24", "dev", "eth0"})) &&
                run({"ip", "-n", ns, "link", "set", "eth0", "up"});
    }
    if (!built) {
        reason_ = "cannot build the namespace LAN: " + reason_;
        remove_all();
        return;
    }
    ok_ = true;
}

network_lab::~network_lab() {
    remove_all();
}

void network_lab::remove_all() {
    // Deleting a namespace takes its veth ends (and so the bridge ports) with it.
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) run({"ip", "netns", "del", *it});
    created_.clear();
}

bool network_lab::run(const std::vector<std::string>& argv) {
    try {
        child_process command(argv);
        const auto status = command.wait(60s);
        if (status == 0) return true;
        std::ostringstream why;
        for (const auto& arg : argv) why << arg << ' ';
        why << "-> " << (status ? "exit " + std::to_string(*status) : std::string("timeout"))
            << ": " << command.stderr_text();
        reason_ = why.str();
    } catch (const std::exception& e) {
        reason_ = e.what();
    }
    return false;
}

std::string network_lab::name(int index) const {
    return prefix_ + static_cast<char>('a' + index);
}

std::string network_lab::address(int index) const {
    return "10.77.0." + std::to_string(index + 1);
}

std::vector<std::string> network_lab::exec_prefix(int index) const {
    return {"ip", "netns", "exec", name(index)};
}

}  // namespace xfer::test
