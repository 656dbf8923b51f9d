#include "tools/xfer/fetch_discovery.hpp"

#include <thread>

#include "receiver/source_trust.hpp"
#include "shared/trust/known_peers_file.hpp"
#include "tools/xfer/failure.hpp"
#include "tools/xfer/home_option.hpp"
#include "tools/xfer/tracker_patience.hpp"

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
// again for a few seconds after the tracker's first one. Until the tracker's first peer list,
// tracker_patience judges the wait (a loaded tracker answers late; a silent or unlisting one is
// named as such, not as empty). A tracker that fails to prove its key ends the wait at once.
enum class holder_search { found, nobody, tracker_silent, tracker_unlisted };

constexpr auto holder_patience = 5000ms;
// A tracker that keeps answering but sends no list is given this many silence limits.
constexpr int listing_limits = 4;

holder_search find_holders(discovery::peer_finder& finder, bool tracker, bool lan_only,
                           const tracker_patience& patience, const volatile int* stop) {
    const auto empty_patience = lan_only ? 2500ms : holder_patience;
    const auto started = std::chrono::steady_clock::now();
    auto deadline = started + empty_patience;
    auto verdict = tracker_verdict::waiting;
    auto holders = finder.current_holders(500ms);
    while (holders.empty() && finder.tracker_failure().empty() && !*stop) {
        const auto now = std::chrono::steady_clock::now();
        if (tracker && verdict == tracker_verdict::waiting) {
            verdict = patience.judge(started, finder.tracker_last_heard(),
                                     finder.tracker_answered(), now);
            if (verdict == tracker_verdict::listed)
                deadline = std::max(deadline, now + empty_patience);
            if (verdict == tracker_verdict::waiting) deadline = now + 250ms;  // keep asking
        }
        if (now >= deadline) break;
        std::this_thread::sleep_for(250ms);
        holders = finder.current_holders(500ms);
    }
    if (!holders.empty()) return holder_search::found;
    if (verdict == tracker_verdict::silent) return holder_search::tracker_silent;
    if (verdict == tracker_verdict::unlisted) return holder_search::tracker_unlisted;
    return holder_search::nobody;
}

std::string tracker_wait_failure(holder_search search, const discovery::tracker_link& tracker,
                                 const tracker_patience& patience) {
    if (search == holder_search::tracker_silent)
        return "no answer from tracker " + tracker.to_string() + " within " +
               seconds_text(patience.silence_limit);
    return "tracker " + tracker.to_string() + " answers but sent no peer list within " +
           seconds_text(patience.listing_limit) + " (is its push port blocked?)";
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
    const auto silence_limit =
        std::max<std::chrono::milliseconds>(request.stall_timeout, holder_patience);
    const tracker_patience patience{silence_limit, listing_limits * silence_limit};
    const auto search = find_holders(*finder, tracker.has_value(), lan && !tracker, patience, stop);
    if (search == holder_search::found) return finder;
    if (*stop)
        return std::unexpected(
            report_failure("fetch", failure_class::interrupted, "interrupted", json));
    if (const auto failure = finder->tracker_failure(); !failure.empty())
        return std::unexpected(report_failure("fetch", failure_class::refused, failure, json));
    if ((search == holder_search::tracker_silent || search == holder_search::tracker_unlisted) &&
        !lan)
        return std::unexpected(report_failure("fetch", failure_class::network,
                                              tracker_wait_failure(search, *tracker, patience),
                                              json));
    return std::unexpected(report_failure("fetch", failure_class::not_found,
                                          no_holder_line(*finder, request, tracker), json));
}

}  // namespace xfer::cli
