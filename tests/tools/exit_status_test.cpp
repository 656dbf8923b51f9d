// One exit status per failure class, from the errors the data path returns.
#include "tools/xfer/exit_status.hpp"

#include <gtest/gtest.h>

#include "shared/core/error.hpp"
#include "shared/pairing/pairing_error.hpp"
#include "tools/xfer/cli_options_man.hpp"

namespace xfer::cli {
namespace {

int status_of(const std::error_code& error) {
    return exit_status(classify(error));
}

TEST(ExitStatus, EachClassHasItsNumber) {
    EXPECT_EQ(status_of(errc::not_found), 3);
    EXPECT_EQ(status_of(errc::peer_closed), 4);
    EXPECT_EQ(status_of(errc::peer_timeout), 4);
    EXPECT_EQ(status_of(errc::no_source), 4);
    EXPECT_EQ(status_of(std::make_error_code(std::errc::connection_refused)), 4);
    EXPECT_EQ(status_of(std::error_code(EHOSTUNREACH, std::system_category())), 4);
    EXPECT_EQ(status_of(errc::hash_mismatch), 5);
    EXPECT_EQ(status_of(errc::peer_banned), 5);
    EXPECT_EQ(status_of(errc::content_changed), 5);
    EXPECT_EQ(status_of(errc::malformed_message), 5);  // a protocol violation
    EXPECT_EQ(status_of(errc::bad_protocol), 5);
    EXPECT_EQ(status_of(std::error_code(ENOSPC, std::system_category())), 6);
    EXPECT_EQ(status_of(std::error_code(EACCES, std::system_category())), 6);
    EXPECT_EQ(status_of(std::error_code(EROFS, std::generic_category())), 6);
    EXPECT_EQ(status_of(errc::state_corrupt), 6);
    EXPECT_EQ(status_of(errc::peer_not_reading), 4);
    EXPECT_EQ(status_of(errc::path_escapes_root), 7);
    EXPECT_EQ(status_of(errc::sender_busy), 7);
    EXPECT_EQ(status_of(std::make_error_code(std::errc::file_exists)), 7);
    EXPECT_EQ(status_of(errc::cancelled), 130);
}

TEST(ExitStatus, NamesForJson) {
    EXPECT_EQ(failure_name(failure_class::not_found), "not_found");
    EXPECT_EQ(failure_name(failure_class::network), "network");
    EXPECT_EQ(failure_name(failure_class::integrity), "integrity");
    EXPECT_EQ(failure_name(failure_class::local_io), "local_io");
    EXPECT_EQ(failure_name(failure_class::refused), "refused");
    EXPECT_EQ(failure_name(failure_class::interrupted), "interrupted");
    EXPECT_EQ(failure_name(failure_class::usage), "usage");
    EXPECT_EQ(failure_name(failure_class::other), "failed");
}

TEST(ExitStatus, AFailedPairingHasItsOwnStatus) {
    using pairing::pairing_errc;
    EXPECT_EQ(status_of(pairing_errc::wrong_code), 8);
    EXPECT_EQ(status_of(pairing_errc::code_expired), 8);
    EXPECT_EQ(status_of(pairing_errc::too_many_attempts), 8);
    EXPECT_EQ(status_of(pairing_errc::code_used), 8);
    EXPECT_EQ(status_of(pairing_errc::no_code), 8);
    EXPECT_EQ(status_of(errc::pairing_failed), 8);
    EXPECT_EQ(status_of(pairing_errc::malformed_message), 5) << "a sender that broke the exchange";
    EXPECT_EQ(status_of(pairing_errc::bad_code_text), 2);
    EXPECT_EQ(failure_name(failure_class::pairing), "pairing");
}

TEST(ExitStatus, AnErrorFromElsewhereIsTheGenericFailure) {
    EXPECT_EQ(status_of(std::make_error_code(std::io_errc::stream)), 1);
}

TEST(ExitStatus, TheManPageListsEveryStatusFromTheTable) {
    const auto page = man_page({});
    const auto section = page.find(".SH EXIT STATUS");
    ASSERT_NE(section, std::string::npos);
    for (const int status : {0, 1, 2, 3, 4, 5, 6, 7, 8, 130}) {
        EXPECT_NE(page.find(".TP\n" + std::to_string(status) + "\n", section), std::string::npos)
            << status;
    }
    EXPECT_NE(page.find("network: cannot connect", section), std::string::npos);
    EXPECT_NE(page.find(".SH RATES"), std::string::npos);
}

}  // namespace
}  // namespace xfer::cli
