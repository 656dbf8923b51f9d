// The command line's trust objects: the sender's policy sees a peer added to known_peers while
// it serves; the receiver's check records a public first contact, so that a new key at that
// address is then refused; --allow-file and --peer errors name what is wrong.
#include <gtest/gtest.h>

#include "shared/trust/known_peers_file.hpp"
#include "tests/support/sandbox.hpp"
#include "tools/xfer/trust_options.hpp"

namespace xfer::cli {
namespace {

namespace po = boost::program_options;

identity::peer_id id_of(uint8_t seed) {
    identity::peer_id id;
    id.digest.fill(seed);
    return id;
}

po::variables_map parse(std::vector<std::string> args) {
    po::options_description options;
    add_sender_trust_options(options);
    add_receiver_trust_options(options);
    options.add_options()("home", po::value<std::string>());
    po::variables_map values;
    po::store(po::command_line_parser(args).options(options).run(), values);
    po::notify(values);
    return values;
}

TEST(TrustOptions, TheSenderSeesAPeerAddedWhileServing) {
    test::sandbox box;
    const auto config = box / "config";
    live_read_policy policy(config, *read_policy_options_from(parse({}), id_of(1)));
    EXPECT_TRUE(policy.authorize(id_of(1), "127.0.0.1").allowed);
    const auto refused = policy.authorize(id_of(2), "127.0.0.1");
    EXPECT_FALSE(refused.allowed);
    EXPECT_TRUE(refused.reason.starts_with("not allowed: ")) << refused.reason;
    ASSERT_TRUE(trust::update_known_peers(config, [](trust::known_peers& table) {
        return table.add(id_of(2), "friend", trust::trust_level::allowed, {});
    }));
    EXPECT_TRUE(policy.authorize(id_of(2), "127.0.0.1").allowed);
    EXPECT_EQ(policy.audience(), "paired and allowed peers (1 known)");
}

TEST(TrustOptions, AllowAndAllowFile) {
    test::sandbox box;
    box.write("allow.txt", "# friends\n" + identity::format_peer_id(id_of(3)) + "\n");
    const auto options =
        read_policy_options_from(parse({"--allow", identity::format_peer_id(id_of(2)),
                                        "--allow-file", (box / "allow.txt").string()}),
                                 id_of(1));
    ASSERT_TRUE(options) << options.error();
    EXPECT_EQ(options->allowed, (std::vector{id_of(2), id_of(3)}));
    box.write("bad.txt", "nope\n");
    const auto bad =
        read_policy_options_from(parse({"--allow-file", (box / "bad.txt").string()}), id_of(1));
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().find("bad.txt line 1"), std::string::npos) << bad.error();
    EXPECT_FALSE(read_policy_options_from(parse({"--allow", "x"}), id_of(1)));
    EXPECT_FALSE(
        read_policy_options_from(parse({"--allow-file", (box / "none").string()}), id_of(1)));
    EXPECT_TRUE(read_policy_options_from(parse({"--public"}), id_of(1))->public_access);
}

TEST(TrustOptions, TheReceiverRemembersAPublicFirstContact) {
    test::sandbox box;
    const auto config = box / "config";
    auto options = sender_check_options_from(parse({"--home", box.path().string()}), id_of(1));
    ASSERT_TRUE(options) << options.error();
    EXPECT_EQ(options->trust_command, "xfer trust --home " + box.path().string());
    live_sender_check check(config, *options);
    EXPECT_FALSE(check.check(id_of(5), "127.0.0.1:9000", false).allowed);
    EXPECT_TRUE(check.check(id_of(5), "127.0.0.1:9000", true).allowed);
    ASSERT_EQ(check.notes().size(), 1u);
    const auto loaded = trust::load_known_peers(config);
    ASSERT_TRUE(loaded && loaded->table.find(id_of(5)));
    EXPECT_EQ(loaded->table.find_by_address("127.0.0.1:9000")->id, id_of(5));
    EXPECT_TRUE(check.check(id_of(5), "127.0.0.1:9000", false).allowed) << "known now";
    const auto changed = check.check(id_of(6), "127.0.0.1:9000", true);
    EXPECT_FALSE(changed.allowed);
    EXPECT_NE(changed.reason.find(identity::format_peer_id(id_of(5))), std::string::npos);
    EXPECT_FALSE(sender_check_options_from(parse({"--peer", "zz"}), id_of(1)));
}

}  // namespace
}  // namespace xfer::cli
