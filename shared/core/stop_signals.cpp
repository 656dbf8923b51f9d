#include "shared/core/stop_signals.hpp"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <thread>

namespace xfer {
namespace {

// Read by the command's loops through a volatile pointer (the interface they already have);
// written only through std::atomic_ref, so the store is a single atomic write.
alignas(std::atomic_ref<int>::required_alignment) int stop_flag = 0;
std::atomic<bool> stop_wanted{false};
std::atomic<long long> force_after_ms{5000};

sigset_t stop_signal_set() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

[[noreturn]] void exit_interrupted(const char* why) {
    if (why != nullptr) [[maybe_unused]]
        auto written = ::write(STDERR_FILENO, why, std::strlen(why));
    ::_exit(130);
}

void watch(sigset_t set) {
    int signal_number = 0;
    while (sigwait(&set, &signal_number) != 0) {
    }
    if (!stop_wanted.load()) exit_interrupted("xfer: interrupted\n");
    std::atomic_ref<int>(stop_flag).store(1);
    // A clean stop takes a fraction of a second; wait for a second signal or the deadline.
    const auto wait_ms = force_after_ms.load();
    timespec timeout{static_cast<time_t>(wait_ms / 1000),
                     static_cast<long>(wait_ms % 1000) * 1000000};
    siginfo_t info;
    for (;;) {
        if (sigtimedwait(&set, &info, &timeout) >= 0)
            exit_interrupted("xfer: stopped at once (second signal)\n");
        if (errno == EAGAIN)
            exit_interrupted("xfer: did not stop in time after the signal; stopped at once\n");
    }
}

}  // namespace

void block_stop_signals() {
    const auto set = stop_signal_set();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    std::thread(watch, set).detach();
}

const volatile int* request_stop_on_signal(std::chrono::milliseconds force_after) {
    force_after_ms.store(force_after.count());
    stop_wanted.store(true);
    return &stop_flag;
}

}  // namespace xfer
