// The LAN listener's answer probes (shared/discovery/answer_probes): a listening address answers,
// a closed port does not, an address no probe may dial is decided at once without a connect, and
// no more than the bound are under way at once (the rest wait their turn).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "shared/core/fd.hpp"
#include "shared/discovery/answer_probes.hpp"

namespace xfer::discovery::lan {
namespace {

using namespace std::chrono_literals;

peer_record record_at(uint8_t n, const std::string& host, uint16_t port) {
    peer_record record;
    record.id[0] = n;
    record.sender = {host, port};
    return record;
}

// A listening socket on 127.0.0.1 (its port in `port`), and a port nothing listens on.
unique_fd listening(uint16_t& port) {
    unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(fd.get(), 256);
    socklen_t length = sizeof address;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length);
    port = ntohs(address.sin_port);
    return fd;
}

// Collects until every one of `count` results is in (bounded by the probes' own timeout).
std::map<uint8_t, bool> results_of(answer_probes& probes, size_t count) {
    std::map<uint8_t, bool> answered;
    const auto give_up = std::chrono::steady_clock::now() + 10 * probe_timeout;
    while (answered.size() < count && std::chrono::steady_clock::now() < give_up) {
        for (const auto& result : probes.collect(std::chrono::steady_clock::now()))
            answered[result.id[0]] = result.answered;
        std::this_thread::sleep_for(1ms);
    }
    return answered;
}

TEST(AnswerProbes, AListenerAnswersAClosedPortAndAnUndiallableAddressDoNot) {
    unique_fd epoll(::epoll_create1(EPOLL_CLOEXEC));
    answer_probes probes(epoll.get());
    uint16_t open_port = 0;
    const auto listener = listening(open_port);
    uint16_t closed_port = 0;
    { const auto closed = listening(closed_port); }  // bound and closed again: nothing there
    const auto now = std::chrono::steady_clock::now();
    probes.start(record_at(1, "127.0.0.1", open_port), now);
    probes.start(record_at(2, "127.0.0.1", closed_port), now);
    probes.start(record_at(3, "239.255.74.20", open_port), now);  // multicast: never dialled
    probes.start(record_at(4, "0.0.0.0", open_port), now);
    probes.start(record_at(5, "localhost", open_port), now);  // a name: never looked up
    probes.start(record_at(6, "127.0.0.1", 0), now);
    const auto answered = results_of(probes, 6);
    ASSERT_EQ(answered.size(), 6u);
    EXPECT_TRUE(answered.at(1));
    for (uint8_t n = 2; n <= 6; ++n) EXPECT_FALSE(answered.at(n)) << "peer " << int(n);
    EXPECT_EQ(probes.in_flight(), 0u);
}

TEST(AnswerProbes, NoMoreThanTheBoundAreUnderWayAndTheRestFollow) {
    unique_fd epoll(::epoll_create1(EPOLL_CLOEXEC));
    answer_probes probes(epoll.get());
    uint16_t port = 0;
    const auto listener = listening(port);
    const size_t count = max_probes_in_flight + 20;
    const auto now = std::chrono::steady_clock::now();
    for (size_t n = 0; n < count; ++n)
        probes.start(record_at(static_cast<uint8_t>(n), "127.0.0.1", port), now);
    EXPECT_LE(probes.in_flight(), max_probes_in_flight);
    probes.start(record_at(0, "127.0.0.1", port), now);  // already under way: not twice
    const auto answered = results_of(probes, count);
    EXPECT_EQ(answered.size(), count);
    for (const auto& [id, yes] : answered) EXPECT_TRUE(yes) << "peer " << int(id);
}

}  // namespace
}  // namespace xfer::discovery::lan
