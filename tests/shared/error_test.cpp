// Which errors mean "this peer broke the protocol": the fetch never asks such a peer again.
#include <gtest/gtest.h>

#include <set>
#include <string>
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

// The messages come from one table (error.cpp): every code has its own, and a number that is no
// code says so rather than borrowing a neighbour's.
TEST(ErrorMessages, EveryCodeHasItsOwnTextAndOtherNumbersAreUnknown) {
    std::set<std::string> texts;
    int codes = 0;
    for (int value = 0; value < 256; ++value) {
        const auto text = make_error_code(static_cast<errc>(value)).message();
        if (text == "unknown xfer error") continue;
        ++codes;
        EXPECT_TRUE(texts.insert(text).second) << value << " repeats " << text;
    }
    EXPECT_EQ(codes, 39);  // the enumerators of errc, ok included
    for (const auto code : {errc::ok, errc::unexpected_message, errc::not_found, errc::sender_busy,
                            errc::tree_too_large, errc::peer_not_allowed,
                            errc::manifest_root_mismatch, errc::closed_before_speaking})
        EXPECT_NE(make_error_code(code).message(), "unknown xfer error");
    EXPECT_EQ(make_error_code(static_cast<errc>(19)).message(), "unknown xfer error");
    EXPECT_EQ(make_error_code(static_cast<errc>(91)).message(), "unknown xfer error");
}

}  // namespace
}  // namespace xfer
