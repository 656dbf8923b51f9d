// `xfer id`: the peer ID on the first line, the name on the second; stable across runs, new
// after --reset (with a warning); the private key never printed; bad key files fail clearly.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <set>

#include "shared/identity/peer_id.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(IdentityCli, PrintsAStablePeerIdThenTheName) {
    sandbox box;
    const auto home = (box / "home").string();
    const auto first = run_xfer({"id", "--home", home});
    ASSERT_EQ(first.status, 0) << first.describe();
    const auto lines = lines_of(first.out);
    ASSERT_EQ(lines.size(), 2u) << first.describe();
    const auto id = identity::parse_peer_id(lines[0]);
    EXPECT_TRUE(id) << lines[0] << ": " << id.error();
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    EXPECT_EQ(lines[1], host);
    EXPECT_NE(first.err.find("created a new identity"), std::string::npos) << first.describe();

    const auto second = run_xfer({"id", "--home", home, "-vv"});
    ASSERT_EQ(second.status, 0) << second.describe();
    EXPECT_EQ(second.out, first.out) << "the same identity on every run";
    EXPECT_EQ(second.err.find("created"), std::string::npos) << second.describe();

    // The private key's base64 body appears in no output.
    const auto key_pem = read_text(box / "home/config/identity/key.pem");
    const auto body = key_pem.substr(key_pem.find('\n') + 1, 40);
    ASSERT_EQ(body.size(), 40u);
    for (const auto* result : {&first, &second}) {
        EXPECT_EQ(result->out.find(body), std::string::npos);
        EXPECT_EQ(result->err.find(body), std::string::npos);
        EXPECT_EQ(result->err.find("PRIVATE KEY"), std::string::npos);
    }
}

TEST(IdentityCli, ResetMakesANewIdWithAWarning) {
    sandbox box;
    const auto home = (box / "home").string();
    const auto before = run_xfer({"id", "--home", home});
    ASSERT_EQ(before.status, 0) << before.describe();
    const auto old_id = lines_of(before.out).at(0);
    const auto reset = run_xfer({"id", "--home", home, "--reset"});
    ASSERT_EQ(reset.status, 0) << reset.describe();
    const auto new_id = lines_of(reset.out).at(0);
    EXPECT_NE(new_id, old_id);
    EXPECT_NE(reset.err.find("warning"), std::string::npos) << reset.describe();
    EXPECT_NE(reset.err.find(old_id), std::string::npos) << "names the identity that is gone";
    EXPECT_EQ(lines_of(run_xfer({"id", "--home", home}).out).at(0), new_id);
}

TEST(IdentityCli, ResetOnAFreshHomeMakesOneIdentity) {
    sandbox box;
    const auto reset = run_xfer({"id", "--home", (box / "home").string(), "--reset"});
    ASSERT_EQ(reset.status, 0) << reset.describe();
    EXPECT_TRUE(identity::parse_peer_id(lines_of(reset.out).at(0))) << reset.describe();
    EXPECT_FALSE(std::filesystem::exists(box / "home/config/identity.previous"))
        << "no identity was made only to be put aside";
}

TEST(IdentityCli, ResetRepairsACorruptIdentity) {
    sandbox box;
    const auto home = box / "home";
    ASSERT_EQ(run_xfer({"id", "--home", home.string()}).status, 0);
    std::filesystem::remove(home / "config/identity/cert.pem");
    EXPECT_EQ(run_xfer({"id", "--home", home.string()}).status, exit_code::local_io);
    const auto reset = run_xfer({"id", "--home", home.string(), "--reset"});
    ASSERT_EQ(reset.status, 0) << reset.describe();
    EXPECT_EQ(run_xfer({"id", "--home", home.string()}).out, reset.out);
}

TEST(IdentityCli, HomesAreSeparateIdentities) {
    sandbox box;
    const auto a = run_xfer({"id", "--home", (box / "a").string()});
    const auto b = run_xfer({"id", "--home", (box / "b").string()});
    ASSERT_EQ(a.status, 0) << a.describe();
    ASSERT_EQ(b.status, 0) << b.describe();
    EXPECT_NE(lines_of(a.out).at(0), lines_of(b.out).at(0));
}

TEST(IdentityCli, ACorruptKeyIsOneClearLineAndTheLocalIoStatus) {
    sandbox box;
    const auto home = box / "home";
    ASSERT_EQ(run_xfer({"id", "--home", home.string()}).status, 0);
    const auto key = home / "config/identity/key.pem";
    {
        std::ofstream out(key, std::ios::trunc);
        out << "garbage\n";
    }
    const auto result = run_xfer({"id", "--home", home.string()});
    EXPECT_EQ(result.status, exit_code::local_io) << result.describe();
    EXPECT_TRUE(result.out.empty()) << result.describe();
    ASSERT_EQ(result.error_lines().size(), 1u) << result.describe();
    EXPECT_NE(result.err.find(key.string()), std::string::npos) << result.describe();
    EXPECT_NE(result.err.find("--reset"), std::string::npos) << result.describe();
    EXPECT_EQ(read_text(key), "garbage\n") << "never replaced behind the user's back";
}

TEST(IdentityCli, FollowsTheXdgVariablesWithoutHome) {
    sandbox box;
    const auto home_dir = box / "user";
    std::filesystem::create_directories(home_dir);
    // An absolute XDG_CONFIG_HOME is used; a relative one is ignored in favour of $HOME/.config.
    child_process absolute(
        xfer_command({"id"}),
        process_options::with_environment(
            {"HOME=" + home_dir.string(), "XDG_CONFIG_HOME=" + (box / "xdg").string()}));
    ASSERT_EQ(absolute.wait(command_timeout), 0) << absolute.describe();
    EXPECT_TRUE(std::filesystem::exists(box / "xdg/xfer/identity/key.pem")) << absolute.describe();
    child_process relative(
        xfer_command({"id"}),
        process_options::with_environment({"HOME=" + home_dir.string(), "XDG_CONFIG_HOME=xdg"}));
    ASSERT_EQ(relative.wait(command_timeout), 0) << relative.describe();
    EXPECT_TRUE(std::filesystem::exists(home_dir / ".config/xfer/identity/key.pem"))
        << relative.describe();
    EXPECT_NE(absolute.stdout_lines().at(0), relative.stdout_lines().at(0))
        << "two config dirs, two identities";
}

TEST(IdentityCli, ProcessesStartedTogetherAgreeOnOneIdentity) {
    sandbox box;
    const auto home = (box / "home").string();
    std::vector<std::unique_ptr<child_process>> racers;
    for (int i = 0; i < 4; ++i)
        racers.push_back(std::make_unique<child_process>(xfer_command({"id", "--home", home})));
    std::set<std::string> ids;
    for (auto& racer : racers) {
        ASSERT_EQ(racer->wait(command_timeout), 0) << racer->describe();
        ids.insert(racer->stdout_lines().at(0));
    }
    EXPECT_EQ(ids.size(), 1u) << "whoever created it, every process printed the same ID";
    EXPECT_EQ(lines_of(run_xfer({"id", "--home", home}).out).at(0), *ids.begin());
    size_t entries = 0;
    for ([[maybe_unused]] const auto& item :
         std::filesystem::directory_iterator(box / "home/config"))
        ++entries;
    EXPECT_EQ(entries, 1u) << "no temporary directory left by the losers";
}

TEST(IdentityCli, EveryCommandTakesHome) {
    for (const auto* command : {"serve", "fetch", "ls", "manifest", "tracker", "peers", "id"}) {
        const auto help = run_xfer({command, "--help"});
        EXPECT_EQ(help.status, 0) << help.describe();
        EXPECT_NE(help.out.find("--home DIR"), std::string::npos) << command;
    }
}

}  // namespace
}  // namespace xfer::test
