// Helpers for end-to-end tests that run the real `xfer` binary on loopback: run a command and
// capture what it says, start `xfer serve` and learn its port, make test files, compare them,
// look at a fetch's resume state from the outside, and snapshot a directory tree to prove that
// nothing was written where it should not be.
//
//   xfer::test::sandbox box;
//   const auto original = xfer::test::write_random_file(box / "src/a.bin", 3'000'000, 7);
//   xfer::test::xfer_server server(box / "src");
//   auto fetched = xfer::test::run_xfer({"fetch", server.address(), "a.bin", "-o", (box /
//   "out").string()}); EXPECT_EQ(fetched.status, 0) << fetched.describe();
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/process.hpp"

namespace xfer::test {

using namespace std::chrono_literals;

// Upper bounds only: a healthy run takes a fraction of these; a slow machine still passes.
inline constexpr std::chrono::milliseconds command_timeout = 120s;
inline constexpr std::chrono::milliseconds startup_timeout = 60s;

// ---- running xfer ----

struct command_result {
    std::optional<int> status;  // nullopt: still running at the timeout (then killed)
    std::string out;
    std::string err;
    std::string description;  // command line, status and output tails, for assertion messages

    std::string describe() const { return description; }
    // Non-empty stderr lines.
    std::vector<std::string> error_lines() const;
};

// Runs XFER_BINARY with `args` to completion (killed at `timeout`).
command_result run_xfer(const std::vector<std::string>& args,
                        std::chrono::milliseconds timeout = command_timeout);
// The same for any program (argv[0] looked up in PATH).
command_result run_program(const std::vector<std::string>& argv,
                           std::chrono::milliseconds timeout = command_timeout);

// XFER_BINARY followed by `args`, for child_process.
std::vector<std::string> xfer_command(const std::vector<std::string>& args);

// `xfer serve DIR --listen 127.0.0.1:0`, started and waited for; killed and reaped when destroyed.
// Throws std::runtime_error (with the server's output) if it does not come up.
class xfer_server {
  public:
    explicit xfer_server(const std::filesystem::path& directory,
                         std::vector<std::string> extra_args = {});
    const std::string& address() const { return address_; }  // "127.0.0.1:PORT"
    uint16_t port() const { return port_; }
    child_process& process() { return *process_; }
    void kill_hard();  // SIGKILL and reap: a crash, as far as peers can tell
    int stop();        // SIGTERM: the clean way

  private:
    std::unique_ptr<child_process> process_;
    std::string address_;
    uint16_t port_ = 0;
};

// The port of "HOST:PORT" (0 if there is none).
uint16_t port_of(std::string_view address);

// Two `xfer fetch PATH -o DIR --listen` that each name the other as their source: a mutual
// exchange. Both ports are chosen up front; whichever starts first finds nobody listening yet
// and has to wait for its partner.
struct mutual_fetches {
    std::unique_ptr<child_process> a, b;
};
mutual_fetches start_mutual_fetches(const std::string& path, const std::string& a_dir,
                                    const std::string& b_dir);

// ---- what a failed command says ----

// A failure's exit status (`status` when given, else any failure class: 1 or 3..7; not a
// crash, a usage error or a timeout) and a last stderr line that contains every one of
// `needles` (what failed and on what: a path, an address, a cause).
::testing::AssertionResult failed_saying(const command_result& result,
                                         const std::vector<std::string>& needles,
                                         std::optional<int> status = std::nullopt);

// The exit statuses of tools/xfer/exit_status.hpp, as a script sees them.
namespace exit_code {
inline constexpr int other = 1, usage = 2, not_found = 3, network = 4, integrity = 5, local_io = 6,
                     refused = 7, interrupted = 130;
}
// Exactly one non-empty stderr line: the CLI contract for a failure without -v.
::testing::AssertionResult single_error_line(const command_result& result);

// ---- what a fetch reports ----

// N from the summary line "fetched ...: ... (..., N bytes downloaded...)".
std::optional<uint64_t> downloaded_bytes(std::string_view fetch_stdout);

// ---- files ----

// Writes `size` deterministic pseudo-random bytes (same size and seed, same bytes), streaming,
// so large files do not need their size in memory. Returns the path.
std::filesystem::path write_random_file(const std::filesystem::path& path, uint64_t size,
                                        uint64_t seed);

// "" if both files exist and hold the same bytes; otherwise what differs, for a failure message.
std::string file_difference(const std::filesystem::path& expected,
                            const std::filesystem::path& actual);

// Every entry under `root` (relative path -> type, size and modification time), not following
// symlinks, leaving out the subtrees in `excluded` (absolute paths).
std::map<std::string, std::string> snapshot_tree(
    const std::filesystem::path& root, const std::vector<std::filesystem::path>& excluded = {});

// The lines of `text` without their newlines (a last line without one counts too).
std::vector<std::string> lines_of(const std::string& text);

// Pieces a fetch into `output_dir` has on record now (checkpointed state plus journal), as a
// resumed fetch would count them before re-checking. 0 if there is no resume state.
uint32_t recorded_pieces(const std::filesystem::path& output_dir);
// The bytes of those pieces (a file's last piece is usually shorter than the others).
uint64_t recorded_bytes(const std::filesystem::path& output_dir);

// ---- environment ----

bool running_as_root();

// A free TCP port on 127.0.0.1 now (bound and released: another process may take it first,
// which is why tests use this only where two processes must know each other's port up front).
uint16_t pick_free_port();

// Polls `condition` every few milliseconds until it holds (true) or `timeout` passes (false).
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = startup_timeout);

// A tmpfs mounted on `target` for the lifetime of this object (needs root). `error()` says why
// the mount failed, if it did.
class scoped_tmpfs {
  public:
    scoped_tmpfs(const std::filesystem::path& target, const std::string& options,
                 bool read_only = false);
    ~scoped_tmpfs();
    scoped_tmpfs(const scoped_tmpfs&) = delete;
    scoped_tmpfs& operator=(const scoped_tmpfs&) = delete;
    bool mounted() const { return mounted_; }
    const std::string& error() const { return error_; }

  private:
    std::filesystem::path target_;
    bool mounted_ = false;
    std::string error_;
};

}  // namespace xfer::test
