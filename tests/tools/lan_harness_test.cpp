// CI-sized runs of tools/lan-harness with the real xfer binary: small files, few hosts. Checks
// that every host completed with a byte-identical file, that the JSON report is coherent, and
// that no network namespace is left behind. Timing is the benchmark's business, not this test's.
#include <gtest/gtest.h>
#include <unistd.h>

// Boost 1.74's property_tree pulls in boost/bind.hpp, which warns unless told this.
#define BOOST_BIND_GLOBAL_PLACEHOLDERS
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <chrono>
#include <csignal>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/process.hpp"

namespace {

using namespace std::chrono_literals;
using boost::property_tree::ptree;
using xfer::test::child_process;

// A scenario run is a few seconds; this only catches a harness that hangs.
constexpr auto harness_deadline = std::chrono::milliseconds(300s);

constexpr int harness_cannot_run = 77;  // lan-harness: no root / no namespaces on this machine

const std::string harness_path = std::string(XFER_SOURCE_DIR) + "/tools/lan-harness";

std::vector<std::string> harness_command(const std::vector<std::string>& args) {
    std::vector<std::string> command{harness_path};
    command.insert(command.end(), args.begin(), args.end());
    return command;
}

// Namespaces whose names start with "xh<pid>-": the ones a harness run with that pid made.
std::vector<std::string> namespaces_of_run(pid_t harness_pid) {
    child_process list({"ip", "netns", "list"});
    list.wait(30s);
    std::vector<std::string> found;
    std::istringstream lines(list.stdout_text());
    const std::string prefix = "xh" + std::to_string(harness_pid) + "-";
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(prefix, 0) == 0) found.push_back(line.substr(0, line.find(' ')));
    }
    return found;
}

struct harness_run {
    int exit_code = -1;
    std::string stderr_text;
    ptree report;
    std::vector<std::string> leftover_namespaces;
};

// Runs the harness with --json; the caller checks exit_code first (77 means: skip).
harness_run run_harness(const std::vector<std::string>& args) {
    std::vector<std::string> full = args;
    full.insert(full.end(), {"--json", "--xfer", XFER_BINARY, "--timeout", "120"});
    child_process harness(harness_command(full));
    harness_run result;
    result.exit_code = harness.wait(harness_deadline).value_or(-1);
    result.stderr_text = harness.stderr_text();
    if (result.exit_code == -1) result.stderr_text += "\n(killed: still running at the deadline)";
    result.leftover_namespaces = namespaces_of_run(harness.pid());
    if (result.exit_code == 0 || result.exit_code == 1) {
        std::istringstream json(harness.stdout_text());
        try {
            boost::property_tree::read_json(json, result.report);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "report is not JSON (" << e.what() << "):\n" << harness.stdout_text();
        }
    }
    return result;
}

double number(const ptree& node, const std::string& path) {
    const auto text = node.get<std::string>(path, "null");
    return text == "null" ? -1.0 : std::stod(text);
}

bool needs_root_skip(std::string& reason) {
    if (::geteuid() != 0) {
        reason = "network namespaces need root; run the tests as root to exercise the harness";
        return true;
    }
    return false;
}

// Nearest-rank percentiles of the fetchers' completions: ordered, the slowest is the wall time,
// and each ratio is its time over the bound.
void expect_completion_percentiles(const ptree& record, int fetchers, double wall, double bound) {
    const ptree& completion = record.get_child("completion");
    EXPECT_EQ(completion.get<int>("hosts"), fetchers);
    double previous = 0.0;
    for (const std::string name : {"p50", "p90", "p99", "max"}) {
        SCOPED_TRACE(name);
        const double seconds = number(completion, name + "_seconds");
        EXPECT_GT(seconds, 0.0);
        EXPECT_GE(seconds, previous);
        EXPECT_NEAR(number(completion, name + "_ratio"), seconds / bound, 0.01);
        previous = seconds;
    }
    EXPECT_NEAR(number(completion, "max_seconds"), wall, 1e-3);
}

// The machine's CPU over the run: a series of intervals, each with 0..cores cores busy, and a
// summary whose counts are consistent with it.
void expect_cpu_report(const ptree& record) {
    const ptree& cpu = record.get_child("cpu");
    const double cores = number(cpu, "cores");
    EXPECT_GE(cores, 1.0);
    int intervals = 0;
    for (const auto& [_, interval] : cpu.get_child("series")) {
        std::vector<double> fields;
        for (const auto& [__, field] : interval) fields.push_back(std::stod(field.data()));
        ASSERT_EQ(fields.size(), 3u);
        EXPECT_LT(fields[0], fields[1]);
        EXPECT_GE(fields[2], 0.0);
        EXPECT_LE(fields[2], cores + 0.01);
        ++intervals;
    }
    EXPECT_EQ(cpu.get<int>("samples"), intervals);
    EXPECT_GE(number(cpu, "saturated_seconds"), 0.0);
    EXPECT_GE(number(cpu, "idle_seconds"), 0.0);
    EXPECT_EQ(cpu.get<std::string>("saturated") == "true", number(cpu, "saturated_seconds") > 0);
}

// The checks every scenario shares: everything completed, verified, counted, and torn down.
void expect_complete_and_verified(const harness_run& run, const std::string& scenario) {
    EXPECT_TRUE(run.leftover_namespaces.empty())
        << "namespaces left behind: " << run.leftover_namespaces.front();
    ASSERT_EQ(run.exit_code, 0) << "lan-harness failed:\n" << run.stderr_text;
    EXPECT_EQ(run.report.get<std::string>("ok"), "true");
    const auto& scenarios = run.report.get_child("scenarios");
    ASSERT_EQ(scenarios.size(), 1u);
    const ptree& summary = scenarios.front().second;
    EXPECT_EQ(summary.get<std::string>("scenario"), scenario);
    ASSERT_FALSE(summary.get_child("runs").empty());
    for (const auto& [_, record] : summary.get_child("runs")) {
        EXPECT_EQ(record.get<std::string>("ok"), "true");
        EXPECT_TRUE(record.get_child("failures").empty());
        const double wall = number(record, "wall_seconds");
        const double bound = number(record, "bound_seconds");
        EXPECT_GT(wall, 0.0);
        EXPECT_GT(bound, 0.0);
        EXPECT_NEAR(number(record, "ratio"), wall / bound, 0.01);
        int fetchers = 0;
        for (const auto& [__, host] : record.get_child("hosts")) {
            const auto role = host.get<std::string>("role");
            const double payload = number(host, "payload_bytes");
            SCOPED_TRACE(host.get<std::string>("name") + " (" + role + ")");
            if (role == "seeder" || role == "source") {
                EXPECT_GT(number(host, "bytes_up"), 0.0);
            }
            if (payload > 0) {
                ++fetchers;
                EXPECT_EQ(host.get<std::string>("verified"), "true");
                EXPECT_GT(number(host, "completed_seconds"), 0.0);
                EXPECT_LE(number(host, "completed_seconds"), wall + 1e-3);
                // Every payload byte crossed this host's link at least once.
                EXPECT_GE(number(host, "bytes_down"), payload);
                for (const auto& [___, fetch] : host.get_child("fetches")) {
                    EXPECT_EQ(fetch.get<std::string>("exit_code"), "0");
                    EXPECT_EQ(fetch.get<std::string>("printed_summary"), "true");
                }
            }
        }
        EXPECT_GT(fetchers, 0);
        expect_completion_percentiles(record, fetchers, wall, bound);
        expect_cpu_report(record);
    }
}

const ptree& first_run(const harness_run& run) {
    return run.report.get_child("scenarios").front().second.get_child("runs").front().second;
}

class LanHarness : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string reason;
        if (needs_root_skip(reason)) GTEST_SKIP() << reason;
    }
    harness_run run_or_skip(const std::vector<std::string>& args) {
        auto run = run_harness(args);
        if (run.exit_code == harness_cannot_run) {
            std::cout << "[  SKIPPED ] " << run.stderr_text;
            skipped_ = true;
        }
        return run;
    }
    bool skipped_ = false;
};

TEST(LanHarnessCommand, RejectsAnUnknownScenarioWithUsageStatus) {
    child_process harness(harness_command({"nonsense", "--xfer", XFER_BINARY}));
    EXPECT_EQ(harness.wait(60s), 2);
    EXPECT_NE(harness.stderr_text().find("unknown scenario 'nonsense'"), std::string::npos)
        << harness.describe();
}

TEST(LanHarnessCommand, RejectsABadRate) {
    child_process harness(harness_command({"single", "--up", "fast", "--xfer", XFER_BINARY}));
    EXPECT_EQ(harness.wait(60s), 2);
    EXPECT_NE(harness.stderr_text().find("bad rate 'fast'"), std::string::npos)
        << harness.describe();
}

TEST(LanHarnessCommand, RejectsMoreHostsThanTheBridgeTakes) {
    child_process harness(harness_command({"swarm", "--hosts", "1001", "--xfer", XFER_BINARY}));
    EXPECT_EQ(harness.wait(60s), 2);
    EXPECT_NE(harness.stderr_text().find("--hosts between 2 and 1000"), std::string::npos)
        << harness.describe();
}

TEST_F(LanHarness, SingleSourceDeliversAVerifiedCopy) {
    auto run = run_or_skip({"single", "--size", "8MiB", "--up", "200mbit"});
    if (skipped_) GTEST_SKIP() << run.stderr_text;
    ASSERT_NO_FATAL_FAILURE(expect_complete_and_verified(run, "single"));
    const ptree& record = first_run(run);
    const double size = number(record, "parameters.size_bytes");
    // The source sent the whole file; bound = F/u_s.
    EXPECT_GE(number(record.get_child("hosts").front().second, "bytes_up"), size);
    EXPECT_NEAR(number(record, "bound_seconds"), size * 8 / 200e6, 0.01);
    EXPECT_GE(number(record, "seeder_copies_sent"), 0.99);  // one fetcher: one copy
}

TEST_F(LanHarness, ThreeSourcesFeedOneFetcher) {
    auto run = run_or_skip({"sources", "--hosts", "4", "--size", "8MiB", "--up", "100mbit"});
    if (skipped_) GTEST_SKIP() << run.stderr_text;
    ASSERT_NO_FATAL_FAILURE(expect_complete_and_verified(run, "sources"));
    EXPECT_EQ(first_run(run).get<int>("parameters.sources"), 3);
}

TEST_F(LanHarness, MutualExchangeInBothDirections) {
    auto run = run_or_skip({"mutual", "--size", "8MiB", "--up", "100mbit", "--down", "100mbit"});
    if (skipped_) GTEST_SKIP() << run.stderr_text;
    ASSERT_NO_FATAL_FAILURE(expect_complete_and_verified(run, "mutual"));
    for (const auto& [_, host] : first_run(run).get_child("hosts")) {
        // Each side holds half and sends it: both directions carried a part.
        EXPECT_GE(number(host, "bytes_up"), 4.0 * 1024 * 1024);
    }
}

// Bytes all leechers of the first run sent: what they served each other (plus their ACKs).
double leecher_bytes_up(const harness_run& run) {
    double total = 0;
    for (const auto& [_, host] : first_run(run).get_child("hosts")) {
        if (host.get<std::string>("role") == "leecher") total += number(host, "bytes_up");
    }
    return total;
}

TEST_F(LanHarness, SwarmOfThreeLeechersThroughTheTracker) {
    auto run = run_or_skip({"swarm", "--hosts", "4", "--size", "8MiB", "--up", "100mbit"});
    if (skipped_) GTEST_SKIP() << run.stderr_text;
    ASSERT_NO_FATAL_FAILURE(expect_complete_and_verified(run, "swarm"));
    const double leecher_upload = leecher_bytes_up(run);
    // Leechers serve each other (--listen): well beyond the ~0.5 MiB of their TCP ACKs.
    EXPECT_GE(leecher_upload, 2.0 * 1024 * 1024);
    // Nobody else held the file: the seeder sent every piece at least once.
    EXPECT_GE(number(first_run(run), "seeder_copies_sent"), 0.99);
}

TEST_F(LanHarness, SwarmWithStaticPeerListsExchangesPieces) {
    // The data plane alone: every leecher is given every other host with --from, no tracker.
    auto run = run_or_skip(
        {"swarm", "--discovery", "static", "--hosts", "4", "--size", "8MiB", "--up", "100mbit"});
    if (skipped_) GTEST_SKIP() << run.stderr_text;
    ASSERT_NO_FATAL_FAILURE(expect_complete_and_verified(run, "swarm"));
    const double leecher_upload = leecher_bytes_up(run);
    EXPECT_GE(leecher_upload, 2.0 * 1024 * 1024);
}

TEST_F(LanHarness, ChurnVictimsResumeAndEveryoneFinishes) {
    // Static peer lists: this test is about resuming after SIGKILL, the tracker has its own.
    auto run = run_or_skip(
        {"churn", "--discovery", "static", "--hosts", "4", "--size", "8MiB", "--up", "50mbit"});
    if (skipped_) GTEST_SKIP() << run.stderr_text;
    ASSERT_NO_FATAL_FAILURE(expect_complete_and_verified(run, "churn"));
    const ptree& record = first_run(run);
    ASSERT_FALSE(record.get_child("churn.killed").empty()) << "no leecher was killed";
    for (const auto& [_, host] : record.get_child("hosts")) {
        static const ptree no_fetches;
        for (const auto& [__, fetch] : host.get_child("fetches", no_fetches)) {
            if (fetch.get<std::string>("killed_at_seconds") != "null") {
                EXPECT_GE(fetch.get<int>("restarts"), 1);
            }
        }
    }
}

TEST_F(LanHarness, LateJoinersStartLateAndFinishVerified) {
    // 5 hosts: the fourth leecher (h3) is the late quarter, started at half the bound.
    auto run = run_or_skip({"late", "--hosts", "5", "--size", "8MiB", "--up", "50mbit"});
    if (skipped_) GTEST_SKIP() << run.stderr_text;
    ASSERT_NO_FATAL_FAILURE(expect_complete_and_verified(run, "late"));
    const ptree& record = first_run(run);
    const double start = record.get<double>("parameters.late_start_seconds");
    EXPECT_GT(start, 0.0);
    int late = 0;
    for (const auto& [_, host] : record.get_child("hosts")) {
        static const ptree no_fetches;
        for (const auto& [__, fetch] : host.get_child("fetches", no_fetches)) {
            if (fetch.get<double>("started_at_seconds") == 0.0) continue;
            ++late;
            EXPECT_EQ(host.get<std::string>("name"), "h3");
            EXPECT_NEAR(fetch.get<double>("started_at_seconds"), start, 0.001);
            EXPECT_GT(fetch.get<double>("completed_seconds"), start);
            EXPECT_EQ(fetch.get<int>("restarts"), 0) << "a late first start is not a restart";
        }
    }
    EXPECT_EQ(late, 1);
}

TEST_F(LanHarness, InterruptTearsTheNetworkDown) {
    // A transfer slow enough (64 MiB at 20 Mbit/s: ~27 s) to still run when the signal comes.
    child_process harness(harness_command(
        {"single", "--hosts", "3", "--size", "64MiB", "--up", "20mbit", "--xfer", XFER_BINARY}));
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (harness.stderr_text().find("services up") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline && harness.running()) {
        std::this_thread::sleep_for(50ms);
    }
    if (harness.stderr_text().find("cannot run here") != std::string::npos) {
        GTEST_SKIP() << harness.stderr_text();
    }
    ASSERT_NE(harness.stderr_text().find("services up"), std::string::npos) << harness.describe();
    EXPECT_FALSE(namespaces_of_run(harness.pid()).empty());
    harness.send_signal(SIGINT);
    EXPECT_EQ(harness.wait(120s), 128 + SIGINT) << harness.describe();
    EXPECT_NE(harness.stderr_text().find("interrupted by SIGINT"), std::string::npos)
        << harness.describe();
    EXPECT_TRUE(namespaces_of_run(harness.pid()).empty());
}

TEST_F(LanHarness, CleanupRemovesNamespacesOfADeadRun) {
    // A pid that is surely not a running harness: a child that has already exited.
    child_process gone({"true"});
    gone.wait(30s);
    const std::string stale = "xh" + std::to_string(gone.pid()) + "-h0";
    child_process add({"ip", "netns", "add", stale});
    ASSERT_EQ(add.wait(30s), 0) << add.describe();
    child_process cleanup(harness_command({"cleanup"}));
    EXPECT_EQ(cleanup.wait(60s), 0) << cleanup.describe();
    EXPECT_NE(cleanup.stdout_text().find(stale), std::string::npos) << cleanup.describe();
    EXPECT_TRUE(namespaces_of_run(gone.pid()).empty());
}

}  // namespace
