#include "tools/xfer/fetch_discovery.hpp"

#include <thread>

#include "receiver/source_trust.hpp"
#include "shared/trust/known_peers_file.hpp"
#include "tools/xfer/failure.hpp"
#include "tools/xfer/home_option.hpp"

namespace xfer::cli {
namespace {

using namespace std::chrono_literals;

std::string seconds_text(std::chrono::milliseconds limit) {
    const auto tenths = std::max<long>(limit.count() / 100, 1);
    return std::to_string(tenths / 10) + (tenths % 10 ? "." + std::to_string(tenths % 10) : "") +
           " s";
}

std::string trust_command(const po::variables_map& values) {
    if (!values.count("home")) return "xfer trust";
    return "xfer trust --home " + values["home"].as<std::string>();
}

// Asked once up front, so "nobody has it" is a clear error rather than a wait. A holder that
// just started registers its contents within a heartbeat or two, so an empty answer is asked
// again for a few seconds after the tracker's first one. A tracker that has not answered at all
// (a loaded one: 63 fetches starting at once make as many CURVE handshakes) is waited for as
// long as a silent source is (--stall-timeout), and then named as silent, not as empty. A
// tracker that fails to prove its key ends the wait at once.
enum class holder_search { found, nobody, tracker_silent };

constexpr auto tracker_patience = 5000ms;

holder_search find_holders(discovery::peer_finder& finder, bool tracker, bool lan_only,
                           std::chrono::milliseconds silent_limit, const volatile int* stop) {
    const auto patience = lan_only ? 2500ms : tracker_patience;
    const auto started = std::chrono::steady_clock::now();
    auto deadline = started + patience;
    bool answered = false;
    auto holders = finder.current_holders(500ms);
    while (holders.empty() && finder.tracker_failure().empty() && !*stop) {
        const auto now = std::chrono::steady_clock::now();
        if (tracker && !answered && finder.tracker_answered()) {
            answered = true;
            deadline = std::max(deadline, now + patience);
        }
        if (tracker && !answered && now - started < silent_limit) {
            deadline = now + 250ms;  // not answered yet: keep asking
        }
        if (now >= deadline) break;
        std::this_thread::sleep_for(250ms);
        holders = finder.current_holders(500ms);
    }
    if (!holders.empty()) return holder_search::found;
    if (tracker && !finder.tracker_answered()) return holder_search::tracker_silent;
    return holder_search::nobody;
}

// The line for "no holder": which peers were asked, and whether untrusted ones had it.
std::string no_holder_line(discovery::peer_finder& finder, const receiver::fetch_request& request,
                           const std::optional<discovery::tracker_link>& tracker) {
    const std::string asked =
        tracker ? "the tracker at " + tracker->to_string() : std::string("the LAN");
    const auto untrusted = finder.untrusted_holders();
    if (untrusted == 0) return "no peer has " + request.remote_path + " (asked " + asked + ")";
    return "no trusted peer has " + request.remote_path + " (asked " + asked + "; " +
           std::to_string(untrusted) +
           (untrusted == 1 ? " peer that is not paired or allowed announces it"
                           : " peers that are not paired or allowed announce it") +
           ": a fetch by path takes content only from trusted peers; pair with one, or fetch by "
           "content id with --id)";
}

}  // namespace

std::expected<std::unique_ptr<discovery::peer_finder>, int> start_discovery(
    zmq::context_t& context, const po::variables_map& values,
    const std::optional<discovery::tracker_link>& tracker, receiver::fetch_request& request,
    const volatile int* stop) {
    const bool lan = values.count("lan") > 0;
    const bool json = json_requested(values);
    if (!tracker && !lan) return nullptr;
    discovery::peer_finder::options options{tracker,         lan,        request.remote_path,
                                            request.content, request.id, {}};
    receiver::trusted_peer_test trusted;
    if (!request.content) {
        // By path: only peers we trust may serve it (by content id, the id is the check).
        auto known = trust::load_known_peers(home_from(values).config);
        if (!known)
            return std::unexpected(
                report_failure("fetch", failure_class::local_io, known.error(), json));
        trusted = receiver::trusted_peers(known->table, request.tls->our_id());
        options.trusted_signer = trusted;
    }
    auto finder = std::make_unique<discovery::peer_finder>(context, std::move(options));
    if (trusted) {
        auto* found = finder.get();  // outlives the fetcher that calls the check
        request.check_sender = receiver::trusted_sources_only(
            std::move(request.check_sender),
            [found](const net::endpoint& address) { return found->signers_at(address); }, trusted,
            trust_command(values), request.sources);
    }
    request.wait_for_peers = true;
    if (!request.sources.empty()) return finder;
    const auto silent_limit =
        std::max<std::chrono::milliseconds>(request.stall_timeout, tracker_patience);
    const auto search =
        find_holders(*finder, tracker.has_value(), lan && !tracker, silent_limit, stop);
    if (search == holder_search::found) return finder;
    if (*stop)
        return std::unexpected(
            report_failure("fetch", failure_class::interrupted, "interrupted", json));
    if (const auto failure = finder->tracker_failure(); !failure.empty())
        return std::unexpected(report_failure("fetch", failure_class::refused, failure, json));
    if (search == holder_search::tracker_silent && !lan)
        return std::unexpected(report_failure("fetch", failure_class::network,
                                              "no answer from tracker " + tracker->to_string() +
                                                  " within " + seconds_text(silent_limit),
                                              json));
    return std::unexpected(report_failure("fetch", failure_class::not_found,
                                          no_holder_line(*finder, request, tracker), json));
}

}  // namespace xfer::cli
