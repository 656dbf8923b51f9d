// `xfer trust`: list, add, accept, rename, remove, each against its own --home; bad input is one
// line and a non-zero exit; a corrupt line of known_peers is reported and survives an update.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "shared/identity/peer_id.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

std::string id_text(uint8_t seed) {
    identity::peer_id id;
    id.digest.fill(seed);
    return identity::format_peer_id(id);
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct trust_home {
    sandbox box;
    std::string home = (box / "home").string();
    command_result trust(std::vector<std::string> args) const {
        args.insert(args.begin(), {"trust", "--home", home});
        return run_xfer(args);
    }
};

TEST(TrustCli, AFreshHomeKnowsNobody) {
    const trust_home h;
    const auto listed = h.trust({});
    ASSERT_EQ(listed.status, 0) << listed.describe();
    EXPECT_EQ(listed.out, "");
    EXPECT_NE(listed.err.find("no known peers yet"), std::string::npos) << listed.describe();
    EXPECT_EQ(h.trust({"list"}).status, 0);
}

TEST(TrustCli, AddRenameRemove) {
    const trust_home h;
    const auto added = h.trust({"add", id_text(2), "laptop"});
    ASSERT_EQ(added.status, 0) << added.describe();
    EXPECT_NE(added.out.find(id_text(2) + "  allowed  laptop"), std::string::npos)
        << added.describe();
    struct stat info {};
    ASSERT_EQ(::stat((h.box / "home/config/trust/known_peers").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);

    ASSERT_EQ(h.trust({"add", id_text(3)}).status, 0);
    const auto renamed = h.trust({"rename", "laptop", "old laptop"});
    ASSERT_EQ(renamed.status, 0) << renamed.describe();
    const auto listed = h.trust({});
    EXPECT_NE(listed.out.find(id_text(2) + "  allowed  old laptop"), std::string::npos)
        << listed.describe();
    EXPECT_NE(listed.out.find(id_text(3) + "  allowed  -"), std::string::npos) << listed.describe();

    const auto removed = h.trust({"remove", "old laptop"});
    ASSERT_EQ(removed.status, 0) << removed.describe();
    EXPECT_EQ(h.trust({}).out.find(id_text(2)), std::string::npos);
    EXPECT_NE(h.trust({}).out.find(id_text(3)), std::string::npos);
}

TEST(TrustCli, AcceptExpectsTheIdAtAnAddressAndMovesIt) {
    const trust_home h;
    ASSERT_EQ(h.trust({"accept", id_text(4), "--address", "127.0.0.1:9000"}).status, 0);
    const auto moved = h.trust({"accept", id_text(5), "nas", "--address", "127.0.0.1:9000"});
    ASSERT_EQ(moved.status, 0) << moved.describe();
    const auto listed = h.trust({});
    EXPECT_NE(listed.out.find(id_text(5) + "  seen  nas  last seen "), std::string::npos)
        << listed.describe();
    const auto line_of_5 = listed.out.substr(listed.out.find(id_text(5)));
    EXPECT_NE(line_of_5.find("127.0.0.1:9000"), std::string::npos) << listed.describe();
    const auto line_of_4 = listed.out.substr(listed.out.find(id_text(4)));
    EXPECT_EQ(line_of_4.substr(0, line_of_4.find('\n')).find("127.0.0.1:9000"), std::string::npos)
        << "one peer per address: " << listed.describe();
    // Adding a peer that was only seen lets it read; accepting does not lower that again.
    ASSERT_EQ(h.trust({"add", id_text(5)}).status, 0);
    ASSERT_EQ(h.trust({"accept", id_text(5)}).status, 0);
    EXPECT_NE(h.trust({}).out.find(id_text(5) + "  allowed  nas"), std::string::npos);
}

TEST(TrustCli, BadInputIsOneLineAndNonZero) {
    const trust_home h;
    const auto bad_id = h.trust({"add", "NOT-AN-ID"});
    EXPECT_EQ(bad_id.status, 1) << bad_id.describe();
    EXPECT_TRUE(single_error_line(bad_id));
    const auto unknown = h.trust({"remove", "nobody"});
    EXPECT_TRUE(failed_saying(unknown, {"no known peer", "nobody"}));
    const auto action = h.trust({"forget", id_text(2)});
    EXPECT_EQ(action.status, 2) << action.describe();
    EXPECT_NE(action.err.find("unknown action 'forget'"), std::string::npos) << action.describe();
    EXPECT_EQ(h.trust({"add", id_text(2), "--address", "h:1"}).status, 2);
    EXPECT_EQ(h.trust({"rename", id_text(2)}).status, 2);
    ASSERT_EQ(h.trust({"add", id_text(2), "same"}).status, 0);
    ASSERT_EQ(h.trust({"add", id_text(3), "same"}).status, 0);
    EXPECT_TRUE(failed_saying(h.trust({"remove", "same"}), {"name of 2 known peers"}));
}

TEST(TrustCli, ACorruptLineIsReportedAndKept) {
    const trust_home h;
    ASSERT_EQ(h.trust({"add", id_text(2), "good"}).status, 0);
    const auto file = h.box / "home/config/trust/known_peers";
    {
        std::ofstream out(file, std::ios::app);
        out << "garbage line\n";
    }
    const auto listed = h.trust({});
    ASSERT_EQ(listed.status, 0) << listed.describe();
    EXPECT_NE(listed.out.find(id_text(2)), std::string::npos) << listed.describe();
    EXPECT_NE(listed.err.find("known_peers line 3: expected 6 fields"), std::string::npos)
        << listed.describe();
    ASSERT_EQ(h.trust({"add", id_text(3)}).status, 0);
    EXPECT_NE(read_text(file).find("garbage line\n"), std::string::npos);
}

TEST(TrustCli, NamesFromTheFileAreShownSafely) {
    const trust_home h;
    ASSERT_EQ(h.trust({"add", id_text(2), "evil\x1b]0;owned\x07"}).status, 0);
    const auto listed = h.trust({});
    EXPECT_EQ(listed.out.find('\x1b'), std::string::npos) << listed.describe();
    EXPECT_NE(listed.out.find("evil\\x1b]0;owned\\x07"), std::string::npos) << listed.describe();
}

}  // namespace
}  // namespace xfer::test
