// xfer peers: who is online and what they share, from a tracker or (without one) from the LAN
// announcements heard for a couple of seconds, each with its peer ID and how far this
// installation trusts it. --watch keeps printing joins and leaves.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "shared/core/ids.hpp"
#include "shared/core/safe_text.hpp"
#include "shared/discovery/lan_socket.hpp"
#include "shared/discovery/tracker_mirror.hpp"
#include "shared/discovery/zmq_frames.hpp"
#include "shared/identity/identity_store.hpp"
#include "shared/identity/peer_id.hpp"
#include "shared/trust/known_peers_file.hpp"
#include "tools/xfer/cli_options.hpp"
#include "tools/xfer/command.hpp"
#include "tools/xfer/failure.hpp"
#include "tools/xfer/home_option.hpp"
#include "tools/xfer/json_writer.hpp"
#include "tools/xfer/visibility.hpp"

namespace xfer::cli {
namespace {

using namespace std::chrono_literals;
using discovery::membership_change;
using discovery::peer_record;

// The peer ID proven by the signature of a LAN announcement or tracker registration (the
// tracker checked it); a record without one shows the first digits of its per-run id.
std::string shown_id(const peer_record& record) {
    if (record.identity != identity::peer_id{}) return identity::format_peer_id(record.identity);
    return discovery::short_id(record.id);
}

// How far this installation trusts each signer: "own" (this installation's ID), "paired",
// "allowed", "seen" (a sender fetched from before), else "unknown"; "unsigned" for a record that
// carried no signer. Read once per run.
class trust_labels {
  public:
    trust_labels(identity::peer_id own, trust::known_peers known)
        : own_(own), known_(std::move(known)) {}

    std::string_view of(const peer_record& record) const {
        if (record.identity == identity::peer_id{}) return "unsigned";
        if (record.identity == own_) return "own";
        if (const auto* peer = known_.find(record.identity))
            return trust::trust_level_name(peer->trust);
        return "unknown";
    }

  private:
    identity::peer_id own_;
    trust::known_peers known_;
};

// --json: {"event":EVENT,"name":...,"id":...,"identity":...,"trust":...,"address":...,"contents":
// [{"path":...,"content_id":...,"size":...,"pieces_had":...,"piece_count":...}, ...]}
void emit_peer(std::string_view event, const peer_record& record, const trust_labels& trust) {
    json_array contents;
    for (const auto& content : record.contents) {
        contents.object(json_object()
                            .text("path", content.path)
                            .text("content_id", to_hex(content.id))
                            .number("size", content.size)
                            .number("pieces_had", content.pieces_had)
                            .number("piece_count", content.piece_count));
    }
    json_object line(event);
    line.text("name", record.name).text("id", to_hex(record.id));
    if (record.identity != identity::peer_id{})
        line.text("identity", identity::format_peer_id(record.identity));
    else
        line.null("identity");
    line.text("trust", trust.of(record));
    emit(line.text("address", record.sender.to_string()).array("contents", contents));
}

// One line per peer: NAME  ID  TRUST  HOST:PORT  PATH (SIZE bytes, PCT), PATH (...); LAN peers
// show `content HEX8` per content instead.
void print_peer(const peer_record& record, bool json, const trust_labels& trust) {
    if (json) return emit_peer("peer", record, trust);
    std::string line = safe_text(record.name) + "  " + shown_id(record) + "  " +
                       std::string(trust.of(record)) + "  " + record.sender.to_string() + "  ";
    if (record.contents.empty()) line += "(nothing shared)";
    for (size_t i = 0; i < record.contents.size(); ++i) {
        const auto& content = record.contents[i];
        if (i > 0) line += ", ";
        if (content.path.empty()) {
            // From the LAN, which says what is held by content id only (docs/DISCOVERY.md).
            line += "content " + to_hex(content.id).substr(0, 8);
            continue;
        }
        line += safe_text(content.path) + " (" + std::to_string(content.size) + " bytes, " +
                discovery::percent_complete(content) + ")";
    }
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
}

void print_change(const membership_change& change, bool json, const trust_labels& trust) {
    const char* verb = change.what == membership_change::kind::joined ? "join"
                       : change.what == membership_change::kind::left ? "leave"
                                                                      : nullptr;
    if (verb == nullptr) return;  // updates (progress, new files) are not joins or leaves
    if (json) return emit_peer(verb, change.record, trust);
    std::printf("%s %s %s\n", verb, safe_text(change.record.name).c_str(),
                change.record.sender.to_string().c_str());
    std::fflush(stdout);
}

std::expected<trust_labels, std::string> load_trust_labels(const po::variables_map& values) {
    const auto config = home_from(values).config;
    auto own = identity::load_or_create_identity(config);
    if (!own) return std::unexpected(own.error());
    auto known = trust::load_known_peers(config);
    if (!known) return std::unexpected(known.error());
    return trust_labels(own->id, std::move(known->table));
}

std::chrono::milliseconds seconds_to_ms(double seconds) {
    return std::chrono::milliseconds{static_cast<long>(seconds * 1000)};
}

// Watches a tracker: the list once it has answered, then (with watch) every join and leave.
int peers_from_tracker(const discovery::tracker_link& tracker, bool watch, bool json,
                       std::chrono::milliseconds wait, const trust_labels& trust,
                       const volatile int* stop) {
    zmq::context_t context;
    discovery::tracker_mirror mirror(context, tracker);
    const auto deadline = std::chrono::steady_clock::now() + wait;
    bool listed = false;
    while (*stop == 0) {
        auto now = std::chrono::steady_clock::now();
        if (!mirror.link_failure().empty())
            return report_failure("peers", failure_class::refused, mirror.link_failure(), json);
        if (!listed && now >= deadline) {
            char seconds[32];
            std::snprintf(seconds, sizeof seconds, "%.1f", wait.count() / 1000.0);
            return report_failure(
                "peers", failure_class::network,
                "no answer from tracker " + tracker.to_string() + " within " + seconds + " s",
                json);
        }
        std::vector<zmq::pollitem_t> items;
        mirror.add_poll_items(items);
        auto timeout = mirror.next_timeout(now);
        if (!listed) timeout = std::min(timeout, discovery::until(deadline, timeout));
        discovery::poll_for(items, std::min<std::chrono::milliseconds>(timeout, 200ms));
        const auto changes = mirror.process(std::chrono::steady_clock::now());
        if (listed) {
            for (const auto& change : changes) print_change(change, json, trust);
        } else if (mirror.synced()) {
            for (const auto& record : mirror.list()) print_peer(record, json, trust);
            if (!watch) return exit_ok;
            listed = true;
        }
    }
    return exit_ok;
}

// Listens to LAN announcements for `wait`, lists what it heard, then (with watch) follows.
int peers_from_lan(bool watch, bool json, std::chrono::milliseconds wait, const trust_labels& trust,
                   const volatile int* stop) {
    const auto config = discovery::lan::lan_config::from_environment();
    if (!config.enabled) {
        return report_failure("peers", failure_class::other,
                              "LAN discovery is off (XFER_LAN=off); use --tracker HOST:PORT", json);
    }
    discovery::lan::lan_listener listener(config);
    if (!listener.ok()) {
        return report_failure("peers", failure_class::network,
                              "cannot listen for LAN announcements (see the warning above)", json);
    }
    const auto deadline = std::chrono::steady_clock::now() + wait;
    bool listed = false;
    while (*stop == 0) {
        auto now = std::chrono::steady_clock::now();
        if (!listed && now >= deadline) {
            for (const auto& record : listener.directory().peers().list())
                print_peer(record, json, trust);
            if (!watch) return exit_ok;
            listed = true;
        }
        auto timeout = discovery::until(listener.next_deadline(), 200ms);
        if (!listed) timeout = std::min(timeout, discovery::until(deadline, timeout));
        std::vector<zmq::pollitem_t> items{{nullptr, listener.fd(), ZMQ_POLLIN, 0}};
        discovery::poll_for(items, timeout);
        now = std::chrono::steady_clock::now();
        auto changes = listener.receive(now);
        for (auto& change : listener.expire(now)) changes.push_back(std::move(change));
        if (listed) {
            for (const auto& change : changes) print_change(change, json, trust);
        }
    }
    return exit_ok;
}

}  // namespace

namespace {

void peers_options(po::options_description& options) {
    // clang-format off
    options.add_options()
        ("tracker", po::value<std::string>()->value_name("[KEY@]HOST[:PORT]"), "ask this tracker (default: listen on the LAN)")
        ("watch", "keep running and print 'join NAME ADDR' / 'leave NAME ADDR' as peers come and go")
        ("wait", po::value<double>()->value_name("SECONDS"),
         "how long to listen on the LAN (default 2), or to wait for the tracker's answer (default 5)");
    // clang-format on
    add_tracker_key_option(options);
    add_json_option(options);
}

}  // namespace

command_spec peers_spec() {
    return {
        .name = "peers",
        .summary = "list peers online (from a tracker or the LAN)",
        .positionals = {},
        .usage_tail = "[--tracker [KEY@]HOST[:PORT]] [--watch] [--wait SECONDS] [--json]",
        .more_usage = {},
        .notes = {},
        .examples =
            "  xfer peers                            # peers announcing on the LAN\n"
            "  xfer peers --tracker 10.0.0.2 --watch # the tracker's list, then joins and leaves\n"
            "  xfer peers --json                     # one JSON object per peer (docs/JSON.md)\n",
        .add_options = peers_options};
}

int run_peers(int argc, char** argv) {
    const auto spec = peers_spec();
    const auto parsed = parse_command_line(argc, argv, spec);
    if (parsed.exit_now) return *parsed.exit_now;
    const auto& values = parsed.values;
    const bool watch = values.count("watch") > 0;
    const bool json = json_requested(values);
    const bool use_tracker = values.count("tracker") > 0;
    const double wait =
        values.count("wait") ? values["wait"].as<double>() : (use_tracker ? 5.0 : 2.0);
    if (!(wait >= 0 && wait <= 3600)) {
        std::fprintf(stderr, "xfer peers: --wait must be between 0 and 3600 seconds\n");
        return exit_usage;
    }
    const auto tracker = tracker_option(values);
    if (!tracker) return report_tracker_option_error("peers", tracker.error(), json);
    auto trust = load_trust_labels(values);
    if (!trust) return report_failure("peers", failure_class::local_io, trust.error(), json);
    const volatile int* stop = install_stop_signal_handlers();
    if (!*tracker) return peers_from_lan(watch, json, seconds_to_ms(wait), *trust, stop);
    return peers_from_tracker(**tracker, watch, json, seconds_to_ms(wait), *trust, stop);
}

}  // namespace xfer::cli
