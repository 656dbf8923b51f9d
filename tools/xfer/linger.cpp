#include "tools/xfer/linger.hpp"

#include <chrono>
#include <thread>

namespace xfer::cli {

void linger(const sender::sender& uploads, double limit_seconds, const volatile int* stop) {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    const auto deadline =
        start + std::chrono::milliseconds(static_cast<long>(limit_seconds * 1000));
    constexpr auto grace = std::chrono::milliseconds(1500);
    while (!*stop && clock::now() < deadline) {
        if (uploads.receivers_with_open_content() == 0 &&
            (uploads.receivers_served() > 0 || clock::now() - start > grace)) {
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace xfer::cli
