// Senders that lie in a streamed manifest (docs/PROTOCOL.md, "Streamed manifest"): a scripted
// sender sends a true head and true data, then MANIFEST_HASHES that lie. A hash that does not
// match the data it sends is caught by verification; hashes out of order or repeated drop the
// source at once. Either way the fetch ends with a line saying so and no file is presented.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "shared/hash/sha256.hpp"
#include "shared/manifest/manifest.hpp"
#include "shared/manifest/manifest_stream.hpp"
#include "shared/wire/frame.hpp"
#include "shared/wire/messages.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"
#include "tests/support/tls_peer.hpp"

namespace xfer::test {
namespace {

constexpr uint32_t pieces = 4;

// honest_but_slow: no lie; the rest of the hashes come only after a wait longer than the
// fetch's no-progress limit (a sender hashing a piece of 262,144 files beside busy writers).
enum class lie { wrong_hash_for_piece_2, hashes_out_of_order, hash_sent_twice, honest_but_slow };
// With --stall-timeout 2: longer than the fetch's 6 s without data, shorter than the 20 s a
// sender may take for its manifest.
constexpr auto slow_hashing = std::chrono::seconds(9);

// A 4-piece file streamed: head with piece 0's hash, then the lie once the first request came.
class lying_streamer {
  public:
    explicit lying_streamer(lie how) : lie_(how) {
        for (uint32_t piece = 0; piece < pieces; ++piece)
            data_.emplace_back(min_piece_size, static_cast<uint8_t>(0x30 + piece));
        listener_ = unique_fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(listener_.get(), 4) != 0 ||
            ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0)
            throw std::runtime_error("cannot listen");
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~lying_streamer() {
        stop_ = true;
        thread_.join();
    }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    bool saw_feature_bit() const { return feature_bit_.load(); }

  private:
    std::optional<wire::message> next_message(tls_peer& peer, wire::request* request) {
        uint8_t raw[wire::frame_header_size];
        wire::frame_header header{};
        if (!peer.receive_exact(raw, sizeof raw) || wire::validate_header(raw, header))
            return std::nullopt;
        std::vector<uint8_t> body(header.length);
        if (header.length > 0 && !peer.receive_exact(body.data(), body.size())) return std::nullopt;
        auto decoded = wire::decode(header.type, body);
        if (!decoded) return std::nullopt;
        if (auto* r = std::get_if<wire::request>(&*decoded); r && request) *request = *r;
        return std::move(*decoded);
    }

    manifest true_manifest() const {
        manifest m;
        m.file_size = uint64_t{pieces} * min_piece_size;
        m.piece_size = min_piece_size;
        for (const auto& piece : data_) m.piece_hashes.push_back(sha256(piece));
        return m;
    }

    void send_lie(tls_peer& peer, uint32_t handle) {
        const auto m = true_manifest();
        std::vector<sha256_digest> rest(m.piece_hashes.begin() + 1, m.piece_hashes.end());
        std::vector<uint8_t> out;
        if (lie_ == lie::honest_but_slow) {
            wire::encode(wire::manifest_hashes_msg{handle, 1, rest}, out);
        } else if (lie_ == lie::wrong_hash_for_piece_2) {
            rest[1] = sha256(std::vector<uint8_t>(7, 7));
            wire::encode(wire::manifest_hashes_msg{handle, 1, rest}, out);
        } else if (lie_ == lie::hashes_out_of_order) {
            wire::encode(wire::manifest_hashes_msg{handle, 2, {rest[1], rest[2]}}, out);
        } else {
            wire::encode(wire::manifest_hashes_msg{handle, 1, {rest[0]}}, out);
            wire::encode(wire::manifest_hashes_msg{handle, 1, {rest[0]}}, out);
        }
        (void)peer.send(out);
    }

    void serve() {
        pollfd item{listener_.get(), POLLIN, 0};
        while (!stop_ && ::poll(&item, 1, 100) <= 0) {
        }
        if (stop_) return;
        tls_peer peer(unique_fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC)),
                      tls::side::server, std::chrono::milliseconds(200));
        if (!peer.ok()) return;
        peer.set_timeout(std::chrono::seconds(10));
        const auto their_hello = next_message(peer, nullptr);
        if (!their_hello || !std::holds_alternative<wire::hello>(*their_hello)) return;
        feature_bit_ =
            std::get<wire::hello>(*their_hello).features & wire::hello_feature_manifest_stream;
        std::vector<uint8_t> out;
        wire::hello hello;
        hello.id[0] = 0x55;
        wire::encode(hello, out);
        const auto open = next_message(peer, nullptr);
        if (!open || !std::holds_alternative<wire::open_request>(*open)) return;
        const uint32_t handle = std::get<wire::open_request>(*open).handle;
        const auto encoded = encode_manifest(true_manifest());
        wire::encode(wire::manifest_head_msg{handle, 1, manifest_prefix(encoded, 1)}, out);
        wire::encode(wire::bitfield_msg{handle, pieces, {0x80}}, out);
        if (!peer.send(out)) return;
        peer.set_timeout(std::chrono::milliseconds(500));
        bool lied = false;
        std::optional<std::chrono::steady_clock::time_point> first_served;
        while (!stop_) {
            if (!lied && first_served &&
                std::chrono::steady_clock::now() - *first_served >= slow_hashing) {
                lied = true;
                send_lie(peer, handle);
            }
            wire::request request{};
            request.length = 0;
            const auto message = next_message(peer, &request);
            if (!message) {
                out.clear();
                wire::encode(wire::keepalive{}, out);
                if (!peer.send(out)) return;
                continue;
            }
            if (request.length == 0) continue;
            // True data for whatever is asked: only the hashes lie.
            out.clear();
            wire::encode_piece_header({handle, request.piece, request.offset}, request.length, out);
            const auto& piece = data_[request.piece];
            out.insert(out.end(), piece.begin() + request.offset,
                       piece.begin() + request.offset + request.length);
            if (!peer.send(out)) return;
            if (!first_served) first_served = std::chrono::steady_clock::now();
            if (!lied && lie_ != lie::honest_but_slow) {
                lied = true;
                send_lie(peer, handle);
            }
        }
    }

    const lie lie_;
    std::vector<std::vector<uint8_t>> data_;
    unique_fd listener_;
    uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<bool> feature_bit_{false};
    std::thread thread_;
};

command_result fetch_from(const lying_streamer& sender, sandbox& box) {
    return run_xfer({"fetch", sender.address(), "f.bin", "-o", (box / "out").string(),
                     "--stall-timeout", "2", "-v"},
                    120s);
}

TEST(StreamedManifestLies, AHashThatDoesNotMatchItsDataIsCaughtAndNothingIsPresented) {
    sandbox box;
    lying_streamer sender(lie::wrong_hash_for_piece_2);
    const auto fetched = fetch_from(sender, box);
    ASSERT_TRUE(fetched.status) << fetched.describe();
    EXPECT_TRUE(sender.saw_feature_bit()) << "an xfer receiver says it reads streamed manifests";
    EXPECT_NE(*fetched.status, 0) << fetched.describe();
    EXPECT_NE(fetched.err.find("piece 2 failed SHA-256 verification"), std::string::npos)
        << fetched.describe();
    EXPECT_FALSE(box.exists("out/f.bin"));
}

TEST(StreamedManifestLies, HashesOutOfOrderDropTheSourceAtOnce) {
    sandbox box;
    lying_streamer sender(lie::hashes_out_of_order);
    const auto fetched = fetch_from(sender, box);
    ASSERT_TRUE(fetched.status) << fetched.describe();
    EXPECT_NE(*fetched.status, 0) << fetched.describe();
    EXPECT_NE(fetched.err.find("manifest hashes out of order"), std::string::npos)
        << fetched.describe();
    EXPECT_FALSE(box.exists("out/f.bin"));
}

TEST(StreamedManifestLies, AHashSentTwiceDropsTheSourceAtOnce) {
    sandbox box;
    lying_streamer sender(lie::hash_sent_twice);
    const auto fetched = fetch_from(sender, box);
    ASSERT_TRUE(fetched.status) << fetched.describe();
    EXPECT_NE(*fetched.status, 0) << fetched.describe();
    EXPECT_NE(fetched.err.find("manifest hashes out of order"), std::string::npos)
        << fetched.describe();
    EXPECT_FALSE(box.exists("out/f.bin"));
}

// Issue 11: a cold 1,000,000-file tree failed "no source advanced the fetch for 30 s" while
// its sender was hashing the next piece. Waiting for a streamed manifest's next hash is bounded
// as the wait for a manifest is, and the fetch completes.
TEST(StreamedManifestLies, ASenderSlowToHashItsNextPieceIsWaitedFor) {
    sandbox box;
    lying_streamer sender(lie::honest_but_slow);
    const auto fetched = fetch_from(sender, box);
    ASSERT_TRUE(fetched.status) << fetched.describe();
    ASSERT_EQ(*fetched.status, 0) << fetched.describe();
    std::vector<uint8_t> expected;
    for (uint32_t piece = 0; piece < pieces; ++piece)
        expected.insert(expected.end(), min_piece_size, static_cast<uint8_t>(0x30 + piece));
    EXPECT_TRUE(box.read("out/f.bin") == expected) << "the bytes are the sender's";
}

}  // namespace
}  // namespace xfer::test
