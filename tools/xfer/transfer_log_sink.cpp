#include "tools/xfer/transfer_log_sink.hpp"

#include <memory>

#include "shared/core/log.hpp"
#include "shared/transfer_log/transfer_log_file.hpp"
#include "shared/trust/known_peers_file.hpp"

namespace xfer::cli {
namespace {

std::string known_name(const std::filesystem::path& config, const std::string& formatted_id) {
    if (formatted_id.empty()) return {};
    const auto id = identity::parse_peer_id(formatted_id);
    if (!id) return {};
    const auto loaded = trust::load_known_peers(config);
    if (!loaded) return {};
    const auto* peer = loaded->table.find(*id);
    return peer ? peer->name : std::string{};
}

// "HOST:PORT", or the first source and how many more; discovery when none was given.
std::string sources_text(const std::vector<net::endpoint>& sources) {
    if (sources.empty()) return "discovery";
    auto text = sources.front().to_string();
    if (sources.size() > 1) text += " and " + std::to_string(sources.size() - 1) + " more";
    return text;
}

}  // namespace

transfer_log::transfer_sink make_transfer_log_sink(const xfer_home& home) {
    auto file = std::make_shared<transfer_log::transfer_log_file>(home.state);
    auto warned = std::make_shared<bool>(false);
    return [file, warned, config = home.config](transfer_log::transfer_record record) {
        if (record.peer_name.empty()) record.peer_name = known_name(config, record.peer_id);
        if (auto ec = file->append(record); ec && !*warned) {
            *warned = true;
            XLOG_WARN("log", "", "cannot write the transfer log: " << ec.message());
        }
    };
}

}  // namespace xfer::cli

namespace xfer::cli {

void log_fetch(const xfer_home& home, const receiver::fetch_request& request,
               const receiver::fetch_outcome& outcome, double seconds, bool interrupted) {
    transfer_log::transfer_record record;
    record.ended_at = transfer_log::wall_clock::now();
    record.way = transfer_log::direction::received;
    record.address = sources_text(request.sources);
    if (outcome.senders.size() == 1) record.peer_id = identity::format_peer_id(outcome.senders[0]);
    record.path = request.remote_path;
    if (outcome.entry) record.content = to_hex(outcome.entry->id);
    record.bytes = outcome.downloaded_bytes;
    record.duration = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
    if (!outcome.error) {
        record.result = transfer_log::outcome::done;
    } else {
        record.result =
            interrupted ? transfer_log::outcome::abandoned : transfer_log::outcome::failed;
        record.detail = outcome.message.empty() ? outcome.error.message() : outcome.message;
    }
    make_transfer_log_sink(home)(std::move(record));
}

}  // namespace xfer::cli
