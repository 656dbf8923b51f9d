// The tracker link is authenticated end to end: `xfer tracker` prints its key, a client that
// names it works and remembers it for the address, a wrong key, a key that differs from the
// pinned one, an impostor tracker (another key at a pinned address) and a plaintext tracker
// are all refused with one clear line. Clients use a --home of their own, so pins made by
// other tests (in the shared test home) never meet these trackers' keys.
#include <gtest/gtest.h>

#include "shared/discovery/known_trackers.hpp"
#include "shared/discovery/zmq_frames.hpp"
#include "tests/support/discovery_fixtures.hpp"
#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

std::string other_key() {
    return discovery::format_tracker_key(discovery::tracker_keypair::generate().public_key());
}

command_result peers(const std::string& tracker, const std::filesystem::path& home,
                     std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"peers", "--tracker", tracker, "--home", home.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_xfer(args);
}

TEST(DiscoveryTrackerKeyE2E, TheTrackerKeepsAndPrintsItsKey) {
    sandbox box;
    const auto home = (box / "tracker-home").string();
    std::string first_key;
    {
        tracker_process tracker({"--home", home});
        first_key = tracker.key();
        EXPECT_TRUE(discovery::parse_tracker_key(first_key)) << first_key;
        EXPECT_NE(tracker.process().stdout_text().find("tracker key: " + first_key),
                  std::string::npos)
            << tracker.process().describe();
    }
    tracker_process again({"--home", home});
    EXPECT_EQ(again.key(), first_key) << "the key lives under --home and survives a restart";
}

TEST(DiscoveryTrackerKeyE2E, TheRightKeyWorksAndIsPinnedForTheAddress) {
    sandbox box;
    const auto client = box / "client-home";
    tracker_process tracker({"--home", (box / "tracker-home").string()});

    const auto unnamed = peers(tracker.endpoint(), client);
    EXPECT_TRUE(failed_saying(unnamed,
                              {"no key known for tracker " + tracker.endpoint(), "--tracker-key"}));
    EXPECT_TRUE(single_error_line(unnamed));

    const auto named = peers(tracker.address(), client);
    ASSERT_EQ(named.status, 0) << named.describe();
    const auto with_option =
        peers(tracker.endpoint(), box / "other-client", {"--tracker-key", tracker.key()});
    ASSERT_EQ(with_option.status, 0) << with_option.describe();

    const auto pinned = peers(tracker.endpoint(), client);
    EXPECT_EQ(pinned.status, 0) << "the key was remembered for " << tracker.endpoint() << "\n"
                                << pinned.describe();
}

TEST(DiscoveryTrackerKeyE2E, AWrongKeyIsRefused) {
    sandbox box;
    tracker_process tracker({"--home", (box / "tracker-home").string()});
    const auto wrong = other_key();
    const auto refused = peers(wrong + "@" + tracker.endpoint(), box / "client-home");
    EXPECT_TRUE(
        failed_saying(refused, {"tracker " + tracker.endpoint(), "did not prove the key", wrong}));
    EXPECT_TRUE(single_error_line(refused));
    EXPECT_FALSE(std::filesystem::exists(box / "client-home/config/trust/known_trackers"))
        << "a key the tracker did not prove is not pinned";

    const auto fetched =
        run_xfer({"fetch", "--tracker", wrong + "@" + tracker.endpoint(), "x.bin", "-o",
                  (box / "out").string(), "--home", (box / "client-home").string()});
    EXPECT_TRUE(failed_saying(fetched, {"did not prove the key", wrong}));
}

TEST(DiscoveryTrackerKeyE2E, AKeyOtherThanThePinnedOneIsAHardErrorShowingBoth) {
    sandbox box;
    const auto client = box / "client-home";
    tracker_process tracker({"--home", (box / "tracker-home").string()});
    ASSERT_EQ(peers(tracker.address(), client).status, 0);
    const auto other = other_key();
    const auto refused = peers(other + "@" + tracker.endpoint(), client);
    EXPECT_TRUE(failed_saying(refused, {tracker.endpoint(), other, tracker.key(), "known_trackers"},
                              exit_code::refused));
    EXPECT_TRUE(failed_saying(refused, {"xfer trust remove-tracker " + tracker.endpoint() +
                                        " --home " + client.string()}))
        << "the error says how to forget the old pin";
    EXPECT_TRUE(single_error_line(refused));
}

// A tracker whose key really changed (its home was lost): the pinned key fails to be proven,
// the error says how to forget it, `xfer trust trackers` shows it, `xfer trust remove-tracker`
// forgets it, and naming the new key works and pins it.
TEST(DiscoveryTrackerKeyE2E, APinForAKeyThatChangedIsListedAndForgottenWithXferTrust) {
    sandbox box;
    const auto client = box / "client-home";
    tracker_process tracker({"--home", (box / "tracker-home").string()});
    const auto old_key = other_key();
    ASSERT_TRUE(discovery::pin_tracker_key(client / "config", tracker.endpoint(),
                                           discovery::parse_tracker_key(old_key).value()));
    const auto refused = peers(tracker.endpoint(), client);
    EXPECT_TRUE(failed_saying(
        refused,
        {"did not prove the key " + old_key,
         "xfer trust remove-tracker " + tracker.endpoint() + " --home " + client.string()},
        exit_code::refused));
    EXPECT_TRUE(single_error_line(refused));

    const auto listed = run_xfer({"trust", "trackers", "--home", client.string()});
    EXPECT_EQ(listed.status, 0) << listed.describe();
    EXPECT_EQ(listed.out, tracker.endpoint() + "  " + old_key + "\n") << listed.describe();

    const auto removed =
        run_xfer({"trust", "remove-tracker", tracker.endpoint(), "--home", client.string()});
    EXPECT_EQ(removed.status, 0) << removed.describe();
    EXPECT_EQ(removed.out, "removed tracker " + tracker.endpoint() + "  " + old_key + "\n");
    const auto emptied = run_xfer({"trust", "trackers", "--home", client.string()});
    EXPECT_EQ(emptied.out, "") << emptied.describe();
    EXPECT_NE(emptied.err.find("no tracker keys pinned"), std::string::npos) << emptied.describe();
    const auto again =
        run_xfer({"trust", "remove-tracker", tracker.endpoint(), "--home", client.string()});
    EXPECT_TRUE(failed_saying(again, {"no key is pinned for tracker " + tracker.endpoint()},
                              exit_code::other));

    ASSERT_EQ(peers(tracker.address(), client).status, 0) << "the new key, named once";
    const auto repinned = run_xfer({"trust", "trackers", "--home", client.string()});
    EXPECT_EQ(repinned.out, tracker.endpoint() + "  " + tracker.key() + "\n")
        << repinned.describe();
    EXPECT_EQ(peers(tracker.endpoint(), client).status, 0) << "and remembered";
}

TEST(DiscoveryTrackerKeyE2E, AnImpostorAtAPinnedAddressIsRefused) {
    sandbox box;
    const auto client = box / "client-home";
    tracker_process real({"--home", (box / "real-home").string()});
    tracker_process impostor({"--home", (box / "impostor-home").string()});
    // As if the real tracker had been at the impostor's address: the pin says the real key.
    ASSERT_TRUE(
        discovery::pin_tracker_key(client / "config", impostor.endpoint(), real.link().key));
    const auto refused = peers(impostor.endpoint(), client);
    EXPECT_TRUE(failed_saying(
        refused, {"tracker " + impostor.endpoint(), "did not prove the key", real.key()}));
    EXPECT_TRUE(single_error_line(refused));
}

TEST(DiscoveryTrackerKeyE2E, APlaintextTrackerIsRefused) {
    sandbox box;
    zmq::context_t context;
    zmq::socket_t plaintext(context, zmq::socket_type::router);
    plaintext.set(zmq::sockopt::linger, 0);
    plaintext.bind("tcp://127.0.0.1:0");
    const auto where = "127.0.0.1:" + std::to_string(discovery::bound_port(plaintext));
    const auto refused = peers(other_key() + "@" + where, box / "client-home");
    EXPECT_TRUE(failed_saying(refused, {"tracker " + where, "plaintext tracker"}));
    EXPECT_TRUE(single_error_line(refused));
}

}  // namespace
}  // namespace xfer::test
