// Every peer connection is TLS 1.3, authenticated by the peers' own keys: real `xfer` processes
// with separate homes (so separate identities), a sender that meets a plaintext client, and a
// fetch or ls that meets a plaintext server.
#include <gtest/gtest.h>

#include <string>

#include "shared/wire/messages.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/e2e_net.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

std::vector<uint8_t> plaintext_hello() {
    wire::hello hello;
    hello.id = random_peer_id();
    std::vector<uint8_t> bytes;
    wire::encode(hello, bytes);
    return bytes;
}

TEST(TransferTls, FetchBetweenTwoIdentitiesIsByteExactAndSeesTheSendersId) {
    sandbox box;
    const auto original = write_random_file(box / "src/a.bin", 5'000'000, 61);
    const auto sender_home = (box / "sender-home").string();
    const auto receiver_home = (box / "receiver-home").string();
    xfer_server server(box / "src", {"--home", sender_home, "--public"});  // never paired

    const auto fetched = run_xfer({"fetch", server.address(), "a.bin", "-o", (box / "out").string(),
                                   "--home", receiver_home, "-v"});
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(original, box / "out/a.bin"), "");

    const auto sender_id = first_line(run_xfer({"id", "--home", sender_home}).out);
    const auto receiver_id = first_line(run_xfer({"id", "--home", receiver_home}).out);
    ASSERT_EQ(sender_id.size(), 63u) << sender_id;
    ASSERT_NE(sender_id, receiver_id) << "the two homes should hold two identities";
    // The receiver names the sender by the ID its certificate proved, and says how bytes travel.
    EXPECT_NE(fetched.err.find("sender " + sender_id + " over TLS 1.3 TLS_AES_"), std::string::npos)
        << fetched.err;
    EXPECT_EQ(fetched.err.find("sender " + receiver_id), std::string::npos);
    EXPECT_NE(fetched.err.find("encryption"), std::string::npos) << fetched.err;
}

TEST(TransferTls, SenderDropsAPlaintextHelloWithOneLineAndKeepsServing) {
    sandbox box;
    const auto original = write_random_file(box / "src/a.bin", 1'000'000, 62);
    xfer_server server(box / "src");

    const auto exchange = exchange_raw(server.port(), plaintext_hello(), 30s, transport::plaintext);
    EXPECT_TRUE(exchange.connected);
    EXPECT_TRUE(exchange.closed_by_server) << "the sender kept a plaintext client open";
    // No xfer frame came back in clear: the plaintext client learns nothing.
    EXPECT_EQ(std::string(exchange.reply.begin(), exchange.reply.end()).find("XFER"),
              std::string::npos);
    ASSERT_TRUE(eventually([&] {
        return server.process().stderr_text().find("no TLS handshake") != std::string::npos;
    })) << server.process().describe();
    const auto log = server.process().stderr_text();
    EXPECT_NE(log.find("not an xfer peer, or an xfer older than 0.2"), std::string::npos) << log;

    const auto fetched =
        run_xfer({"fetch", server.address(), "a.bin", "-o", (box / "out").string()});
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(original, box / "out/a.bin"), "");
}

TEST(TransferTls, FetchFromAPlaintextServerFailsAtOnceSayingItIsNotTls) {
    sandbox box;
    // What an xfer before 0.2 answers: a plaintext HELLO, then silence.
    scripted_peer old_xfer(plaintext_hello(), /*hold_open=*/true, transport::plaintext);
    const auto started = std::chrono::steady_clock::now();
    const auto fetched =
        run_xfer({"fetch", old_xfer.address(), "a.bin", "-o", (box / "out").string()});
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_TRUE(failed_saying(fetched, {old_xfer.address(), "did not answer the TLS handshake",
                                        "not an xfer peer, or an xfer older than 0.2"}));
    EXPECT_TRUE(single_error_line(fetched));
    // Fast: the garbage answer ends it, not the 10 s stall timeout.
    EXPECT_LT(took, std::chrono::seconds(8)) << fetched.describe();
    EXPECT_FALSE(std::filesystem::exists(box / "out/a.bin"));
}

TEST(TransferTls, FetchFromASilentListenerSaysNoTlsHandshakeCameWithinTheStallTimeout) {
    sandbox box;
    scripted_peer silent({}, /*hold_open=*/true, transport::plaintext);
    const auto fetched = run_xfer(
        {"fetch", silent.address(), "a.bin", "-o", (box / "out").string(), "--stall-timeout", "1"});
    EXPECT_TRUE(
        failed_saying(fetched, {silent.address(), "did not answer the TLS handshake within 1 s"}));
    EXPECT_TRUE(single_error_line(fetched));
}

TEST(TransferTls, LsAgainstAnHttpServerSaysItIsNotTls) {
    const std::string http = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    scripted_peer web({http.begin(), http.end()}, /*hold_open=*/false, transport::plaintext);
    const auto listed = run_xfer({"ls", web.address()});
    EXPECT_TRUE(failed_saying(listed, {web.address(), "did not answer the TLS handshake"}));
    EXPECT_TRUE(single_error_line(listed));
}

}  // namespace
}  // namespace xfer::test
