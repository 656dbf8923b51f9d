// `cmake --install` into a scratch prefix gives a working tool: bin/xfer runs, and the man
// page (made from the option tables), bash and zsh completion and docs are where their readers
// look; the .deb unpacks and runs, and (in CI as root) installs with dpkg -i and is removed.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

std::string contents(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The name cpack gives the package, from the project version CMake was configured with.
std::string deb_name() {
    return std::string("pkg/xfer_") + XFER_VERSION + "_amd64.deb";
}

TEST(Install, IntoAPrefixGivesBinaryManPageCompletionAndDocs) {
    sandbox box;
    const auto prefix = box / "prefix";
    const auto installed =
        run_program({"cmake", "--install", XFER_BUILD_DIR, "--prefix", prefix.string()});
    ASSERT_EQ(installed.status, 0) << installed.describe();

    const auto version = run_program({(prefix / "bin/xfer").string(), "--version"});
    EXPECT_EQ(version.status, 0) << version.describe();
    EXPECT_EQ(version.out, std::string("xfer ") + XFER_VERSION + "\n");

    const auto man = prefix / "share/man/man1/xfer.1";
    ASSERT_TRUE(std::filesystem::exists(man));
    const auto page = contents(man);
    EXPECT_TRUE(page.starts_with(".TH XFER 1")) << page.substr(0, 200);
    // Every command, and options of each, straight from the tables --help prints.
    for (const std::string needle :
         {"xfer serve DIR", "xfer fetch SOURCE PATH", "\\-\\-listen", "\\-\\-range",
          "\\-\\-heartbeat\\-timeout", "\\-\\-quiet", "EXIT STATUS"}) {
        EXPECT_NE(page.find(needle), std::string::npos) << needle;
    }
    const auto help = run_xfer({"fetch", "--help"});
    EXPECT_NE(help.out.find("--stall-timeout"), std::string::npos);
    EXPECT_NE(page.find("\\-\\-stall\\-timeout"), std::string::npos);

    EXPECT_TRUE(std::filesystem::exists(prefix / "share/bash-completion/completions/xfer"));
    EXPECT_TRUE(std::filesystem::exists(prefix / "share/zsh/vendor-completions/_xfer"));
    EXPECT_TRUE(std::filesystem::exists(prefix / "share/doc/xfer/README.md"));
    EXPECT_TRUE(std::filesystem::exists(prefix / "share/doc/xfer/PROTOCOL.md"));
}

TEST(Install, BashCompletionOffersCommandsAndOptionsFromTheBinary) {
    if (run_program({"sh", "-c", "command -v bash"}).status != 0) GTEST_SKIP() << "no bash";
    const std::string script = std::string(XFER_SOURCE_DIR) + "/tools/completion/xfer.bash";
    const auto complete = [&](const std::string& words, int current) {
        return run_program({"bash", "-c",
                            "source " + script + "; COMP_WORDS=(" + words +
                                "); COMP_CWORD=" + std::to_string(current) +
                                "; _xfer; printf '%s\\n' \"${COMPREPLY[@]}\""});
    };
    const auto commands = complete(std::string(XFER_BINARY) + " fe", 1);
    EXPECT_EQ(commands.out, "fetch\n") << commands.describe();
    const auto options = complete(std::string(XFER_BINARY) + " fetch --li", 2);
    EXPECT_NE(options.out.find("--listen\n"), std::string::npos) << options.describe();
    EXPECT_NE(options.out.find("--linger\n"), std::string::npos) << options.describe();
}

TEST(Install, ZshCompletionIsValidZsh) {
    if (run_program({"sh", "-c", "command -v zsh"}).status != 0) {
        std::printf("skipped: zsh is not installed, so _xfer cannot be parsed\n");
        GTEST_SKIP() << "no zsh";
    }
    const std::string script = std::string(XFER_SOURCE_DIR) + "/tools/completion/_xfer";
    const auto parsed = run_program({"zsh", "-n", script});
    EXPECT_EQ(parsed.status, 0) << parsed.describe();
}

// zsh's completion system itself, on the installed _xfer and bin/xfer: <TAB> in an interactive
// zsh (tests/support/zsh_complete.zsh) offers what the binary's --help lists.
TEST(Install, ZshCompletionSystemOffersCommandsAndOptionsFromTheBinary) {
    if (run_program({"sh", "-c", "command -v zsh"}).status != 0) {
        std::printf("skipped: zsh is not installed (tools/install-deps installs it)\n");
        GTEST_SKIP() << "no zsh";
    }
    sandbox box;
    const auto prefix = box / "prefix";
    const auto installed =
        run_program({"cmake", "--install", XFER_BUILD_DIR, "--prefix", prefix.string()});
    ASSERT_EQ(installed.status, 0) << installed.describe();
    std::filesystem::create_directories(box / "zdotdir");
    const auto complete = [&](const std::string& typed) {
        return run_program(
            {"zsh", "-f", std::string(XFER_SOURCE_DIR) + "/tests/support/zsh_complete.zsh",
             (prefix / "share/zsh/vendor-completions").string(), (prefix / "bin").string(),
             (box / "zdotdir").string(), typed},
            std::chrono::seconds(60));
    };
    const auto commands = complete("xfer fe");
    EXPECT_EQ(commands.status, 0) << commands.describe();
    EXPECT_EQ(commands.out, "fetch\n") << commands.describe();
    const auto all = complete("xfer ");
    for (const std::string command : {"serve\n", "fetch\n", "ls\n", "trust\n", "--version\n"})
        EXPECT_NE(all.out.find(command), std::string::npos) << command << all.describe();
    const auto options = complete("xfer fetch --li");
    EXPECT_EQ(options.status, 0) << options.describe();
    for (const std::string option : {"--limit-down\n", "--limit-up\n", "--linger\n", "--listen\n"})
        EXPECT_NE(options.out.find(option), std::string::npos) << option << options.describe();
    EXPECT_EQ(options.out.find("--tracker"), std::string::npos) << options.describe();
}

TEST(Install, DebPackageHoldsTheToolAndRunsOnceUnpacked) {
    if (run_program({"sh", "-c", "command -v dpkg-deb && command -v dpkg-shlibdeps"}).status != 0) {
        std::printf("skipped: dpkg-deb or dpkg-shlibdeps missing (not a Debian system)\n");
        GTEST_SKIP() << "dpkg tools missing";
    }
    sandbox box;
    const auto made = run_program({"cpack", "-G", "DEB", "--config",
                                   std::string(XFER_BUILD_DIR) + "/CPackConfig.cmake", "-B",
                                   (box / "pkg").string()});
    ASSERT_EQ(made.status, 0) << made.describe();
    const auto deb = box / deb_name();
    ASSERT_TRUE(std::filesystem::exists(deb)) << made.describe();
    const auto info = run_program({"dpkg-deb", "-f", deb.string(), "Depends"});
    EXPECT_NE(info.out.find("libzmq5"), std::string::npos) << info.describe();
    // Unpacked, not installed: the test must not change the machine's packages.
    const auto unpacked = run_program({"dpkg-deb", "-x", deb.string(), (box / "root").string()});
    ASSERT_EQ(unpacked.status, 0) << unpacked.describe();
    const auto version = run_program({(box / "root/usr/bin/xfer").string(), "--version"});
    EXPECT_EQ(version.out, std::string("xfer ") + XFER_VERSION + "\n") << version.describe();
    EXPECT_TRUE(std::filesystem::exists(box / "root/usr/share/man/man1/xfer.1"));
}

// The real thing: dpkg -i of the .deb, the installed /usr/bin/xfer runs and fetches over
// loopback, then dpkg -r. It changes the machine's packages, so only in CI (CI=true) as root,
// never over an xfer package already installed; elsewhere it says why it skips.
TEST(Install, DebPackageInstallsWithDpkgRunsAndIsRemoved) {
    const char* ci = std::getenv("CI");
    if (ci == nullptr || std::string(ci) != "true" || !running_as_root()) {
        std::printf("skipped: dpkg -i changes the machine's packages; runs only in CI as root\n");
        GTEST_SKIP() << "not CI as root";
    }
    if (run_program({"dpkg", "-s", "xfer"}).status == 0) {
        std::printf("skipped: an xfer package is already installed; not replacing it\n");
        GTEST_SKIP() << "xfer already installed";
    }
    sandbox box;
    const auto made = run_program({"cpack", "-G", "DEB", "--config",
                                   std::string(XFER_BUILD_DIR) + "/CPackConfig.cmake", "-B",
                                   (box / "pkg").string()});
    ASSERT_EQ(made.status, 0) << made.describe();
    const auto deb = box / deb_name();
    const auto installed = run_program({"dpkg", "-i", deb.string()});
    ASSERT_EQ(installed.status, 0) << installed.describe();
    const auto version = run_program({"/usr/bin/xfer", "--version"});
    EXPECT_EQ(version.out, std::string("xfer ") + XFER_VERSION + "\n") << version.describe();
    EXPECT_TRUE(std::filesystem::exists("/usr/share/man/man1/xfer.1.gz") ||
                std::filesystem::exists("/usr/share/man/man1/xfer.1"));
    {
        const auto source = write_random_file(box / "src/a.bin", 300'000, 9);
        child_process server({"/usr/bin/xfer", "serve", (box / "src").string(), "--listen",
                              "127.0.0.1:0", "--no-lan", "--home", (box / "home").string()});
        const auto line = server.wait_for_line("serving ", startup_timeout);
        ASSERT_TRUE(line) << server.describe();
        const auto address = line->substr(line->rfind(' ') + 1);
        const auto fetched =
            run_program({"/usr/bin/xfer", "fetch", address, "a.bin", "-o", (box / "out").string(),
                         "--home", (box / "home").string()});
        EXPECT_EQ(fetched.status, 0) << fetched.describe();
        EXPECT_EQ(file_difference(source, box / "out/a.bin"), "");
        server.stop();
    }
    const auto removed = run_program({"dpkg", "-r", "xfer"});
    EXPECT_EQ(removed.status, 0) << removed.describe();
    EXPECT_FALSE(std::filesystem::exists("/usr/bin/xfer"));
}

}  // namespace
}  // namespace xfer::test
