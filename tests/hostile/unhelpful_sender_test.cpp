// Senders that keep a connection alive but never help (issue 9, class 2): one answers the
// handshake and the manifest, then sends only KEEPALIVE; another DECLINEs every request; a third
// answers a request with a PIECE frame trickled a few bytes a second (bytes keep coming, the
// data asked for never does). Each fetch must end with a clear line naming the source and what
// it failed to do, never hang.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <optional>
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

enum class unhelpful { keepalive, decline, trickle, trickle_hello };

// One connection's worth of a sender that never sends a whole block of data.
class unhelpful_sender {
  public:
    explicit unhelpful_sender(unhelpful how) : how_(how) {
        listener_ = listen_on_loopback(port_);
        thread_ = std::thread([this] { serve(); });
    }
    ~unhelpful_sender() {
        stop_ = true;
        thread_.join();
    }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    int declines_sent() const { return declines_.load(); }
    int bytes_trickled() const { return trickled_.load(); }

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
        if (how_ == unhelpful::trickle_hello) {
            hello.listen_host = std::string(200, 'h');  // long enough to outlast any deadline
            out.clear();
            wire::encode(hello, out);
            return trickle_bytes(peer, out);
        }
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
        if (how_ == unhelpful::trickle) return trickle(peer, handle);
        while (!stop_) {
            out.clear();
            if (const auto message = receive_message(peer)) {
                const auto* request = std::get_if<wire::request>(&*message);
                if (how_ == unhelpful::decline && request != nullptr && request->offset == 0) {
                    wire::encode(wire::decline_msg{handle, request->piece}, out);
                    ++declines_;
                }
            } else {
                wire::encode(wire::keepalive{}, out);  // nothing asked within 0.5 s: stay "alive"
            }
            if (!out.empty() && !peer.send(out)) return;
        }
    }

    // The first REQUEST is answered with its PIECE frame, 4 bytes a second, until dropped.
    void trickle(tls_peer& peer, uint32_t handle) {
        std::optional<wire::request> asked;
        while (!stop_ && !asked) {
            const auto message = receive_message(peer);
            if (message && std::holds_alternative<wire::request>(*message))
                asked = std::get<wire::request>(*message);
        }
        if (!asked) return;
        std::vector<uint8_t> frame;
        wire::encode_piece_header(wire::piece_header{handle, asked->piece, asked->offset},
                                  asked->length, frame);
        frame.resize(frame.size() + asked->length, 0x5a);
        trickle_bytes(peer, frame);
    }

    void trickle_bytes(tls_peer& peer, const std::vector<uint8_t>& frame) {
        for (const uint8_t byte : frame) {
            if (stop_ || !peer.send(&byte, 1)) return;
            ++trickled_;
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
    }

    const unhelpful how_;
    unique_fd listener_;
    uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> declines_{0};
    std::atomic<int> trickled_{0};
    std::thread thread_;
};

command_result fetch_from(const unhelpful_sender& sender, sandbox& box) {
    return run_xfer(
        {"fetch", sender.address(), "f.bin", "-o", (box / "out").string(), "--stall-timeout", "2"},
        90s);
}

TEST(UnhelpfulSender, KeepalivesWithoutTheDataAskedForEndTheFetchClearly) {
    sandbox box;
    unhelpful_sender sender(unhelpful::keepalive);
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
    unhelpful_sender sender(unhelpful::decline);
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

TEST(UnhelpfulSender, APieceTrickledAFewBytesASecondEndsTheFetchNamingTheSource) {
    sandbox box;
    unhelpful_sender sender(unhelpful::trickle);
    const auto fetched = fetch_from(sender, box);
    ASSERT_TRUE(fetched.status) << "the fetch hung on a sender that trickles its data\n"
                                << fetched.describe();
    EXPECT_NE(*fetched.status, 0) << fetched.describe();
    EXPECT_GT(sender.bytes_trickled(), 0) << "the sender never got to trickle";
    EXPECT_NE(fetched.err.find(sender.address()), std::string::npos) << fetched.describe();
    EXPECT_NE(fetched.err.find("stalled"), std::string::npos) << fetched.describe();
    EXPECT_FALSE(box.exists("out/f.bin"));
}

TEST(UnhelpfulSender, AHelloTrickledAByteAtATimeEndsTheFetchNamingTheSource) {
    sandbox box;
    unhelpful_sender sender(unhelpful::trickle_hello);
    const auto fetched = fetch_from(sender, box);
    ASSERT_TRUE(fetched.status) << "the fetch hung on a sender that trickles its HELLO\n"
                                << fetched.describe();
    EXPECT_NE(*fetched.status, 0) << fetched.describe();
    EXPECT_GT(sender.bytes_trickled(), 0) << "the sender never got to trickle";
    EXPECT_NE(fetched.err.find(sender.address()), std::string::npos) << fetched.describe();
    EXPECT_NE(fetched.err.find("did not complete its HELLO within 2 s"), std::string::npos)
        << fetched.describe();
    EXPECT_FALSE(box.exists("out/f.bin"));
}

}  // namespace
}  // namespace xfer::test
