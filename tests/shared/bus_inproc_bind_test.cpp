// An inproc name is free again soon after its socket closes, but not at once: bind_inproc waits
// for it, and still fails when a live socket holds the name.
#include <gtest/gtest.h>

#include <cerrno>

#include "shared/bus/inproc_bind.hpp"

namespace xfer::bus {
namespace {

TEST(BusInprocBind, RebindsANameItsLastSocketJustClosed) {
    zmq::context_t context;
    // Without waiting, most of these rebinds fail with EADDRINUSE (ZeroMQ 4.3, seen here).
    for (int round = 0; round < 500; ++round) {
        zmq::socket_t socket(context, zmq::socket_type::sub);
        socket.set(zmq::sockopt::linger, 0);
        ASSERT_NO_THROW(bind_inproc(socket, "inproc://rebind-test")) << "round " << round;
    }
}

TEST(BusInprocBind, ANameALiveSocketHoldsStaysTaken) {
    zmq::context_t context;
    zmq::socket_t holder(context, zmq::socket_type::sub);
    holder.set(zmq::sockopt::linger, 0);
    holder.bind("inproc://held");
    zmq::socket_t second(context, zmq::socket_type::sub);
    second.set(zmq::sockopt::linger, 0);
    try {
        bind_inproc(second, "inproc://held", std::chrono::milliseconds(20));
        FAIL() << "bound a name another socket holds";
    } catch (const zmq::error_t& e) {
        EXPECT_EQ(e.num(), EADDRINUSE);
    }
}

}  // namespace
}  // namespace xfer::bus
