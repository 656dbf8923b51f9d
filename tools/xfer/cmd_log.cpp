// xfer log [--since T] [--peer P] [--path P] [--json] [--follow]: the transfer log, what this
// installation served and fetched, oldest first (shared/transfer_log/). --follow then prints
// records as serve and fetch processes append them, until Ctrl-C.
#include <cstdio>
#include <ctime>
#include <iostream>

#include "shared/core/safe_text.hpp"
#include "shared/transfer_log/record_filter.hpp"
#include "shared/transfer_log/transfer_log_file.hpp"
#include "shared/transfer_log/transfer_log_follow.hpp"
#include "tools/xfer/command.hpp"
#include "tools/xfer/failure.hpp"
#include "tools/xfer/format.hpp"
#include "tools/xfer/home_option.hpp"
#include "tools/xfer/json_writer.hpp"

namespace xfer::cli {
namespace {

using transfer_log::transfer_record;

void log_options(po::options_description& options) {
    options.add_options()("since", po::value<std::string>()->value_name("TIME"),
                          "only transfers that ended after TIME: an age (30m, 2h, 7d) or a UTC "
                          "date or time (2026-12-01, 2026-12-01T10:30:00Z)")(
        "peer", po::value<std::string>()->value_name("PEER"),
        "only transfers with this peer: its name or the start of its peer ID")(
        "path", po::value<std::string>()->value_name("PATH"),
        "only transfers of PATH or of paths under it")(
        "follow,f", "after the records so far, print each new one as it is written (Ctrl-C ends)");
    add_json_option(options);
}

std::string local_time(transfer_log::wall_clock::time_point when) {
    const std::time_t seconds = transfer_log::wall_clock::to_time_t(when);
    std::tm local{};
    ::localtime_r(&seconds, &local);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
    return text;
}

std::string peer_text(const transfer_record& record) {
    const auto id = record.peer_id.empty() ? std::string("-") : record.peer_id.substr(0, 7);
    if (record.peer_name.empty()) return safe_text(id);
    return safe_text(record.peer_name) + " (" + safe_text(id) + ")";
}

// One line a record; every field from a peer through safe_text.
void print_line(const transfer_record& record) {
    const double seconds = static_cast<double>(record.duration.count()) / 1000.0;
    std::string line =
        local_time(record.ended_at) + "  " +
        pad_right(transfer_log::direction_name(record.way), 8) + "  " + safe_text(record.path) +
        "  " + format_bytes(record.bytes) + " in " + format_seconds(seconds) + "  " +
        (record.way == transfer_log::direction::sent ? "to " : "from ") + peer_text(record) + " " +
        safe_text(record.address) + "  " + std::string(transfer_log::outcome_name(record.result));
    if (!record.detail.empty()) line += ": " + safe_text(record.detail);
    std::cout << line << "\n";
}

void print_json(const transfer_record& record) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(record.ended_at.time_since_epoch());
    emit(json_object("transfer")
             .signed_number("ended_at_ms", ms.count())
             .text("direction", transfer_log::direction_name(record.way))
             .text("peer_id", record.peer_id)
             .text("peer_name", record.peer_name)
             .text("address", record.address)
             .text("path", record.path)
             .text("content_id", record.content)
             .number("bytes", record.bytes)
             .number("duration_ms", static_cast<uint64_t>(record.duration.count()))
             .text("outcome", transfer_log::outcome_name(record.result))
             .text("detail", record.detail));
}

std::expected<transfer_log::record_filter, std::string> filter_from(const po::variables_map& v) {
    transfer_log::record_filter filter;
    if (v.count("since")) {
        auto since = transfer_log::parse_since(v["since"].as<std::string>(),
                                               transfer_log::wall_clock::now());
        if (!since) return std::unexpected(since.error());
        filter.since = *since;
    }
    if (v.count("peer")) filter.peer = v["peer"].as<std::string>();
    if (v.count("path")) filter.path = v["path"].as<std::string>();
    return filter;
}

}  // namespace

command_spec log_spec() {
    return {.name = "log",
            .summary = "show what this machine served and fetched (the transfer log)",
            .positionals = {},
            .usage_tail = "[--since TIME] [--peer PEER] [--path PATH] [--follow] [--json]",
            .more_usage = {},
            .notes =
                "Every `xfer serve` and `xfer fetch` appends one record per finished or "
                "abandoned transfer to transfers.log in xfer's state directory "
                "(~/.local/state/xfer, or DIR/state with --home DIR), rotated at 8 MiB.",
            .examples =
                "  xfer log                       # everything, oldest first\n"
                "  xfer log --since 2h --peer alice\n"
                "  xfer log --path isos --json    # transfers of isos/..., as JSON lines\n"
                "  xfer log -f                    # and then each new one, live\n",
            .add_options = log_options};
}

int run_log(int argc, char** argv) {
    const auto spec = log_spec();
    auto parsed = parse_command_line(argc, argv, spec);
    if (parsed.exit_now) return *parsed.exit_now;
    const auto filter = filter_from(parsed.values);
    if (!filter) {
        std::fprintf(stderr, "xfer log: %s\n", filter.error().c_str());
        return exit_usage;
    }
    const bool json = json_requested(parsed.values);
    const auto show = [&](const transfer_record& record) {
        if (!filter->matches(record)) return;
        json ? print_json(record) : print_line(record);
    };
    const auto state = home_from(parsed.values).state;
    // Watching starts before the old records are read, so none written meanwhile is missed.
    std::optional<transfer_log::transfer_log_follower> follower;
    if (parsed.values.count("follow")) {
        auto started = transfer_log::transfer_log_follower::start(state);
        if (!started)
            return report_failure("log", failure_class::local_io,
                                  state.string() + ": " + started.error().message(), json);
        follower.emplace(std::move(*started));
    }
    transfer_log::read_transfer_log(state, show);
    std::cout.flush();
    if (!follower) return exit_ok;
    const auto* stop = install_stop_signal_handlers();
    while (!*stop) {
        for (const auto& record : follower->wait(std::chrono::milliseconds(250))) show(record);
        std::cout.flush();
    }
    return exit_ok;
}

}  // namespace xfer::cli
