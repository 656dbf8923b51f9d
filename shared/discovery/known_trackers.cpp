#include "shared/discovery/known_trackers.hpp"

#include "shared/core/xfer_home.hpp"
#include "shared/store/atomic_file.hpp"

namespace xfer::discovery {

known_trackers parse_known_trackers(std::string_view text, std::string_view file_label) {
    known_trackers table;
    size_t line_number = 0;
    while (!text.empty()) {
        const auto end = text.find('\n');
        auto line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        ++line_number;
        if (line.empty() || line.front() == '#') continue;
        const auto space = line.find(' ');
        const auto bad = [&](const std::string& why) {
            table.warnings.push_back(std::string(file_label) + " line " +
                                     std::to_string(line_number) + ": " + why + " (ignored)");
        };
        if (space == std::string_view::npos) {
            bad("expected 'HOST:PORT KEY'");
            continue;
        }
        auto key = parse_tracker_key(line.substr(space + 1));
        auto endpoint = net::parse_endpoint(line.substr(0, space), 0);
        if (!key || !endpoint || endpoint->port == 0) {
            bad(key ? "not HOST:PORT" : key.error());
            continue;
        }
        if (table.keys.size() >= max_known_trackers) {
            bad("more than " + std::to_string(max_known_trackers) + " trackers");
            continue;
        }
        table.keys[endpoint->to_string()] = *key;
    }
    return table;
}

std::string format_known_trackers(const known_trackers& table) {
    std::string out = "# xfer known trackers: HOST:PORT KEY (the key `xfer tracker` prints)\n";
    for (const auto& [address, key] : table.keys)
        out += address + " " + format_tracker_key(key) + "\n";
    return out;
}

std::filesystem::path known_trackers_path(const std::filesystem::path& config_dir) {
    return config_dir / "trust" / "known_trackers";
}

std::expected<known_trackers, std::string> load_known_trackers(
    const std::filesystem::path& config_dir) {
    const auto path = known_trackers_path(config_dir);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return known_trackers{};
    if (!std::filesystem::is_regular_file(path, ec))
        return std::unexpected("cannot read " + path.string() + ": not a regular file");
    const auto bytes = read_small_file(path, max_known_trackers_file_bytes);
    if (!bytes)
        return std::unexpected("cannot read " + path.string() + " (unreadable, or larger than " +
                               std::to_string(max_known_trackers_file_bytes) + " bytes)");
    return parse_known_trackers({reinterpret_cast<const char*>(bytes->data()), bytes->size()},
                                path.string());
}

namespace {

std::expected<void, std::string> save_known_trackers(const std::filesystem::path& config_dir,
                                                     const known_trackers& table) {
    const auto path = known_trackers_path(config_dir);
    if (const auto error = ensure_private_directory(path.parent_path()))
        return std::unexpected("cannot create " + path.parent_path().string() + ": " +
                               error.message());
    const auto text = format_known_trackers(table);
    if (const auto error = write_file_atomically(
            path, {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, true, 0600))
        return std::unexpected("cannot write " + path.string() + ": " + error.message());
    return {};
}

}  // namespace

std::expected<void, std::string> pin_tracker_key(const std::filesystem::path& config_dir,
                                                 const std::string& address,
                                                 const tracker_key& key) {
    auto table = load_known_trackers(config_dir);
    if (!table) return std::unexpected(table.error());
    // Full: forget one pin. That costs only typing (the key must be named again for that
    // tracker), never trust: a tracker without a pin is not believed without a named key.
    if (!table->keys.contains(address) && table->keys.size() >= max_known_trackers)
        table->keys.erase(table->keys.begin());
    table->keys[address] = key;
    return save_known_trackers(config_dir, *table);
}

std::expected<std::optional<tracker_key>, std::string> forget_tracker_key(
    const std::filesystem::path& config_dir, const std::string& address) {
    auto table = load_known_trackers(config_dir);
    if (!table) return std::unexpected(table.error());
    const auto pinned = table->keys.find(address);
    if (pinned == table->keys.end()) return std::nullopt;
    const auto key = pinned->second;
    table->keys.erase(pinned);
    if (auto saved = save_known_trackers(config_dir, *table); !saved)
        return std::unexpected(saved.error());
    return key;
}

}  // namespace xfer::discovery
