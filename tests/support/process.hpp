// A child process for end-to-end tests: spawned with arguments and extra environment, stdout
// and stderr captured to files, waited on with a timeout, signalled, and always killed and
// reaped by the destructor, so a failing test never leaves processes behind.
//
//   xfer::test::child_process tracker({XFER_BINARY, "tracker", "--listen", "127.0.0.1:0"});
//   auto line = tracker.wait_for_line("tracker listening on ", 20s);
//   ASSERT_TRUE(line) << tracker.describe();
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xfer::test {

struct process_options {
    std::vector<std::string> environment;     // "NAME=VALUE" entries added to (or replacing) ours
    std::filesystem::path working_directory;  // empty: the test's own
    // Tests must not multicast on the host's real interfaces: unless the environment above (or
    // the test's own) sets XFER_LAN_INTERFACES, the child gets XFER_LAN_INTERFACES=lo, so an
    // `xfer serve` announces on loopback only. Tests inside their own network namespaces set
    // XFER_LAN_INTERFACES= (empty: every interface) to use the namespace's LAN.
    bool confine_lan_to_loopback = true;

    static process_options with_environment(std::vector<std::string> entries) {
        process_options options;
        options.environment = std::move(entries);
        return options;
    }
};

class child_process {
  public:
    // argv[0] is the program (a path, or a name looked up in PATH). Throws std::runtime_error
    // if it cannot be started.
    explicit child_process(std::vector<std::string> argv, process_options options = {});
    ~child_process();  // SIGKILL if still running, reap, remove the capture files
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    pid_t pid() const { return pid_; }
    std::string stdout_text() const;
    std::string stderr_text() const;

    // The first complete stdout line (without '\n') that contains `needle`, waiting until it
    // appears, the process exits, or `timeout` passes (then nullopt).
    std::optional<std::string> wait_for_line(std::string_view needle,
                                             std::chrono::milliseconds timeout,
                                             size_t skip_lines = 0);
    // All complete stdout lines so far.
    std::vector<std::string> stdout_lines() const;

    // The exit status (128 + signal number if killed by a signal), or nullopt on timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    bool running();
    void send_signal(int signal_number);
    // SIGTERM, then SIGKILL if it has not exited after `grace`; returns the exit status.
    int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

    // Command line, exit status and the tail of both outputs: for assertion messages.
    std::string describe() const;

  private:
    bool reap(bool block);

    std::vector<std::string> argv_;
    std::filesystem::path capture_directory_;
    pid_t pid_ = -1;
    std::optional<int> exit_status_;
};

// The last space-separated word of a line: "tracker listening on 127.0.0.1:4000" -> the address.
std::string last_word(std::string_view line);

}  // namespace xfer::test
