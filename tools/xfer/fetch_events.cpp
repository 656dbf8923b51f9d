#include "tools/xfer/fetch_events.hpp"

#include "tools/xfer/json_writer.hpp"
#include "tools/xfer/stats_report.hpp"

namespace xfer::cli {
namespace {

// Connection labels are "->HOST:PORT" (we download from it) and "<-HOST:PORT" (we upload to
// it); JSON gives the address alone and the direction as a word.
std::string address_of(const std::string& label) {
    return label.starts_with("->") || label.starts_with("<-") ? label.substr(2) : label;
}

void emit_peer_change(std::string_view event, const std::string& key) {
    const auto space = key.find(' ');
    emit(json_object(event)
             .text("direction", key.substr(0, space))
             .text("address", key.substr(space + 1)));
}

}  // namespace

fetch_events::fetch_events(std::string remote_path, std::string target, bool progress_events)
    : remote_path_(std::move(remote_path)),
      target_(std::move(target)),
      progress_events_(progress_events) {}

void fetch_events::track_peers(const std::set<std::string>& now_present) {
    for (const auto& key : now_present) {
        if (!peers_.contains(key)) emit_peer_change("peer_up", key);
    }
    for (const auto& key : peers_) {
        if (!now_present.contains(key)) emit_peer_change("peer_down", key);
    }
    peers_ = now_present;
}

void fetch_events::update(const receiver::fetch_progress& progress,
                          const std::vector<sender::upload_peer_stats>& uploads,
                          clock::time_point now) {
    if (progress.manifest_known && !started_) {
        started_ = true;
        emit(json_object("start")
                 .text("path", remote_path_)
                 .text("target", target_)
                 .number("wanted_bytes", progress.wanted_bytes)
                 .number("resumed_bytes", progress.resumed_bytes)
                 .boolean("resuming", progress.resumed_bytes > 0));
    }
    std::set<std::string> present;
    for (const auto& source : progress.sources) present.insert("from " + address_of(source.label));
    for (const auto& upload : uploads) present.insert("to " + address_of(upload.label));
    track_peers(present);
    if (!progress_events_ || !started_ || now - last_progress_ < progress_interval) return;
    last_progress_ = now;
    json_array sources;
    for (const auto& source : progress.sources) {
        sources.object(json_object()
                           .text("address", address_of(source.label))
                           .number("bytes_received", source.bytes_received)
                           .real("rate", source.rate));
    }
    json_array receivers;
    for (const auto& upload : uploads) {
        receivers.object(json_object()
                             .text("address", address_of(upload.label))
                             .number("bytes_sent", upload.bytes_sent));
    }
    const uint64_t left =
        progress.wanted_bytes - std::min(progress.wanted_bytes, progress.verified_bytes);
    json_object line("progress");
    line.number("verified_bytes", progress.verified_bytes)
        .number("wanted_bytes", progress.wanted_bytes)
        .number("downloaded_bytes", progress.downloaded_bytes)
        .real("rate", progress.rate);
    if (progress.rate > 0)
        line.real("eta_seconds", static_cast<double>(left) / progress.rate);
    else
        line.null("eta_seconds");
    emit(line.array("sources", sources).array("receivers", receivers));
}

void fetch_events::done(const fetch_summary& summary, const receiver::fetch_stats& stats) {
    emit(json_object("done")
             .text("path", remote_path_)
             .text("target", summary.target)
             .boolean("whole_file", summary.whole_file)
             .number("wanted_bytes", summary.wanted_bytes)
             .number("downloaded_bytes", summary.downloaded_bytes)
             .number("resumed_bytes", summary.resumed_bytes)
             .number("uploaded_bytes", summary.uploaded_bytes)
             .real("seconds", summary.seconds)
             .real("rate", summary.seconds > 0
                               ? static_cast<double>(summary.downloaded_bytes) / summary.seconds
                               : 0)
             .object("stats", stats_json(stats)));
}

void emit_batch_summary(const fetch_summary& total, size_t paths, size_t fetched) {
    emit(json_object("summary")
             .number("paths", paths)
             .number("fetched", fetched)
             .number("failed", paths - fetched)
             .number("files", total.file_count)
             .number("wanted_bytes", total.wanted_bytes)
             .number("downloaded_bytes", total.downloaded_bytes)
             .number("resumed_bytes", total.resumed_bytes)
             .number("uploaded_bytes", total.uploaded_bytes)
             .real("seconds", total.seconds)
             .real("rate", total.seconds > 0
                               ? static_cast<double>(total.downloaded_bytes) / total.seconds
                               : 0));
}

}  // namespace xfer::cli
