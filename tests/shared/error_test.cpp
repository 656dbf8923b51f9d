// Which errors mean "this peer broke the protocol": the fetch never asks such a peer again.
#include <gtest/gtest.h>

#include <system_error>

#include "shared/core/error.hpp"

namespace xfer {
namespace {

TEST(ProtocolViolation, FramingMessagesAndManifestFaultsAreViolations) {
    for (const auto code :
         {errc::frame_too_large, errc::frame_truncated, errc::unknown_message,
          errc::malformed_message, errc::bad_protocol, errc::version_mismatch,
          errc::unexpected_message, errc::manifest_invalid, errc::content_mismatch, errc::not_tls,
          errc::tls_failed, errc::not_authenticated}) {
        EXPECT_TRUE(is_protocol_violation(make_error_code(code)))
            << make_error_code(code).message();
    }
}

TEST(ProtocolViolation, EveryTreeManifestFaultIsAViolationWithItsOwnMessage) {
    for (const auto code :
         {errc::tree_path_invalid, errc::tree_entry_order, errc::tree_parent_missing,
          errc::tree_parent_not_directory, errc::tree_path_through_symlink,
          errc::tree_symlink_escapes, errc::tree_entry_invalid, errc::tree_too_large}) {
        EXPECT_TRUE(is_protocol_violation(make_error_code(code)));
        EXPECT_NE(make_error_code(code).message(), "unknown xfer error");
    }
}

TEST(ProtocolViolation, TransientAndLocalFaultsAreNot) {
    for (const auto code : {errc::peer_closed, errc::peer_timeout, errc::not_found,
                            errc::hash_mismatch, errc::cancelled, errc::peer_not_allowed}) {
        EXPECT_FALSE(is_protocol_violation(make_error_code(code)))
            << make_error_code(code).message();
    }
    // The same number in another category is not ours.
    EXPECT_FALSE(is_protocol_violation(
        std::error_code(static_cast<int>(errc::bad_protocol), std::generic_category())));
}

}  // namespace
}  // namespace xfer
