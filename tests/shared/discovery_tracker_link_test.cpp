// The authenticated tracker link: the tracker's CURVE key on disk and on screen, the keys a
// client pins, and a mirror that talks only to the tracker holding the key it names (a wrong
// key and a plaintext tracker are refused with a sentence, never listened to).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "shared/discovery/known_trackers.hpp"
#include "shared/discovery/tracker_mirror.hpp"
#include "shared/discovery/tracker_server.hpp"
#include "shared/discovery/zmq_frames.hpp"
#include "tests/support/discovery_fixtures.hpp"

namespace xfer::discovery {
namespace {

using namespace std::chrono_literals;
using test::discovery_deadline;

class keyed_tracker {
  public:
    keyed_tracker(zmq::context_t& context, std::shared_ptr<const tracker_keypair> key)
        : server_(context, {{"127.0.0.1", 0}, std::nullopt, 5s, std::move(key)}),
          thread_([this] { server_.run([this] { return stop_.load(); }); }) {}
    ~keyed_tracker() {
        stop_ = true;
        thread_.join();
    }
    net::endpoint endpoint() const { return server_.endpoint(); }

  private:
    std::atomic<bool> stop_{false};
    tracker_server server_;
    std::thread thread_;
};

// Pumps the mirror until it synced or its link failed; true if it synced.
bool pump(tracker_mirror& mirror) {
    const auto deadline = std::chrono::steady_clock::now() + discovery_deadline;
    while (std::chrono::steady_clock::now() < deadline) {
        std::vector<zmq::pollitem_t> items;
        mirror.add_poll_items(items);
        poll_for(items, 50ms);
        mirror.process(std::chrono::steady_clock::now());
        if (mirror.synced()) return true;
        if (!mirror.link_failure().empty()) return false;
    }
    return false;
}

std::shared_ptr<const tracker_keypair> fresh_key() {
    return std::make_shared<const tracker_keypair>(tracker_keypair::generate());
}

TEST(DiscoveryTrackerLink, KeysRoundTripAndMistypesAreCaught) {
    const auto key = tracker_keypair::generate().public_key();
    const auto text = format_tracker_key(key);
    EXPECT_EQ(parse_tracker_key(text).value(), key);
    auto typo = text;
    typo[3] = typo[3] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(parse_tracker_key(typo));

    const auto locator = parse_tracker_locator(text + "@127.0.0.1:7000", 7421).value();
    EXPECT_EQ(locator.key.value(), key);
    EXPECT_EQ(locator.endpoint.to_string(), "127.0.0.1:7000");
    const auto plain = parse_tracker_locator("10.0.0.1", 7421).value();
    EXPECT_FALSE(plain.key);
    EXPECT_EQ(plain.endpoint.port, 7421);
    EXPECT_FALSE(parse_tracker_locator("nokey@10.0.0.1", 7421));
}

TEST(DiscoveryTrackerLink, TheTrackerKeepsItsKeyPrivateAndStable) {
    test::scratch_directory home;
    const auto first = tracker_keypair::load_or_create(home.path()).value().public_key();
    const auto again = tracker_keypair::load_or_create(home.path()).value().public_key();
    EXPECT_EQ(first, again) << "a restarted tracker keeps its key";
    struct stat info {};
    ASSERT_EQ(::stat(tracker_key_path(home.path()).c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);

    ::chmod(tracker_key_path(home.path()).c_str(), 0644);
    const auto exposed = tracker_keypair::load_or_create(home.path());
    ASSERT_FALSE(exposed);
    EXPECT_NE(exposed.error().find("readable by others"), std::string::npos) << exposed.error();

    std::ofstream(tracker_key_path(home.path()), std::ios::trunc) << "garbage\n";
    ::chmod(tracker_key_path(home.path()).c_str(), 0600);
    const auto corrupt = tracker_keypair::load_or_create(home.path());
    ASSERT_FALSE(corrupt);
    EXPECT_NE(corrupt.error().find("is not a tracker key"), std::string::npos) << corrupt.error();
}

TEST(DiscoveryTrackerLink, PinnedKeysAreKeptPerAddress) {
    test::scratch_directory home;
    const auto a = tracker_keypair::generate().public_key();
    const auto b = tracker_keypair::generate().public_key();
    EXPECT_TRUE(load_known_trackers(home.path()).value().keys.empty());
    ASSERT_TRUE(pin_tracker_key(home.path(), "10.0.0.1:7421", a));
    ASSERT_TRUE(pin_tracker_key(home.path(), "10.0.0.2:7421", b));
    const auto loaded = load_known_trackers(home.path()).value();
    EXPECT_EQ(loaded.keys.at("10.0.0.1:7421"), a);
    EXPECT_EQ(loaded.keys.at("10.0.0.2:7421"), b);
    struct stat info {};
    ASSERT_EQ(::stat(known_trackers_path(home.path()).c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);

    const auto parsed = parse_known_trackers("10.0.0.3:7421 NOT-A-KEY\nnonsense\n", "F");
    EXPECT_TRUE(parsed.keys.empty());
    ASSERT_EQ(parsed.warnings.size(), 2u);
    EXPECT_NE(parsed.warnings[0].find("F line 1"), std::string::npos) << parsed.warnings[0];
}

TEST(DiscoveryTrackerLink, AForgottenPinIsGoneAndTheOthersStay) {
    test::scratch_directory home;
    const auto a = tracker_keypair::generate().public_key();
    const auto b = tracker_keypair::generate().public_key();
    EXPECT_EQ(forget_tracker_key(home.path(), "10.0.0.1:7421").value(), std::nullopt)
        << "nothing pinned yet, no file";
    ASSERT_TRUE(pin_tracker_key(home.path(), "10.0.0.1:7421", a));
    ASSERT_TRUE(pin_tracker_key(home.path(), "10.0.0.2:7421", b));
    EXPECT_EQ(forget_tracker_key(home.path(), "10.0.0.1:7421").value(), a);
    const auto loaded = load_known_trackers(home.path()).value();
    EXPECT_FALSE(loaded.keys.contains("10.0.0.1:7421"));
    EXPECT_EQ(loaded.keys.at("10.0.0.2:7421"), b);
    EXPECT_EQ(forget_tracker_key(home.path(), "10.0.0.1:7421").value(), std::nullopt);
    struct stat info {};
    ASSERT_EQ(::stat(known_trackers_path(home.path()).c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(DiscoveryTrackerLink, AFailedPinnedKeySaysHowToForgetIt) {
    zmq::context_t context;
    keyed_tracker tracker(context, fresh_key());
    tracker_link link{tracker.endpoint(), tracker_keypair::generate().public_key(), {}};
    link.when_pinned_key_fails = "forget it with THIS";
    tracker_mirror mirror(context, link);
    EXPECT_FALSE(pump(mirror));
    EXPECT_TRUE(mirror.link_failure().ends_with("; forget it with THIS")) << mirror.link_failure();
}

TEST(DiscoveryTrackerLink, TheRightKeySyncs) {
    zmq::context_t context;
    const auto key = fresh_key();
    keyed_tracker tracker(context, key);
    bool proven = false;
    tracker_mirror mirror(context,
                          {tracker.endpoint(), key->public_key(), [&proven] { proven = true; }});
    EXPECT_TRUE(pump(mirror)) << mirror.link_failure();
    EXPECT_TRUE(proven) << "the link reports the proven key (the command line pins it then)";
}

TEST(DiscoveryTrackerLink, AWrongKeyIsRefusedWithASentence) {
    zmq::context_t context;
    keyed_tracker tracker(context, fresh_key());
    const auto named = tracker_keypair::generate().public_key();
    bool proven = false;
    tracker_mirror mirror(context, {tracker.endpoint(), named, [&proven] { proven = true; }});
    EXPECT_FALSE(pump(mirror)) << "nothing is believed from a tracker that cannot prove the key";
    EXPECT_FALSE(proven);
    EXPECT_NE(mirror.link_failure().find("did not prove the key " + format_tracker_key(named)),
              std::string::npos)
        << mirror.link_failure();
    EXPECT_TRUE(mirror.peers().empty());
}

TEST(DiscoveryTrackerLink, APlaintextTrackerIsRefused) {
    zmq::context_t context;
    // A tracker without CURVE: what an xfer before 0.2, or an impostor without the key, runs.
    zmq::socket_t plaintext(context, zmq::socket_type::router);
    plaintext.set(zmq::sockopt::linger, 0);
    plaintext.bind("tcp://127.0.0.1:0");
    const net::endpoint where{"127.0.0.1", bound_port(plaintext)};
    tracker_mirror mirror(context, {where, tracker_keypair::generate().public_key(), {}});
    EXPECT_FALSE(pump(mirror));
    EXPECT_NE(mirror.link_failure().find("plaintext tracker"), std::string::npos)
        << mirror.link_failure();
}

}  // namespace
}  // namespace xfer::discovery
