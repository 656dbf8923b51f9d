// CPace-RISTR255-SHA512 against the published test vectors of draft-irtf-cfrg-cpace
// (github.com/cfrg/draft-irtf-cfrg-cpace: draft-irtf-cfrg-cpace.md, section "Test vector for
// CPace using group ristretto255 and hash SHA-512", and the older CI layout in testvectors.md).
#include "shared/pairing/cpace.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace xfer::pairing::cpace {
namespace {

std::vector<uint8_t> hex(std::string_view text) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < text.size(); i += 2) {
        out.push_back(static_cast<uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
    }
    return out;
}
template <size_t N>
std::array<uint8_t, N> hex_array(std::string_view text) {
    const auto bytes = hex(text);
    std::array<uint8_t, N> out{};
    EXPECT_EQ(bytes.size(), N);
    std::copy_n(bytes.begin(), std::min(N, bytes.size()), out.begin());
    return out;
}
std::vector<uint8_t> text(std::string_view s) {
    return {s.begin(), s.end()};
}

const auto prs = text("Password");
const auto sid = hex("7e4b4791d6a8ef019b936c79fb7f2c57");
const auto ya = hex_array<32>("da3d23700a9e5699258aef94dc060dfda5ebb61f02a5ea77fad53f4ff0976d08");
const auto yb = hex_array<32>("d2316b454718c35362d83d69df6320f38578ed5984651435e2949762d900b80d");
const auto ad_a = text("ADa");
const auto ad_b = text("ADb");

struct vector_set {
    std::vector<uint8_t> ci;
    std::string generator_string;
    std::string g, Ya, Yb, K, isk;
};

// Current draft: CI = lv_cat("A_initiator", "B_responder").
const vector_set draft_latest{
    hex("0b415f696e69746961746f720b425f726573706f6e646572"),
    "11435061636552697374726574746f3235350850617373776f726464" + std::string(168, '0') +
        "00000000000000000000000000000000180b415f696e69746961746f"
        "720b425f726573706f6e646572107e4b4791d6a8ef019b936c79fb7f2c57",
    "222b6b195fe84b1652badb6f6a3ae3d24341e7306967f0b8115b40d5698c7e56",
    "d6bac480f2c386c394efc7c47adb9925dcd2630b64f240c50f8d0eec482b9157",
    "3ea7e0b19560d7c0b0f5734f63b955286dfa8232b5ebe63324e2d9e7433f7258",
    "80b69a8a76457ab6a4d7f887a4bf6b55a2f80ac19c333f917a05fc9887c8b40f",
    "b69effbf61b51d56401c0f65601abe428de8206feaaf0e32198896dcae7b35cd"
    "2b38950a39dfd5d4a79164614c2984f7daa460b588c1e80c3fa2068af7900447",
};
// testvectors.md: CI = "oc" || lv_cat("B_responder", "A_initiator").
const vector_set testvectors_md{
    hex("6f630b425f726573706f6e6465720b415f696e69746961746f72"),
    "11435061636552697374726574746f3235350850617373776f726464" + std::string(168, '0') +
        "000000000000000000000000000000001a6f630b425f726573706f6e"
        "6465720b415f696e69746961746f72107e4b4791d6a8ef019b936c79fb7f2c57",
    "a6fc82c3b8968fbb2e06fee81ca858586dea50d248f0c7ca6a18b0902a30b36b",
    "d40fb265a7abeaee7939d91a585fe59f7053f982c296ec413c624c669308f87a",
    "08bcf6e9777a9c313a3db6daa510f2d398403319c2341bd506a92e672eb7e307",
    "e22b1ef7788f661478f3cddd4c600774fc0f41e6b711569190ff88fa0e607e09",
    "4c5469a16b2364c4b944ebc1a79e51d1674ad47db26e8718154f59faebfaa52d"
    "8346f30aa58377117eb20d527f2cbc5c76381f7fd372e89df8239f87f2e02ed1",
};

class CpaceVectors : public testing::TestWithParam<vector_set> {};

TEST_P(CpaceVectors, GeneratorStringAndGeneratorMatchTheDraft) {
    const auto& v = GetParam();
    EXPECT_EQ(generator_string(prs, v.ci, sid), hex(v.generator_string));
    EXPECT_EQ(generator_string(prs, v.ci, sid).size(), hex(v.generator_string).size());
    EXPECT_EQ(calculate_generator(prs, v.ci, sid), hex_array<32>(v.g));
}

TEST_P(CpaceVectors, PublicPointsSharedSecretAndIskMatchTheDraft) {
    const auto& v = GetParam();
    const auto g = calculate_generator(prs, v.ci, sid);
    const auto Ya = scalar_mult_vfy(ya, g);
    const auto Yb = scalar_mult_vfy(yb, g);
    ASSERT_TRUE(Ya && Yb);
    EXPECT_EQ(*Ya, hex_array<32>(v.Ya));
    EXPECT_EQ(*Yb, hex_array<32>(v.Yb));
    const auto K_a = scalar_mult_vfy(ya, *Yb);
    const auto K_b = scalar_mult_vfy(yb, *Ya);
    ASSERT_TRUE(K_a && K_b);
    EXPECT_EQ(*K_a, hex_array<32>(v.K));
    EXPECT_EQ(*K_b, *K_a);
    EXPECT_EQ(isk_initiator_responder(sid, *K_a, *Ya, ad_a, *Yb, ad_b), hex_array<64>(v.isk));
}

INSTANTIATE_TEST_SUITE_P(Draft, CpaceVectors, testing::Values(draft_latest, testvectors_md));

TEST(Cpace, PrependLenMatchesTheDraftsVectors) {
    std::vector<uint8_t> out;
    append_prepend_len(out, {});
    EXPECT_EQ(out, hex("00"));
    out.clear();
    append_prepend_len(out, text("1234"));
    EXPECT_EQ(out, hex("0431323334"));
    std::vector<uint8_t> range128(128);
    for (size_t i = 0; i < range128.size(); ++i) range128[i] = static_cast<uint8_t>(i);
    out.clear();
    append_prepend_len(out, range128);
    ASSERT_EQ(out.size(), 130u);
    EXPECT_EQ(out[0], 0x80);
    EXPECT_EQ(out[1], 0x01);
    EXPECT_EQ(out[2], 0x00);
}

TEST(Cpace, TranscriptMatchesTheDraftsVector) {
    EXPECT_EQ(lv_cat({text("123"), text("PartyA"), text("234"), text("PartyB")}),
              hex("03313233065061727479410332333406506172747942"));
}

TEST(Cpace, InvalidOrIdentityPointsAreRejected) {
    const point identity{};
    EXPECT_FALSE(scalar_mult_vfy(ya, identity));
    point not_canonical{};
    not_canonical.fill(0xff);
    EXPECT_FALSE(scalar_mult_vfy(ya, not_canonical));
}

TEST(Cpace, TagsDependOnTheKeyAndTheMessage) {
    const auto g = calculate_generator(prs, draft_latest.ci, sid);
    const auto Ya = *scalar_mult_vfy(ya, g);
    const auto isk = hex_array<64>(draft_latest.isk);
    const auto key = mac_key(sid, isk);
    const auto tag = confirmation_tag(key, Ya, ad_a);
    EXPECT_TRUE(tags_equal(tag, confirmation_tag(key, Ya, ad_a)));
    EXPECT_FALSE(tags_equal(tag, confirmation_tag(key, Ya, ad_b)));
    auto other_isk = isk;
    other_isk[0] ^= 1;
    EXPECT_FALSE(tags_equal(tag, confirmation_tag(mac_key(sid, other_isk), Ya, ad_a)));
}

TEST(Cpace, RandomScalarsDiffer) {
    EXPECT_NE(random_scalar(), random_scalar());
}

}  // namespace
}  // namespace xfer::pairing::cpace
