// Where xfer keeps its own files: --home DIR, else the XDG variables (ignored when unset, empty
// or relative, as the XDG Base Directory spec says), else $HOME; directories made mode 700.
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include "shared/core/xfer_home.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer {
namespace {

environment_lookup fake_environment(std::map<std::string, std::string, std::less<>> variables) {
    return [variables = std::move(variables)](std::string_view name) -> std::optional<std::string> {
        const auto it = variables.find(name);
        if (it == variables.end()) return std::nullopt;
        return it->second;
    };
}

TEST(XferHome, DefaultsUnderHome) {
    const auto home = resolve_xfer_home(std::nullopt, fake_environment({{"HOME", "/home/ann"}}));
    ASSERT_TRUE(home) << home.error();
    EXPECT_EQ(home->config, "/home/ann/.config/xfer");
    EXPECT_EQ(home->cache, "/home/ann/.cache/xfer");
    EXPECT_EQ(home->state, "/home/ann/.local/state/xfer");
}

TEST(XferHome, XdgVariablesWinWhenAbsolute) {
    const auto home =
        resolve_xfer_home(std::nullopt, fake_environment({{"HOME", "/home/ann"},
                                                          {"XDG_CONFIG_HOME", "/cfg"},
                                                          {"XDG_CACHE_HOME", "/var/cache/ann/"},
                                                          {"XDG_STATE_HOME", "/st"}}));
    ASSERT_TRUE(home) << home.error();
    EXPECT_EQ(home->config, "/cfg/xfer");
    EXPECT_EQ(home->cache, "/var/cache/ann/xfer");
    EXPECT_EQ(home->state, "/st/xfer");
}

TEST(XferHome, EmptyOrRelativeXdgVariablesAreIgnored) {
    const auto home =
        resolve_xfer_home(std::nullopt, fake_environment({{"HOME", "/home/ann"},
                                                          {"XDG_CONFIG_HOME", ""},
                                                          {"XDG_CACHE_HOME", "relative/cache"},
                                                          {"XDG_STATE_HOME", "./st"}}));
    ASSERT_TRUE(home) << home.error();
    EXPECT_EQ(home->config, "/home/ann/.config/xfer");
    EXPECT_EQ(home->cache, "/home/ann/.cache/xfer");
    EXPECT_EQ(home->state, "/home/ann/.local/state/xfer");
}

TEST(XferHome, HomeOptionOverridesEverything) {
    const auto env = fake_environment({{"HOME", "/home/ann"}, {"XDG_CONFIG_HOME", "/cfg"}});
    const auto home = resolve_xfer_home(std::filesystem::path("/srv/peer1/"), env);
    ASSERT_TRUE(home) << home.error();
    EXPECT_EQ(home->config, "/srv/peer1/config");
    EXPECT_EQ(home->cache, "/srv/peer1/cache");
    EXPECT_EQ(home->state, "/srv/peer1/state");
}

TEST(XferHome, RelativeHomeOptionIsMadeAbsolute) {
    const auto home = resolve_xfer_home(std::filesystem::path("peer2"), fake_environment({}));
    ASSERT_TRUE(home) << home.error();
    EXPECT_TRUE(home->config.is_absolute());
    EXPECT_EQ(home->config, std::filesystem::current_path() / "peer2" / "config");
    EXPECT_FALSE(resolve_xfer_home(std::filesystem::path(""), fake_environment({})));
}

TEST(XferHome, UnusableHomeFallsBackToThePasswordDatabase) {
    const struct passwd* user = ::getpwuid(::getuid());
    ASSERT_NE(user, nullptr);
    for (const auto* home_value : {"not/absolute", ""}) {
        const auto home = resolve_xfer_home(std::nullopt, fake_environment({{"HOME", home_value}}));
        ASSERT_TRUE(home) << home.error();
        EXPECT_EQ(home->config, std::filesystem::path(user->pw_dir) / ".config" / "xfer")
            << home_value;
    }
}

TEST(XferHome, EnsurePrivateDirectoryMakesMode700AndKeepsExistingOnes) {
    test::sandbox box;
    std::filesystem::create_directories(box / "existing");
    std::filesystem::permissions(box / "existing", std::filesystem::perms(0755));
    const auto target = box / "existing" / "a" / "b";
    ASSERT_FALSE(ensure_private_directory(target));
    ASSERT_FALSE(ensure_private_directory(target)) << "again is fine";
    auto mode_of = [](const std::filesystem::path& path) {
        struct stat info {};
        EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
        return info.st_mode & 0777;
    };
    EXPECT_EQ(mode_of(box / "existing" / "a"), 0700u);
    EXPECT_EQ(mode_of(target), 0700u);
    EXPECT_EQ(mode_of(box / "existing"), 0755u) << "not ours to change";
    box.write("plain", "x");
    EXPECT_EQ(ensure_private_directory(box / "plain"), std::errc::not_a_directory);
    EXPECT_TRUE(ensure_private_directory(box / "plain" / "below"));
}

}  // namespace
}  // namespace xfer
