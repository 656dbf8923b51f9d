// Senders that keep a connection alive but never help (issue 9, class 2): one answers the
// handshake and the manifest, then sends only KEEPALIVE; another DECLINEs every request. Each
// fetch must end with a clear line saying what the source failed to do, never hang.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "shared/hash/sha256.hpp"
#include "shared/manifest/manifest.hpp"
#include "shared/wire/frame.hpp"
#include "shared/wire/messages.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"
#include "tests/support/tls_peer.hpp"

namespace xfer::test {
namespace {

// One connection's worth of a sender that never sends a byte of data.
class unhelpful_sender {
  public:
    explicit unhelpful_sender(bool decline_requests) : decline_(decline_requests) {
        listener_ = listen_on_loopback(port_);
        thread_ = std::thread([this] { serve(); });
    }
    ~unhelpful_sender() {
        stop_ = true;
        thread_.join();
    }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    int declines_sent() const { return declines_.load(); }

  private:
    void serve() {
        pollfd item{listener_.get(), POLLIN, 0};
        while (!stop_ && ::poll(&item, 1, 100) <= 0) {
        }
        if (stop_) return;
        tls_peer peer(unique_fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC)),
                      tls::side::server, std::chrono::milliseconds(200));
        if (!peer.ok()) return;
        peer.set_timeout(std::chrono::seconds(10));
        if (!receive_message(peer)) return;  // the receiver's HELLO
        std::vector<uint8_t> out;
        wire::hello hello;
        hello.id[0] = 0x77;
        wire::encode(hello, out);
        const auto open = receive_message(peer);
        if (!open || !std::holds_alternative<wire::open_request>(*open)) return;
        manifest m;
        m.file_size = 4 * min_piece_size;
        m.piece_size = min_piece_size;
        for (int i = 0; i < 4; ++i) m.piece_hashes.push_back(sha256(std::vector<uint8_t>(1, i)));
        const uint32_t handle = std::get<wire::open_request>(*open).handle;
        wire::encode(wire::manifest_msg{handle, encode_manifest(m)}, out);
        wire::encode(wire::bitfield_msg{handle, 4, {0xF0}}, out);
        if (!peer.send(out)) return;
        peer.set_timeout(std::chrono::milliseconds(500));
        while (!stop_) {
            out.clear();
            if (const auto message = receive_message(peer)) {
                const auto* request = std::get_if<wire::request>(&*message);
                if (decline_ && request != nullptr && request->offset == 0) {
                    wire::encode(wire::decline_msg{handle, request->piece}, out);
                    ++declines_;
                }
            } else {
                wire::encode(wire::keepalive{}, out);  // nothing asked within 0.5 s: stay "alive"
            }
            if (!out.empty() && !peer.send(out)) return;
        }
    }

    const bool decline_;
    unique_fd listener_;
    uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> declines_{0};
    std::thread thread_;
};

command_result fetch_from(const unhelpful_sender& sender, sandbox& box) {
    return run_xfer(
        {"fetch", sender.address(), "f.bin", "-o", (box / "out").string(), "--stall-timeout", "2"},
        90s);
}

TEST(UnhelpfulSender, KeepalivesWithoutTheDataAskedForEndTheFetchClearly) {
    sandbox box;
    unhelpful_sender sender(/*decline_requests=*/false);
    const auto fetched = fetch_from(sender, box);
    ASSERT_TRUE(fetched.status) << "the fetch hung on a sender that only keeps alive\n"
                                << fetched.describe();
    EXPECT_NE(*fetched.status, 0) << fetched.describe();
    EXPECT_NE(fetched.err.find("none of the data asked for"), std::string::npos)
        << fetched.describe();
    EXPECT_FALSE(box.exists("out/f.bin"));
}

TEST(UnhelpfulSender, DecliningEveryRequestEndsTheFetchNamingTheDeclines) {
    sandbox box;
    unhelpful_sender sender(/*decline_requests=*/true);
    const auto fetched = fetch_from(sender, box);
    ASSERT_TRUE(fetched.status) << "the fetch hung on a sender that declines everything\n"
                                << fetched.describe();
    EXPECT_NE(*fetched.status, 0) << fetched.describe();
    EXPECT_GT(sender.declines_sent(), 0);
    EXPECT_NE(fetched.err.find("no source advanced the fetch"), std::string::npos)
        << fetched.describe();
    EXPECT_NE(fetched.err.find("declined"), std::string::npos) << fetched.describe();
    EXPECT_FALSE(box.exists("out/f.bin"));
}

}  // namespace
}  // namespace xfer::test
