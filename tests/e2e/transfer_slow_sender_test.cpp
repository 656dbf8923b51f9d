// A sender that is slow but steady (one 256 KiB block takes longer than the stall limit, as at a
// seeder shared by 31 receivers: issue 13) is not dropped as stalled: the data of a block that
// is arriving counts as progress. Before, such a source was dropped and its partial pieces
// fetched again, over and over.
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

using namespace std::chrono_literals;

constexpr uint32_t pieces = 2;
// Each block goes out in slices, one every slice_gap: 256 KiB in 8 slices over ~4.8 s, against
// a stall limit of 2 s. The receiver sees a slice (32 KiB >= 16 KiB) well within each 2 s.
constexpr size_t slice = 32 * 1024;
constexpr auto slice_gap = 600ms;

class slow_sender {
  public:
    explicit slow_sender(std::vector<uint8_t> data) : data_(std::move(data)) {
        listener_ = listen_on_loopback(port_);
        thread_ = std::thread([this] { serve(); });
    }
    ~slow_sender() {
        stop_ = true;
        thread_.join();
    }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    int connections() const { return connections_.load(); }

  private:
    void serve() {
        while (!stop_) {
            pollfd item{listener_.get(), POLLIN, 0};
            if (::poll(&item, 1, 100) <= 0) continue;
            ++connections_;
            tls_peer peer(unique_fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC)),
                          tls::side::server, 200ms);
            if (peer.ok()) serve_one(peer);
        }
    }

    void serve_one(tls_peer& peer) {
        peer.set_timeout(10s);
        if (!receive_message(peer)) return;  // the receiver's HELLO
        std::vector<uint8_t> out;
        wire::hello hello;
        hello.id[0] = 0x51;
        wire::encode(hello, out);
        const auto open = receive_message(peer);
        if (!open || !std::holds_alternative<wire::open_request>(*open)) return;
        manifest m;
        m.file_size = data_.size();
        m.piece_size = min_piece_size;
        for (uint32_t i = 0; i < pieces; ++i)
            m.piece_hashes.push_back(
                sha256(std::span(data_).subspan(i * min_piece_size, min_piece_size)));
        const uint32_t handle = std::get<wire::open_request>(*open).handle;
        wire::encode(wire::manifest_msg{handle, encode_manifest(m)}, out);
        wire::encode(wire::bitfield_msg{handle, pieces, {0xC0}}, out);
        if (!peer.send(out)) return;
        while (!stop_) {
            const auto message = receive_message(peer);
            if (!message) return;
            const auto* request = std::get_if<wire::request>(&*message);
            if (request == nullptr) continue;
            out.clear();
            wire::encode_piece_header({handle, request->piece, request->offset}, request->length,
                                      out);
            const auto start = uint64_t{request->piece} * min_piece_size + request->offset;
            out.insert(out.end(), data_.begin() + static_cast<long>(start),
                       data_.begin() + static_cast<long>(start + request->length));
            for (size_t sent = 0; sent < out.size() && !stop_; sent += slice) {
                if (!peer.send(out.data() + sent, std::min(slice, out.size() - sent))) return;
                std::this_thread::sleep_for(slice_gap);
            }
        }
    }

    const std::vector<uint8_t> data_;
    unique_fd listener_;
    uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    std::thread thread_;
};

TEST(SlowSender, BlocksSlowerThanTheStallLimitStillArriveFromOneConnection) {
    sandbox box;
    const auto data = pseudo_random_bytes(pieces * min_piece_size, 13);
    slow_sender sender(data);
    const auto fetched = run_xfer(
        {"fetch", sender.address(), "f.bin", "-o", (box / "out").string(), "--stall-timeout", "2"},
        120s);
    ASSERT_TRUE(fetched.status) << fetched.describe();
    ASSERT_EQ(*fetched.status, 0) << "a slow but steady sender was dropped\n" << fetched.describe();
    EXPECT_EQ(box.read("out/f.bin"), data);
    EXPECT_EQ(sender.connections(), 1) << "the source was dropped and connected to again";
}

}  // namespace
}  // namespace xfer::test
