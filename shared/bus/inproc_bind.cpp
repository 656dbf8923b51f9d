#include "shared/bus/inproc_bind.hpp"

#include <cerrno>
#include <thread>

namespace xfer::bus {

void bind_inproc(zmq::socket_t& socket, const std::string& endpoint,
                 std::chrono::milliseconds patience) {
    const auto give_up = std::chrono::steady_clock::now() + patience;
    for (;;) {
        try {
            socket.bind(endpoint);
            return;
        } catch (const zmq::error_t& e) {
            if (e.num() != EADDRINUSE || std::chrono::steady_clock::now() >= give_up) throw;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
}

}  // namespace xfer::bus
