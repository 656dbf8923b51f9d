// The command line in the user's words, checked on the real binary: usage names positionals as
// the user sees them (DIR, SOURCE, PATH), never an internal option (--dir arg, --args arg);
// every bad command line gets one stderr line that says what is wrong, and exit status 2;
// -q leaves nothing but errors.
#include <gtest/gtest.h>

#include <regex>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

// The internal names Program_options would show for positionals, and its stock wording.
const std::regex internal_words(
    R"(--(dir|args|source|file)\b|\barg\b|the option '|is required but missing)");

::testing::AssertionResult usage_error_saying(const command_result& result,
                                              const std::string& needle) {
    if (result.status != 2)
        return ::testing::AssertionFailure() << "exit status is not 2: " << result.describe();
    const auto lines = result.error_lines();
    if (lines.size() != 1)
        return ::testing::AssertionFailure() << "not one stderr line: " << result.describe();
    if (lines[0].find(needle) == std::string::npos) {
        return ::testing::AssertionFailure()
               << "'" << lines[0] << "' does not say '" << needle << "'";
    }
    if (std::regex_search(lines[0], internal_words)) {
        return ::testing::AssertionFailure() << "'" << lines[0] << "' names an internal option";
    }
    if (!result.out.empty())
        return ::testing::AssertionFailure() << "stdout is not empty: " << result.out;
    return ::testing::AssertionSuccess();
}

TEST(CliUsage, ServeWithoutDirSaysDirIsMissing) {
    EXPECT_TRUE(usage_error_saying(run_xfer({"serve"}),
                                   "xfer serve: missing DIR (usage: xfer serve DIR [options])"));
}

TEST(CliUsage, FetchOfAHostAloneSaysThePathIsMissing) {
    EXPECT_TRUE(usage_error_saying(run_xfer({"fetch", "127.0.0.1"}),
                                   "missing PATH after SOURCE '127.0.0.1'"));
    EXPECT_TRUE(usage_error_saying(run_xfer({"fetch"}), "missing PATH"));
}

TEST(CliUsage, ManifestAndLsNameTheirArguments) {
    EXPECT_TRUE(usage_error_saying(run_xfer({"manifest"}), "missing FILE"));
    EXPECT_TRUE(usage_error_saying(run_xfer({"ls"}), "missing SOURCE"));
    EXPECT_TRUE(
        usage_error_saying(run_xfer({"ls", "h", "sub", "extra"}), "unexpected argument 'extra'"));
}

TEST(CliUsage, MistypedOptionGetsASuggestion) {
    EXPECT_TRUE(usage_error_saying(run_xfer({"fetch", "h", "f", "--lisen", ":7420"}),
                                   "unknown option --lisen (did you mean --listen?)"));
    EXPECT_TRUE(
        usage_error_saying(run_xfer({"serve", "d", "--no-prehsah"}), "did you mean --no-prehash?"));
    // Nothing close: no guess.
    const auto far = run_xfer({"serve", "d", "--frobnicate"});
    EXPECT_TRUE(usage_error_saying(far, "unknown option --frobnicate"));
    EXPECT_EQ(far.err.find("did you mean"), std::string::npos) << far.err;
}

TEST(CliUsage, MistypedCommandGetsASuggestion) {
    EXPECT_TRUE(usage_error_saying(run_xfer({"fecth", "h", "f"}),
                                   "unknown command 'fecth' (did you mean 'fetch'?)"));
    EXPECT_TRUE(usage_error_saying(run_xfer({"sevre"}), "did you mean 'serve'?"));
}

TEST(CliUsage, OptionWithoutItsValueSaysSo) {
    EXPECT_TRUE(usage_error_saying(run_xfer({"fetch", "h", "f", "-o"}), "--output needs a value"));
}

TEST(CliUsage, OutputDashWithJsonOrATreeIsAUsageErrorAndNoDirectoryIsMade) {
    sandbox box;
    process_options in_box;
    in_box.working_directory = box.path();
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"fetch", "127.0.0.1:1", "a.bin", "-o", "-", "--json"},
             {"fetch", "127.0.0.1:1", "photos/", "-o", "-"}}) {
        child_process fetch(xfer_command(args), in_box);
        const auto status = fetch.wait(command_timeout);
        const command_result result{status, fetch.stdout_text(), fetch.stderr_text(),
                                    fetch.describe()};
        EXPECT_TRUE(usage_error_saying(result, "-o -"));
    }
    EXPECT_FALSE(box.exists("-")) << "a directory called '-' was made";
    const auto help = run_xfer({"fetch", "--help"});
    EXPECT_NE(help.out.find("'-o -' writes the file to standard output"), std::string::npos)
        << help.out;
}

TEST(CliUsage, HelpShowsPositionalNamesNotInternalOptions) {
    for (const std::string name : {"serve", "fetch", "ls", "manifest", "tracker", "peers"}) {
        SCOPED_TRACE(name);
        const auto help = run_xfer({name, "--help"});
        ASSERT_EQ(help.status, 0) << help.describe();
        EXPECT_FALSE(std::regex_search(help.out, internal_words)) << help.out;
    }
    EXPECT_NE(run_xfer({"serve", "--help"}).out.find("usage: xfer serve DIR "), std::string::npos);
    EXPECT_NE(run_xfer({"fetch", "--help"}).out.find("usage: xfer fetch SOURCE PATH... "),
              std::string::npos);
}

TEST(CliQuiet, QuietFetchPrintsNothingAndPlainFetchPrintsTheSummary) {
    sandbox box;
    const auto source = write_random_file(box / "src/q.bin", 300'000, 5);
    xfer_server server(box / "src");

    const auto quiet =
        run_xfer({"fetch", server.address(), "q.bin", "-o", (box / "quiet").string(), "-q"});
    ASSERT_EQ(quiet.status, 0) << quiet.describe();
    EXPECT_EQ(quiet.out, "");
    EXPECT_EQ(quiet.err, "");
    EXPECT_EQ(file_difference(source, box / "quiet/q.bin"), "");

    const auto plain =
        run_xfer({"fetch", server.address(), "q.bin", "-o", (box / "plain").string()});
    ASSERT_EQ(plain.status, 0) << plain.describe();
    EXPECT_TRUE(plain.out.starts_with("fetched " + (box / "plain/q.bin").string())) << plain.out;
    EXPECT_EQ(downloaded_bytes(plain.out), 300'000u) << plain.out;
}

TEST(CliUsage, PathAloneIsEnoughWhenFromNamesTheSource) {
    sandbox box;
    const auto source = write_random_file(box / "src/f.bin", 100'000, 9);
    xfer_server server(box / "src");
    const auto fetched =
        run_xfer({"fetch", "--from", server.address(), "f.bin", "-o", (box / "out").string()});
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(source, box / "out/f.bin"), "");
}

TEST(CliQuiet, QuietStillPrintsTheError) {
    sandbox box;
    const auto failed =
        run_xfer({"fetch", "127.0.0.1:1", "a.bin", "-q", "-o", (box / "out").string()});
    EXPECT_EQ(failed.status, exit_code::network) << failed.describe();
    EXPECT_EQ(failed.out, "");
    EXPECT_TRUE(single_error_line(failed));
}

}  // namespace
}  // namespace xfer::test
