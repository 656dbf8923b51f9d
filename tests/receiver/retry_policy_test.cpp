// Which failed sources are asked again (receiver/retry_policy.hpp).
#include "receiver/retry_policy.hpp"

#include <gtest/gtest.h>

namespace xfer::receiver {
namespace {

std::error_code code(errc e) {
    return make_error_code(e);
}

TEST(RetryPolicy, OurselvesDuplicatesAndRefusalsAreNeverAskedAgain) {
    for (const bool discovered : {false, true}) {
        EXPECT_TRUE(never_ask_again(code(errc::cancelled), discovered, 0));
        EXPECT_TRUE(never_ask_again(code(errc::peer_not_allowed), discovered, 0));
        EXPECT_TRUE(never_ask_again(code(errc::bad_protocol), discovered, 0));
        EXPECT_TRUE(never_ask_again(code(errc::version_mismatch), discovered, 0));
        EXPECT_TRUE(never_ask_again(code(errc::tls_failed), discovered, 0));
    }
}

// Issue 13: a sender at its connection limit closes right after accept; the receiver took that
// for a plaintext peer and never came back.
TEST(RetryPolicy, ADiscoveredSenderThatHangsUpInTheHandshakeIsAskedAgain) {
    EXPECT_FALSE(never_ask_again(code(errc::not_tls), /*discovered=*/true, 0));
    EXPECT_FALSE(never_ask_again(code(errc::not_tls), true, max_handshake_hangups - 1));
    EXPECT_TRUE(never_ask_again(code(errc::not_tls), true, max_handshake_hangups))
        << "an impostor in discovery is given up after a few hang-ups";
    EXPECT_TRUE(never_ask_again(code(errc::not_tls), /*discovered=*/false, 0))
        << "a source named by the user fails at once, saying it may be too old";
}

// Discovery cannot tell who holds a tree (DIR/) from a record, so it tries any peer that may:
// one that says it does not share the tree is not asked again, or a fetch with no holder left
// would retry it for minutes instead of failing.
TEST(RetryPolicy, ADiscoveredPeerWithoutTheTreeAskedByPathIsNotAskedAgain) {
    EXPECT_TRUE(never_ask_again(code(errc::not_found), /*discovered=*/true, 0,
                                /*tree_by_path=*/true));
    EXPECT_FALSE(never_ask_again(code(errc::not_found), /*discovered=*/false, 0, true))
        << "a source the user named fails or retries as before";
    EXPECT_FALSE(never_ask_again(code(errc::peer_closed), true, 0, true));
}

TEST(RetryPolicy, OrdinaryFailuresAreAskedAgain) {
    EXPECT_FALSE(never_ask_again(code(errc::peer_closed), false, 0));
    EXPECT_FALSE(never_ask_again(code(errc::not_found), true, 0));
    EXPECT_FALSE(never_ask_again(std::make_error_code(std::errc::connection_refused), true, 0));
}

}  // namespace
}  // namespace xfer::receiver
