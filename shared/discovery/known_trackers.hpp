// The tracker keys a client has pinned, one per address: CONFIG/trust/known_trackers, mode 600,
// a line per tracker ("HOST:PORT KEY"), like ssh's known_hosts. A key is pinned the first time
// a tracker at that address proves the key the user named (--tracker-key or KEY@HOST:PORT);
// from then on `--tracker HOST:PORT` alone uses it, and a different key named for the address
// is a hard error showing both.
#pragma once

#include <expected>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/discovery/tracker_key.hpp"

namespace xfer::discovery {

inline constexpr size_t max_known_trackers = 1024;
inline constexpr size_t max_known_trackers_file_bytes = 256 * 1024;

struct known_trackers {
    std::map<std::string, tracker_key> keys;  // by "HOST:PORT" as given (endpoint::to_string)
    std::vector<std::string> warnings;        // one sentence per unreadable line (it is dropped)
};

// Pure. Lines that do not parse are reported with their number; '#' starts a comment line.
known_trackers parse_known_trackers(std::string_view text, std::string_view file_label);
std::string format_known_trackers(const known_trackers& table);

std::filesystem::path known_trackers_path(const std::filesystem::path& config_dir);
// Empty when there is no file yet; a sentence naming the file when it cannot be read.
std::expected<known_trackers, std::string> load_known_trackers(
    const std::filesystem::path& config_dir);
// Records `key` for `address` (replacing what was there), written atomically (mode 600).
std::expected<void, std::string> pin_tracker_key(const std::filesystem::path& config_dir,
                                                 const std::string& address,
                                                 const tracker_key& key);
// Forgets the key pinned for `address` (`xfer trust remove-tracker`: the tracker's key really
// changed); the key that was pinned, or nullopt when none was. Written atomically (mode 600).
std::expected<std::optional<tracker_key>, std::string> forget_tracker_key(
    const std::filesystem::path& config_dir, const std::string& address);

}  // namespace xfer::discovery
