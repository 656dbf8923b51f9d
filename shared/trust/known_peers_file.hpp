// known_peers on disk: CONFIG/trust/known_peers, a text file a person can read (and, carefully,
// edit), mode 600 in a mode-700 directory, replaced atomically, read back with bounds.
//
//   # xfer known peers (change with `xfer trust`): ID TRUST FIRST-SEEN LAST-SEEN NAME ADDRESSES
//   LOXXD2R-57223BL-...-MJE55Q7 paired 2026-12-01T13:18:09Z 2026-12-01T14:02:41Z
//   laptop 10.0.0.5:7420
//
// Fields are separated by spaces. NAME is percent-encoded (every byte that is not printable
// ASCII, a space or '%'), "-" when empty; ADDRESSES is a comma-separated list, "-" when empty.
// A line that does not parse is reported (file and line number, what is wrong) and kept as it is
// when the file is written again, so nothing a user typed is silently lost; the peer on it is
// simply not known, which only makes xfer stricter.
#pragma once

#include <expected>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/trust/known_peers.hpp"

namespace xfer::trust {

// Larger files are refused rather than read (4096 peers of ~700 bytes fit).
inline constexpr size_t max_known_peers_file_bytes = 4 * 1024 * 1024;

struct loaded_known_peers {
    known_peers table;
    std::vector<std::string> unreadable_lines;  // verbatim, written back by format_known_peers
    std::vector<std::string> warnings;          // one sentence per unreadable line
};

// Pure. `file_label` names the file in warnings.
loaded_known_peers parse_known_peers(std::string_view text, std::string_view file_label);
std::string format_known_peers(const known_peers& table,
                               const std::vector<std::string>& unreadable_lines);

std::string format_timestamp(timestamp when);  // "2026-12-01T13:18:09Z"
std::optional<timestamp> parse_timestamp(std::string_view text);

// CONFIG/trust/known_peers.
std::filesystem::path known_peers_path(const std::filesystem::path& config_dir);

// The table in `config_dir` (empty when there is no file yet). Fails with a sentence naming the
// file when it cannot be read, is not a regular file or is too large.
std::expected<loaded_known_peers, std::string> load_known_peers(
    const std::filesystem::path& config_dir);

// Read, change, write under an exclusive lock (CONFIG/trust/known_peers.lock), so two xfer
// processes recording peers at once do not lose each other's change. `change` may refuse (its
// sentence is returned, nothing written). Returns the table as written.
using known_peers_change = std::function<std::expected<void, std::string>(known_peers&)>;
std::expected<loaded_known_peers, std::string> update_known_peers(
    const std::filesystem::path& config_dir, const known_peers_change& change);

}  // namespace xfer::trust
