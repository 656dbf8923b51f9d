// A flood of LAN announcements (issue 9, class 5) from hundreds of source addresses, one peer
// each (all of 127/8 is loopback, so one host can send from any of them), every one validly
// signed by a fresh key and naming an address where nothing listens. No address holds more than
// another, so only answering tells the real peer from the flood: a real `xfer serve` that
// starts announcing while the flood has filled `xfer peers`' table must still be listed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "shared/core/fd.hpp"
#include "shared/discovery/lan_protocol.hpp"
#include "shared/discovery/limits.hpp"
#include "shared/discovery/signed_datagram.hpp"
#include "tests/support/discovery_fixtures.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/process.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

// More flood peers than the listener's whole table, each from an address of its own.
constexpr size_t flood_peers = discovery::limits::max_lan_peers + 64;

struct flood_peer {
    unique_fd socket;  // bound to the peer's own source address
    std::string datagram;
};

uint16_t lan_port_of(const std::vector<std::string>& environment) {
    for (const auto& item : environment)
        if (item.starts_with("XFER_LAN_PORT="))
            return static_cast<uint16_t>(std::stoi(item.substr(14)));
    return discovery::limits::lan_port;
}

std::vector<flood_peer> make_flood() {
    std::vector<flood_peer> flood;
    for (size_t n = 0; n < flood_peers; ++n) {
        const auto source =
            "127.0." + std::to_string(10 + n / 200) + "." + std::to_string(1 + n % 200);
        unique_fd socket(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        sockaddr_in from{};
        from.sin_family = AF_INET;
        ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
        if (::bind(socket.get(), reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) continue;
        in_addr loopback{};
        ::inet_pton(AF_INET, "127.0.0.1", &loopback);
        ::setsockopt(socket.get(), IPPROTO_IP, IP_MULTICAST_IF, &loopback, sizeof loopback);
        // Port 9 on its own address: nothing listens there, so it never answers.
        auto record = test_record(1, "flood-" + std::to_string(n), 9);
        record.id = {};
        record.id[0] = 0xF1;
        record.id[1] = static_cast<uint8_t>(n >> 8);
        record.id[2] = static_cast<uint8_t>(n);
        record.sender.host = "0.0.0.0";
        const auto signer = fresh_signer();
        flood.push_back(
            {std::move(socket),
             signer->sign(discovery::lan::encode_announcement(record, 1).datagrams.at(0))});
    }
    return flood;
}

size_t lines_with(child_process& process, const std::string& needle) {
    const auto lines = process.stdout_lines();
    return static_cast<size_t>(std::count_if(
        lines.begin(), lines.end(),
        [&](const std::string& line) { return line.find(needle) != std::string::npos; }));
}

TEST(AnnouncementFlood, ARealServeIsListedThroughAFloodFromManyAddresses) {
    sandbox box;
    write_random_file(box / "src/a.bin", 1000, 71);
    const auto env = loopback_lan_environment();
    auto flood = make_flood();
    ASSERT_EQ(flood.size(), flood_peers) << "cannot bind the flood's source addresses";

    sockaddr_in group{};
    group.sin_family = AF_INET;
    group.sin_port = htons(lan_port_of(env));
    ::inet_pton(AF_INET, discovery::limits::lan_group, &group.sin_addr);
    std::atomic<bool> flooding{true};
    std::thread flooder([&] {
        while (flooding) {
            for (const auto& peer : flood) {
                ::sendto(peer.socket.get(), peer.datagram.data(), peer.datagram.size(), 0,
                         reinterpret_cast<const sockaddr*>(&group), sizeof group);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    });
    struct stop_flood {
        std::atomic<bool>& flag;
        std::thread& thread;
        ~stop_flood() {
            flag = false;
            thread.join();
        }
    } stopper{flooding, flooder};

    child_process peers({XFER_BINARY, "peers", "--watch"}, process_options::with_environment(env));
    // The flood fills the table before the real peer says a word.
    ASSERT_TRUE(eventually([&] {
        return lines_with(peers, "flood-") >= discovery::limits::max_lan_peers || !peers.running();
    })) << peers.describe();
    ASSERT_TRUE(peers.running()) << peers.describe();

    child_process serve({XFER_BINARY, "serve", (box / "src").string(), "--name", "real-serve",
                         "--listen", "127.0.0.1:0"},
                        process_options::with_environment(env));
    ASSERT_TRUE(serve.wait_for_line("serving ", discovery_deadline)) << serve.describe();
    EXPECT_TRUE(peers.wait_for_line("real-serve", discovery_deadline))
        << "the real serve was never listed through the flood\n"
        << peers.describe();
}

}  // namespace
}  // namespace xfer::test
