#include "tests/support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace xfer::test {
namespace {

using namespace std::chrono_literals;

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::filesystem::path make_capture_directory() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/xfer-child-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error(std::string("mkdtemp failed: ") + std::strerror(errno));
    }
    return pattern;
}

// Our environment with `extra` entries added, replacing any with the same name.
std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
    std::vector<std::string> out;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string_view text = *entry;
        const auto name = text.substr(0, text.find('=') + 1);
        bool replaced = false;
        for (const auto& added : extra) replaced = replaced || added.starts_with(name);
        if (!replaced) out.emplace_back(text);
    }
    out.insert(out.end(), extra.begin(), extra.end());
    return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

}  // namespace

child_process::child_process(std::vector<std::string> argv, process_options options)
    : argv_(std::move(argv)), capture_directory_(make_capture_directory()) {
    if (argv_.empty()) throw std::runtime_error("child_process: empty command line");
    auto extra = options.environment;
    const bool lan_chosen = std::getenv("XFER_LAN_INTERFACES") != nullptr ||
                            std::any_of(extra.begin(), extra.end(), [](const std::string& entry) {
                                return entry.starts_with("XFER_LAN_INTERFACES=");
                            });
    if (options.confine_lan_to_loopback && !lan_chosen) extra.push_back("XFER_LAN_INTERFACES=lo");
    auto environment = merged_environment(extra);
    auto argv_pointers = pointers(argv_);
    auto env_pointers = pointers(environment);
    const auto out_path = (capture_directory_ / "stdout").string();
    const auto err_path = (capture_directory_ / "stderr").string();
    const auto directory = options.working_directory.string();

    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
    if (pid_ == 0) {
        // Child: only async-signal-safe calls from here to exec.
        const int in = ::open("/dev/null", O_RDONLY);
        const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || err < 0) ::_exit(127);
        ::dup2(in, STDIN_FILENO);
        ::dup2(out, STDOUT_FILENO);
        ::dup2(err, STDERR_FILENO);
        if (!directory.empty() && ::chdir(directory.c_str()) != 0) ::_exit(127);
        // The test may have blocked or ignored signals; the child starts clean.
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        ::execvpe(argv_pointers[0], argv_pointers.data(), env_pointers.data());
        const char message[] = "exec failed\n";
        [[maybe_unused]] auto written = ::write(STDERR_FILENO, message, sizeof message - 1);
        ::_exit(127);
    }
}

child_process::~child_process() {
    if (!exit_status_) {
        ::kill(pid_, SIGKILL);
        reap(true);
    }
    if (!std::getenv("XFER_KEEP_TEST_OUTPUT")) {
        std::error_code ignored;
        std::filesystem::remove_all(capture_directory_, ignored);
    }
}

bool child_process::reap(bool block) {
    if (exit_status_) return true;
    int status = 0;
    pid_t result;
    do {
        result = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    } while (result < 0 && errno == EINTR);
    if (result != pid_) return false;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return true;
}

std::string child_process::stdout_text() const {
    return read_file(capture_directory_ / "stdout");
}
std::string child_process::stderr_text() const {
    return read_file(capture_directory_ / "stderr");
}

std::vector<std::string> child_process::stdout_lines() const {
    std::vector<std::string> lines;
    const auto text = stdout_text();
    size_t start = 0;
    for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
        lines.push_back(text.substr(start, end - start));
    }
    return lines;
}

std::optional<std::string> child_process::wait_for_line(std::string_view needle,
                                                        std::chrono::milliseconds timeout,
                                                        size_t skip_lines) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        // Checked once more after an exit, so lines written just before it are seen.
        const bool exited = !running();
        const auto lines = stdout_lines();
        for (size_t i = skip_lines; i < lines.size(); ++i) {
            if (lines[i].find(needle) != std::string::npos) return lines[i];
        }
        if (exited || std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(20ms);
    }
}

std::optional<int> child_process::wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!reap(false)) {
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(10ms);
    }
    return exit_status_;
}

bool child_process::running() {
    return !reap(false);
}

void child_process::send_signal(int signal_number) {
    if (!exit_status_) ::kill(pid_, signal_number);
}

int child_process::stop(std::chrono::milliseconds grace) {
    send_signal(SIGTERM);
    if (auto status = wait(grace)) return *status;
    send_signal(SIGKILL);
    reap(true);
    return *exit_status_;
}

std::string child_process::describe() const {
    std::string out = "command:";
    for (const auto& arg : argv_) out += " " + arg;
    out += exit_status_ ? "\nexit status: " + std::to_string(*exit_status_) : "\n(still running)";
    const auto tail = [](std::string text) {
        constexpr size_t keep = 4000;
        return text.size() > keep ? "..." + text.substr(text.size() - keep) : text;
    };
    out += "\n--- stdout ---\n" + tail(stdout_text()) + "\n--- stderr ---\n" + tail(stderr_text());
    return out;
}

std::string last_word(std::string_view line) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    const auto space = line.rfind(' ');
    return std::string(space == std::string_view::npos ? line : line.substr(space + 1));
}

}  // namespace xfer::test
