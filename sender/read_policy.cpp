#include "sender/read_policy.hpp"

#include <algorithm>
#include <cctype>

namespace xfer::sender {

std::expected<std::vector<peer_id>, std::string> parse_allow_list(std::string_view text,
                                                                  std::string_view file_label) {
    if (text.size() > max_allow_file_bytes) {
        return std::unexpected(std::string(file_label) + " is larger than " +
                               std::to_string(max_allow_file_bytes / 1024) + " KiB");
    }
    std::vector<peer_id> ids;
    size_t line_number = 0;
    size_t start = 0;
    while (start < text.size()) {
        const auto end = std::min(text.find('\n', start), text.size());
        auto line = text.substr(start, end - start);
        start = end + 1;
        ++line_number;
        if (const auto hash = line.find('#'); hash != std::string_view::npos)
            line = line.substr(0, hash);
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front())))
            line.remove_prefix(1);
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
            line.remove_suffix(1);
        if (line.empty()) continue;
        const auto id = identity::parse_peer_id(line);
        if (!id) {
            return std::unexpected(std::string(file_label) + " line " +
                                   std::to_string(line_number) + ": " + id.error());
        }
        if (ids.size() >= max_allow_file_ids) {
            return std::unexpected(std::string(file_label) + " holds more than " +
                                   std::to_string(max_allow_file_ids) + " peer IDs");
        }
        ids.push_back(*id);
    }
    return ids;
}

read_decision read_policy::authorize(const peer_id& receiver) const {
    if (receiver == options_.own_id) return {true, read_reason::own_id};
    if (const auto* known = known_.find(receiver); known && trust::may_read(known->trust))
        return {true, read_reason::known_peer};
    if (std::ranges::find(options_.allowed, receiver) != options_.allowed.end())
        return {true, read_reason::allowed_by_option};
    if (options_.public_access) return {true, read_reason::public_access};
    return {false, read_reason::refused};
}

std::string read_policy::refusal_text(const peer_id& receiver) const {
    const auto id = identity::format_peer_id(receiver);
    std::string text = "not allowed: this sender does not know peer ID " + id + "; ";
    if (options_.pairing_offered)
        text +=
            "pair first with the code 'xfer serve' prints on this sender ('xfer pair HOST CODE', "
            "or fetch with --code CODE), or ";
    text +=
        "ask its owner to run 'xfer trust add " + id + "' (or to serve with --allow " + id + ")";
    return text;
}

std::string read_policy::refusal_log_text(const peer_id& receiver, std::string_view address) const {
    return "refused peer " + identity::format_peer_id(receiver) + " from " + std::string(address) +
           ": not paired or allowed ('xfer trust add ID' lets it read)";
}

std::string read_policy::audience() const {
    if (options_.public_access) return "anyone who can reach it (--public)";
    size_t readers = 0;
    for (const auto& peer : known_.all())
        if (trust::may_read(peer.trust)) ++readers;
    std::string text = "paired and allowed peers (" + std::to_string(readers) + " known)";
    if (!options_.allowed.empty())
        text += " and " + std::to_string(options_.allowed.size()) + " IDs from --allow";
    return text;
}

}  // namespace xfer::sender
