// read_policy: who may read what a sender serves (own ID, paired/allowed peers, --allow,
// --public), the one-line refusal, and the --allow-file format.
#include <gtest/gtest.h>

#include "sender/read_policy.hpp"

namespace xfer::sender {
namespace {

peer_id id_of(uint8_t seed) {
    peer_id id;
    id.digest.fill(seed);
    return id;
}

read_policy_options options(std::vector<peer_id> allowed = {}, bool public_access = false,
                            bool pairing_offered = false) {
    read_policy_options result;
    result.own_id = id_of(1);
    result.allowed = std::move(allowed);
    result.public_access = public_access;
    result.pairing_offered = pairing_offered;
    return result;
}

trust::known_peers known_with(std::initializer_list<std::pair<uint8_t, trust::trust_level>> peers) {
    trust::known_peers table;
    for (const auto& [seed, level] : peers)
        EXPECT_TRUE(table.add(id_of(seed), "p", level, trust::timestamp{}));
    return table;
}

TEST(ReadPolicy, DefaultAdmitsOwnIdAndPairedAndAllowedPeersOnly) {
    const read_policy policy(options(), known_with({{2, trust::trust_level::paired},
                                                    {3, trust::trust_level::allowed},
                                                    {4, trust::trust_level::seen}}));
    EXPECT_EQ(policy.authorize(id_of(1)).reason, read_reason::own_id);
    EXPECT_TRUE(policy.authorize(id_of(1)).allowed);
    EXPECT_EQ(policy.authorize(id_of(2)).reason, read_reason::known_peer);
    EXPECT_EQ(policy.authorize(id_of(3)).reason, read_reason::known_peer);
    EXPECT_FALSE(policy.authorize(id_of(4)).allowed) << "a sender we fetched from may not read";
    EXPECT_FALSE(policy.authorize(id_of(5)).allowed);
    EXPECT_EQ(policy.authorize(id_of(5)).reason, read_reason::refused);
}

TEST(ReadPolicy, AllowOptionsAndPublic) {
    const read_policy allow(options({id_of(7)}), {});
    EXPECT_EQ(allow.authorize(id_of(7)).reason, read_reason::allowed_by_option);
    EXPECT_FALSE(allow.authorize(id_of(8)).allowed);
    const read_policy open(options({}, true), {});
    EXPECT_EQ(open.authorize(id_of(8)).reason, read_reason::public_access);
    EXPECT_TRUE(open.authorize(id_of(8)).allowed);
    EXPECT_EQ(open.audience(), "anyone who can reach it (--public)");
}

TEST(ReadPolicy, TheRefusalIsOneLineThatSaysHowToBeAllowed) {
    const read_policy policy(options(), {});
    const auto id = identity::format_peer_id(id_of(9));
    const auto text = policy.refusal_text(id_of(9));
    EXPECT_EQ(text.find('\n'), std::string::npos);
    EXPECT_TRUE(text.starts_with("not allowed: ")) << text;
    EXPECT_NE(text.find("xfer trust add " + id), std::string::npos) << text;
    EXPECT_NE(text.find("--allow " + id), std::string::npos) << text;
    EXPECT_EQ(text.find("--code"), std::string::npos) << "no pairing offered, none mentioned";
    const read_policy pairing(options({}, false, true), {});
    EXPECT_NE(pairing.refusal_text(id_of(9)).find("--code CODE"), std::string::npos);
    const auto logged = policy.refusal_log_text(id_of(9), "10.0.0.7");
    EXPECT_NE(logged.find(id), std::string::npos) << logged;
    EXPECT_NE(logged.find("from 10.0.0.7"), std::string::npos) << logged;
}

TEST(ReadPolicy, AudienceCountsReadersAndAllowedIds) {
    read_policy policy(options({id_of(5), id_of(6)}), known_with({{2, trust::trust_level::paired},
                                                                  {3, trust::trust_level::seen}}));
    EXPECT_EQ(policy.audience(), "paired and allowed peers (1 known) and 2 IDs from --allow");
    policy.replace_known_peers(known_with({{3, trust::trust_level::allowed}}));
    EXPECT_TRUE(policy.authorize(id_of(3)).allowed) << "a peer added while serving";
    EXPECT_FALSE(policy.authorize(id_of(2)).allowed) << "a peer removed while serving";
}

TEST(AllowList, OneIdPerLineWithComments) {
    const auto a = identity::format_peer_id(id_of(1));
    const auto b = identity::format_peer_id(id_of(2));
    const auto ids =
        parse_allow_list("# who may read\n\n" + a + "  # laptop\r\n   " + b + "\n", "allow.txt");
    ASSERT_TRUE(ids) << ids.error();
    ASSERT_EQ(ids->size(), 2u);
    EXPECT_EQ((*ids)[0], id_of(1));
    EXPECT_EQ((*ids)[1], id_of(2));
    EXPECT_TRUE(parse_allow_list("", "allow.txt")->empty());
}

TEST(AllowList, ABadLineNamesTheFileAndLine) {
    const auto a = identity::format_peer_id(id_of(1));
    const auto ids = parse_allow_list(a + "\n\nnot-an-id\n", "allow.txt");
    ASSERT_FALSE(ids);
    EXPECT_TRUE(ids.error().starts_with("allow.txt line 3: ")) << ids.error();
    const auto big = parse_allow_list(std::string(max_allow_file_bytes + 1, '#'), "big.txt");
    ASSERT_FALSE(big);
    EXPECT_NE(big.error().find("big.txt is larger"), std::string::npos) << big.error();
}

}  // namespace
}  // namespace xfer::sender
