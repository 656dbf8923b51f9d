// Helper mode of every test binary: when XFER_TEST_PRESENCE_NAME is set, the binary does not
// run tests but keeps one discovery::presence alive until SIGTERM/SIGINT, standing in for
// `xfer serve` (see start_presence() in discovery_fixtures.hpp).
#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "shared/core/xfer_home.hpp"
#include "shared/discovery/presence.hpp"
#include "shared/identity/identity_store.hpp"
#include "tests/support/discovery_fixtures.hpp"

namespace {

using namespace xfer;

std::string env(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    while (!text.empty()) {
        const auto at = text.find(separator);
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos) break;
        text.remove_prefix(at + 1);
    }
    return parts;
}

uint64_t number(std::string_view text) {
    uint64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

std::vector<discovery::held_content> parse_contents(std::string_view text) {
    std::vector<discovery::held_content> out;
    for (const auto item : split(text, ';')) {
        const auto fields = split(item, '|');
        if (fields.size() != 5) continue;
        out.push_back(test::test_content(
            std::string(fields[0]), static_cast<uint8_t>(number(fields[1])), number(fields[2]),
            static_cast<uint32_t>(number(fields[3])), static_cast<uint32_t>(number(fields[4]))));
    }
    return out;
}

int run_presence_helper() {
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    // Blocked before any thread starts, so only sigwait below sees them.
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    discovery::presence::options options;
    options.name = env("XFER_TEST_PRESENCE_NAME");
    if (const auto tracker = env("XFER_TEST_PRESENCE_TRACKER"); !tracker.empty()) {
        // "KEY@HOST:PORT", as tracker_process::address() gives it.
        const auto locator =
            discovery::parse_tracker_locator(tracker, net::default_tracker_port).value();
        options.tracker = discovery::tracker_link{locator.endpoint, locator.key.value(), {}};
    }
    options.lan = env("XFER_TEST_PRESENCE_LAN") == "1";
    options.sender = net::parse_endpoint(env("XFER_TEST_PRESENCE_SENDER"), 7420).value();
    options.id = random_peer_id();
    options.signer = test::fresh_signer();
    if (env("XFER_TEST_PRESENCE_OWN_IDENTITY") == "1") {
        // Signed as this installation (the test home's identity): a peer every fetch trusts.
        const auto home = resolve_xfer_home(std::nullopt).value();
        const auto identity = identity::load_or_create_identity(home.config).value();
        options.signer =
            std::make_shared<const discovery::lan::datagram_signer>(identity.key.get());
    }
    const auto contents = parse_contents(env("XFER_TEST_PRESENCE_CONTENTS"));
    {
        zmq::context_t context;
        discovery::presence visible(context, options, [contents] { return contents; });
        std::printf("presence ready %s\n", to_hex(options.id).c_str());
        std::fflush(stdout);
        int received = 0;
        sigwait(&stop_signals, &received);
    }
    std::printf("presence stopped\n");
    std::fflush(stdout);
    return 0;
}

// Runs before gtest's main: a helper-mode process never reaches the tests.
const bool helper_mode_ran = [] {
    if (std::getenv("XFER_TEST_PRESENCE_NAME") == nullptr) return false;
    ::_exit(run_presence_helper());
}();

}  // namespace
