// The pairing state machines driven message by message, as two ends of a TLS session (and a
// relay between two sessions) would drive them.
#include "shared/pairing/pairing_exchange.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace xfer::pairing {
namespace {

using namespace std::chrono_literals;
const auto start = std::chrono::steady_clock::time_point{} + 1h;

channel_binding binding(uint8_t exporter_byte = 0x11) {
    channel_binding b;
    b.tls_exporter.fill(exporter_byte);
    b.initiator_id.digest.fill(0xaa);
    b.responder_id.digest.fill(0xbb);
    return b;
}
pairing_code code(const char* text) {
    return *parse_pairing_code(text);
}

struct run_result {
    pairing_outcome initiator;
    pairing_outcome responder;
};

// One full exchange: the receiver types `typed`, the sender holds `limiter`.
run_result run(const char* typed, code_limiter& limiter, const channel_binding& receiver_side,
               const channel_binding& sender_side) {
    pairing_initiator initiator(code(typed), receiver_side, "laptop");
    pairing_responder responder(limiter, sender_side, "desktop");
    const auto first = responder.on_init(initiator.init(), start + 1s);
    if (!first.reply) return {std::unexpected(first.refused), std::unexpected(first.refused)};
    auto step = initiator.on_reply(*first.reply);
    if (first.refused) return {step.outcome, std::unexpected(first.refused)};
    EXPECT_TRUE(step.confirm);
    if (!step.confirm) return {step.outcome, std::unexpected(make_error_code(pairing_errc::ok))};
    return {step.outcome, responder.on_confirm(*step.confirm)};
}

TEST(PairingExchange, TheRightCodePairsBothWays) {
    code_limiter limiter(code("7-amber-forest"), start);
    const auto result = run("7 Amber forest", limiter, binding(), binding());
    ASSERT_TRUE(result.initiator) << result.initiator.error().message();
    ASSERT_TRUE(result.responder) << result.responder.error().message();
    EXPECT_EQ(result.initiator->name, "desktop");
    EXPECT_EQ(result.responder->name, "laptop");
    EXPECT_TRUE(limiter.used());
}

TEST(PairingExchange, AWrongCodeFailsOnBothSides) {
    code_limiter limiter(code("7-amber-forest"), start);
    const auto result = run("7-amber-garden", limiter, binding(), binding());
    ASSERT_FALSE(result.initiator);
    ASSERT_FALSE(result.responder);
    EXPECT_EQ(result.initiator.error(), pairing_errc::wrong_code);
    EXPECT_EQ(result.responder.error(), pairing_errc::wrong_code);
    EXPECT_FALSE(limiter.used());
    EXPECT_EQ(limiter.attempts_left(), 2u);
}

TEST(PairingExchange, NoMessageCarriesTheCode) {
    code_limiter limiter(code("7-amber-forest"), start);
    pairing_initiator initiator(code("7-amber-forest"), binding(), "laptop");
    pairing_responder responder(limiter, binding(), "desktop");
    std::vector<uint8_t> bytes;
    wire::encode(initiator.init(), bytes);
    const auto first = responder.on_init(initiator.init(), start);
    ASSERT_TRUE(first.reply);
    wire::encode(*first.reply, bytes);
    wire::encode(*initiator.on_reply(*first.reply).confirm, bytes);
    const std::string all(bytes.begin(), bytes.end());
    for (const char* secret : {"amber", "forest", "7-amber"}) {
        EXPECT_EQ(all.find(secret), std::string::npos) << secret;
    }
}

TEST(PairingExchange, ThreeWrongTriesKillTheCodeEvenForTheRightOne) {
    code_limiter limiter(code("7-amber-forest"), start);
    for (const char* guess : {"1-amber-forest", "7-acid-forest", "7-amber-fox"}) {
        EXPECT_EQ(run(guess, limiter, binding(), binding()).responder.error(),
                  pairing_errc::wrong_code);
    }
    const auto result = run("7-amber-forest", limiter, binding(), binding());
    ASSERT_FALSE(result.initiator);
    EXPECT_EQ(result.initiator.error(), pairing_errc::too_many_attempts);
    EXPECT_EQ(result.responder.error(), pairing_errc::too_many_attempts);
}

TEST(PairingExchange, AnExpiredCodeIsRefusedWithThatReason) {
    code_limiter limiter(code("7-amber-forest"), start - 11min);
    const auto result = run("7-amber-forest", limiter, binding(), binding());
    ASSERT_FALSE(result.initiator);
    EXPECT_EQ(result.initiator.error(), pairing_errc::code_expired);
    EXPECT_EQ(result.responder.error(), pairing_errc::code_expired);
}

TEST(PairingExchange, AUsedCodeIsRefused) {
    code_limiter limiter(code("7-amber-forest"), start);
    ASSERT_TRUE(run("7-amber-forest", limiter, binding(), binding()).responder);
    EXPECT_EQ(run("7-amber-forest", limiter, binding(), binding()).initiator.error(),
              pairing_errc::code_used);
}

TEST(PairingExchange, ARelayWithTwoTlsSessionsCannotCompletePairing) {
    // The relay forwards every message unchanged, but each side's exporter is that of its own
    // TLS session with the relay.
    code_limiter limiter(code("7-amber-forest"), start);
    const auto result = run("7-amber-forest", limiter, binding(0x11), binding(0x22));
    EXPECT_EQ(result.initiator.error(), pairing_errc::wrong_code);
    EXPECT_EQ(result.responder.error(), pairing_errc::wrong_code);
}

TEST(PairingExchange, ARelayThatShowsItsOwnIdentityCannotCompletePairing) {
    code_limiter limiter(code("7-amber-forest"), start);
    auto sender_view = binding();
    sender_view.initiator_id.digest.fill(0xcc);  // the sender sees the relay's certificate
    const auto result = run("7-amber-forest", limiter, binding(), sender_view);
    EXPECT_EQ(result.initiator.error(), pairing_errc::wrong_code);
    EXPECT_EQ(result.responder.error(), pairing_errc::wrong_code);
}

TEST(PairingExchange, ANameChangedInTransitFailsThePairing) {
    code_limiter limiter(code("7-amber-forest"), start);
    pairing_initiator initiator(code("7-amber-forest"), binding(), "laptop");
    pairing_responder responder(limiter, binding(), "desktop");
    auto first = responder.on_init(initiator.init(), start);
    ASSERT_TRUE(first.reply);
    first.reply->name = "mallory";
    const auto step = initiator.on_reply(*first.reply);
    EXPECT_EQ(step.outcome.error(), pairing_errc::wrong_code);
    EXPECT_EQ(responder.on_confirm(*step.confirm).error(), pairing_errc::wrong_code);
}

TEST(PairingExchange, InvalidPointsAreMalformed) {
    code_limiter limiter(code("7-amber-forest"), start);
    pairing_responder responder(limiter, binding(), "desktop");
    wire::pair_init bad_init{wire::pairing_point{}, "laptop"};  // the identity element
    const auto first = responder.on_init(bad_init, start);
    EXPECT_FALSE(first.reply);
    EXPECT_EQ(first.refused, pairing_errc::malformed_message);

    pairing_initiator initiator(code("7-amber-forest"), binding(), "laptop");
    wire::pair_reply bad_reply;
    bad_reply.Yb.fill(0xff);  // not a canonical encoding
    bad_reply.name = "desktop";
    const auto step = initiator.on_reply(bad_reply);
    EXPECT_FALSE(step.confirm);
    EXPECT_EQ(step.outcome.error(), pairing_errc::malformed_message);
}

TEST(PairingExchange, MessagesOutOfOrderAreRefused) {
    code_limiter limiter(code("7-amber-forest"), start);
    pairing_responder responder(limiter, binding(), "desktop");
    EXPECT_EQ(responder.on_confirm(wire::pair_confirm{}).error(), pairing_errc::out_of_order);
    pairing_initiator initiator(code("7-amber-forest"), binding(), "laptop");
    const auto first = responder.on_init(initiator.init(), start);
    EXPECT_EQ(responder.on_init(initiator.init(), start).refused, pairing_errc::out_of_order);
    ASSERT_TRUE(first.reply);
    EXPECT_TRUE(initiator.on_reply(*first.reply).outcome);
    EXPECT_EQ(initiator.on_reply(*first.reply).outcome.error(), pairing_errc::out_of_order);
}

TEST(PairingExchange, TwoConcurrentAttemptsWithTheCodePairOnlyOne) {
    code_limiter limiter(code("7-amber-forest"), start);
    pairing_initiator first_initiator(code("7-amber-forest"), binding(0x01), "one");
    pairing_initiator second_initiator(code("7-amber-forest"), binding(0x02), "two");
    pairing_responder first(limiter, binding(0x01), "desktop");
    pairing_responder second(limiter, binding(0x02), "desktop");
    const auto reply_one = first.on_init(first_initiator.init(), start);
    const auto reply_two = second.on_init(second_initiator.init(), start);
    ASSERT_TRUE(reply_one.reply && reply_two.reply);
    EXPECT_TRUE(first.on_confirm(*first_initiator.on_reply(*reply_one.reply).confirm));
    EXPECT_EQ(second.on_confirm(*second_initiator.on_reply(*reply_two.reply).confirm).error(),
              pairing_errc::code_used);
}

TEST(PairingExchange, OwnNamesAreMadeFitForTheWire) {
    EXPECT_EQ(pairing_name_of(""), "unnamed");
    EXPECT_EQ(pairing_name_of("a\x1b[2Jb"), "a?[2Jb");
    const auto long_name = pairing_name_of(std::string(63, 'x') + "\xc3\xa9");  // 65 bytes
    EXPECT_EQ(long_name, std::string(63, 'x'));
    EXPECT_TRUE(wire::is_valid_pairing_name(pairing_name_of(std::string(300, 'y'))));
}

}  // namespace
}  // namespace xfer::pairing
