#include "tools/xfer/stats_report.hpp"

#include <algorithm>
#include <cstdio>

#include "shared/core/safe_text.hpp"
#include "tools/xfer/format.hpp"

namespace xfer::cli {
namespace {

// Below this share of the wall time no step is called the bound: the time went to several
// (or to setup: connecting, the manifest).
constexpr double bound_threshold = 0.5;
constexpr size_t label_columns = 10;
constexpr size_t max_source_lines = 8;

std::string percent(double share) {
    char text[16];
    std::snprintf(text, sizeof text, "%.0f %%", std::max(0.0, share) * 100);
    return text;
}

std::string two_decimals(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", value);
    return text;
}

double share_of(double busy, double wall, unsigned threads = 1) {
    return wall > 0 ? busy / (wall * std::max(1u, threads)) : 0;
}

std::string cores(unsigned threads) {
    const unsigned count = std::max(1u, threads);
    return std::to_string(count) + (count == 1 ? " core" : " cores");
}

double loop_busy_seconds(const receiver::fetch_stats& stats) {
    return std::max(0.0, stats.seconds - stats.loop_idle_seconds - stats.sync_seconds);
}

std::string waiting_text(const receiver::fetch_stats& stats, double share) {
    if (stats.limit_down > 0) {
        return "--limit-down " + format_rate(static_cast<double>(stats.limit_down)) +
               ", waited for data " + percent(share) + " of the time";
    }
    const std::string who = stats.sources.size() == 1
                                ? safe_text(stats.sources.front().address) + " (network or sender)"
                                : "the sources (network or senders)";
    return who + ", waited for " + percent(share) + " of the time";
}

}  // namespace

bottleneck bound_by(const receiver::fetch_stats& stats) {
    if (stats.seconds <= 0 || (stats.hashed_bytes == 0 && stats.written_bytes == 0))
        return {"nothing", 0, "nothing was fetched"};
    const double wall = stats.seconds;
    const double disk_busy =
        stats.write_busy_seconds / std::max(1u, stats.writer_threads) + stats.sync_seconds;
    std::vector<bottleneck> steps{
        {"hash", share_of(stats.hash_busy_seconds, wall, stats.hash_threads), ""},
        {"disk", share_of(disk_busy, wall), ""},
        {"receive", share_of(loop_busy_seconds(stats), wall), ""},
        {stats.limit_down > 0 ? "limit" : "network", share_of(stats.network_wait_seconds, wall),
         ""}};
    auto busiest = *std::max_element(steps.begin(), steps.end(),
                                     [](const auto& a, const auto& b) { return a.busy < b.busy; });
    busiest.busy = std::min(1.0, busiest.busy);
    const auto busy = percent(busiest.busy) + " busy";
    if (busiest.what == "hash")
        busiest.text = "SHA-256 on " + cores(stats.hash_threads) + ", " + busy;
    else if (busiest.what == "disk")
        busiest.text = "disk writes and final fsync, " + busy;
    else if (busiest.what == "receive")
        busiest.text = "receiving (recv, TLS, fetch loop) on 1 core, " + busy;
    else
        busiest.text = waiting_text(stats, busiest.busy);
    if (busiest.busy < bound_threshold) {
        busiest.text = "no single step (the busiest: " + busiest.text + ")";
        busiest.what = "none";
    }
    return busiest;
}

namespace {

std::string row(std::string_view label, const std::string& text, size_t width) {
    return fit_columns(pad_right(label, label_columns) + text, width);
}

// "tls/recv 0.40+0.30 s, hash 1 0.54+0.01 s, ...", wrapped under its label.
void add_cpu_lines(const receiver::fetch_stats& stats, size_t width,
                   std::vector<std::string>& lines) {
    std::string line = pad_right("cpu", label_columns);
    bool first_on_line = true;
    for (size_t i = 0; i < stats.threads.size(); ++i) {
        const auto& thread = stats.threads[i];
        auto item = thread.role + " " + two_decimals(thread.user_seconds) + "+" +
                    two_decimals(thread.system_seconds) + " s";
        if (i + 1 < stats.threads.size()) item += ",";
        if (!first_on_line && display_columns(line) + 1 + item.size() > width) {
            lines.push_back(line);
            line = std::string(label_columns, ' ');
            first_on_line = true;
        }
        line += (first_on_line ? "" : " ") + item;
        first_on_line = false;
    }
    if (!stats.threads.empty()) lines.push_back(fit_columns(line, width));
}

}  // namespace

std::vector<std::string> stats_lines(const receiver::fetch_stats& stats, size_t width) {
    const double wall = stats.seconds;
    std::vector<std::string> lines;
    lines.push_back(row("stats",
                        format_seconds(wall) + " in all; the fetch loop busy " +
                            format_seconds(loop_busy_seconds(stats)) + " (" +
                            percent(share_of(loop_busy_seconds(stats), wall)) + ")",
                        width));
    lines.push_back(row("network",
                        "waited for data " + format_seconds(stats.network_wait_seconds) + " (" +
                            percent(share_of(stats.network_wait_seconds, wall)) + ")",
                        width));
    for (size_t i = 0; i < stats.sources.size() && i < max_source_lines; ++i) {
        const auto& source = stats.sources[i];
        const auto figures = "  " + format_seconds(source.wait_seconds) + " (" +
                             percent(share_of(source.wait_seconds, wall)) + "), " +
                             format_bytes(static_cast<double>(source.bytes));
        const size_t room =
            width > label_columns + figures.size() + 4 ? width - label_columns - figures.size() : 4;
        lines.push_back(
            row("  from", fit_columns(safe_text(source.address), room) + figures, width));
    }
    if (stats.sources.size() > max_source_lines) {
        lines.push_back(row(
            "", "and " + std::to_string(stats.sources.size() - max_source_lines) + " more sources",
            width));
    }
    lines.push_back(row("hashing",
                        format_seconds(stats.hash_busy_seconds) + " busy (" +
                            percent(share_of(stats.hash_busy_seconds, wall, stats.hash_threads)) +
                            " of " + cores(stats.hash_threads) + "), " +
                            format_bytes(static_cast<double>(stats.hashed_bytes)),
                        width));
    lines.push_back(
        row("disk",
            "writes " + format_seconds(stats.write_busy_seconds) + " busy (" +
                percent(share_of(stats.write_busy_seconds, wall, stats.writer_threads)) + "), " +
                format_bytes(static_cast<double>(stats.written_bytes)) + "; fsync " +
                format_seconds(stats.sync_seconds),
            width));
    add_cpu_lines(stats, width, lines);
    lines.push_back(fit_columns("bound by: " + bound_by(stats).text, width));
    return lines;
}

json_object stats_json(const receiver::fetch_stats& stats) {
    json_array sources;
    for (const auto& source : stats.sources) {
        sources.object(json_object()
                           .text("address", source.address)
                           .real("wait_seconds", source.wait_seconds)
                           .number("bytes_received", source.bytes));
    }
    json_array threads;
    for (const auto& thread : stats.threads) {
        threads.object(json_object()
                           .text("role", thread.role)
                           .real("user_seconds", thread.user_seconds)
                           .real("system_seconds", thread.system_seconds));
    }
    const auto bound = bound_by(stats);
    return json_object()
        .real("seconds", stats.seconds)
        .real("loop_busy_seconds", loop_busy_seconds(stats))
        .real("network_wait_seconds", stats.network_wait_seconds)
        .array("sources", sources)
        .object("hash", json_object()
                            .number("threads", stats.hash_threads)
                            .real("busy_seconds", stats.hash_busy_seconds)
                            .number("bytes", stats.hashed_bytes))
        .object("write", json_object()
                             .number("threads", stats.writer_threads)
                             .real("busy_seconds", stats.write_busy_seconds)
                             .number("bytes", stats.written_bytes)
                             .real("sync_seconds", stats.sync_seconds))
        .array("threads", threads)
        .object("bound_by", json_object()
                                .text("what", bound.what)
                                .real("busy", bound.busy)
                                .text("text", bound.text));
}

}  // namespace xfer::cli
