// The sender's side of pairing on one upload connection, over a fake stream whose "TLS
// exporter" both ends share: a receiver the policy refuses may pair when its HELLO says so, may
// read once paired (and is handed to on_paired with its proved ID and name), and gets ERROR
// pairing_failed for a wrong code; it may not read before; a sender without a code refuses.
#include <gtest/gtest.h>

#include "sender/sender.hpp"
#include "shared/core/error.hpp"
#include "tests/sender/upload_fixture.hpp"

namespace xfer::test {
namespace {

using namespace std::chrono_literals;

constexpr std::array<uint8_t, 32> exporter = {1, 2, 3, 4, 5, 6, 7, 8};

class upload_pairing : public upload_test {
  protected:
    upload_pairing() {
        authorize_ = [](const identity::peer_id&, const net::endpoint&) {
            return session::peer_verdict::refuse("not allowed: pair first");
        };
        sender_id_.digest[0] = 0x5e;
        offer_.own_name = "alpha";
        offer_.on_paired = [this](const sender::paired_receiver& peer) { paired_.push_back(peer); };
        codes_.refresh(t0);
        context_.codes = &codes_;
        context_.pairing_offer = &offer_;
        context_.own_peer_id = sender_id_;
    }

    // A receiver (peer ID all zero, as the fake stream proves) that comes to pair.
    std::unique_ptr<scripted_receiver> pairing_receiver() {
        auto hello = receiver_hello(1);
        hello.features = wire::hello_feature_pairing;
        auto receiver = std::make_unique<scripted_receiver>(1, context_, hello, exporter);
        EXPECT_FALSE(receiver->deliver()) << "a receiver that comes to pair was refused";
        EXPECT_EQ(receiver->listen().all<wire::hello>().size(), 1u) << "no HELLO back";
        return receiver;
    }

    pairing::channel_binding binding() const { return {exporter, identity::peer_id{}, sender_id_}; }

    // PAIR_INIT with `code` and the sender's answer; the confirmation to send, if any.
    pairing::pairing_initiator::reply_step exchange(scripted_receiver& receiver,
                                                    pairing::pairing_initiator& initiator) {
        receiver.say(initiator.init());
        EXPECT_FALSE(receiver.deliver());
        const auto answer = receiver.listen();
        EXPECT_EQ(answer.pairing.size(), 1u);
        if (answer.pairing.size() != 1) return {std::nullopt, std::unexpected(std::error_code{})};
        return initiator.on_reply(std::get<wire::pair_reply>(answer.pairing[0]));
    }

    pairing::pairing_code right_code() const { return codes_.lease()->code(); }

    identity::peer_id sender_id_;
    sender::pairing_options offer_;
    sender::pairing_codes codes_{pairing::code_policy{}};
    std::vector<sender::paired_receiver> paired_;
};

TEST_F(upload_pairing, TheRightCodePairsAndThenTheReceiverMayRead) {
    auto receiver = pairing_receiver();
    receiver->say(wire::list_request{""});
    EXPECT_EQ(receiver->deliver(), make_error_code(errc::peer_not_allowed))
        << "read before pairing";

    receiver = pairing_receiver();
    pairing::pairing_initiator initiator(right_code(), binding(), "bravo");
    const auto step = exchange(*receiver, initiator);
    ASSERT_TRUE(step.outcome) << step.outcome.error().message();
    EXPECT_EQ(step.outcome->name, "alpha");
    ASSERT_TRUE(step.confirm);
    receiver->say(*step.confirm);
    ASSERT_FALSE(receiver->deliver());
    ASSERT_EQ(paired_.size(), 1u);
    EXPECT_EQ(paired_[0].id, identity::peer_id{});
    EXPECT_EQ(paired_[0].name, "bravo");
    EXPECT_EQ(paired_[0].address.to_string(), "127.0.0.9:40000");
    EXPECT_TRUE(codes_.lease()->used()) << "a code pairs once";

    receiver->say(wire::list_request{""});
    EXPECT_FALSE(receiver->deliver()) << "a paired receiver may read";
}

TEST_F(upload_pairing, AWrongCodeEndsWithPairingFailedAndCostsATry) {
    auto receiver = pairing_receiver();
    auto code = right_code();
    code.number = static_cast<uint16_t>(code.number % pairing::max_code_number + 1);
    pairing::pairing_initiator initiator(code, binding(), "bravo");
    const auto step = exchange(*receiver, initiator);
    ASSERT_FALSE(step.outcome);
    EXPECT_EQ(step.outcome.error(), pairing::pairing_errc::wrong_code);
    ASSERT_TRUE(step.confirm) << "the receiver confirms even a mismatch";
    receiver->say(*step.confirm);
    const auto failed = receiver->deliver();
    EXPECT_EQ(failed, make_error_code(errc::pairing_failed));
    receiver->connection->close_with(failed);
    const auto errors = receiver->listen().all<wire::error_msg>();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].code, static_cast<uint16_t>(errc::pairing_failed));
    EXPECT_TRUE(paired_.empty());
    EXPECT_EQ(codes_.lease()->attempts_left(), 2u);
}

TEST_F(upload_pairing, ASenderWithoutACodeRefusesWithNoCode) {
    context_.codes = nullptr;
    auto receiver = pairing_receiver();
    pairing::pairing_initiator initiator(right_code(), binding(), "bravo");
    const auto step = exchange(*receiver, initiator);
    ASSERT_FALSE(step.outcome);
    EXPECT_EQ(step.outcome.error(), pairing::pairing_errc::no_code);
    EXPECT_FALSE(step.confirm);
}

TEST_F(upload_pairing, ASecondPairInitOnTheConnectionIsAViolation) {
    auto receiver = pairing_receiver();
    pairing::pairing_initiator initiator(right_code(), binding(), "bravo");
    receiver->say(initiator.init());
    receiver->say(initiator.init());
    EXPECT_EQ(receiver->deliver(), make_error_code(errc::unexpected_message));
}

}  // namespace
}  // namespace xfer::test
