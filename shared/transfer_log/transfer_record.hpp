// One line of the transfer log (`xfer log`): a transfer this installation served or fetched,
// recorded when it ended. Pure: no I/O (transfer_log_file.hpp reads and writes the file).
//
// On disk one record is one line of tab-separated fields, each percent-escaped ('%', tab, CR,
// LF and every byte below 0x20 or 0x7f as %XX), so any bytes a peer chose for its name or a
// path cannot split a record, forge another, or reach a terminal raw (`xfer log` shows fields
// through safe_text). The first field is the format version; a line of another version, or one
// that does not decode, is skipped by readers, never trusted in part.
//
//   v1 <unix ms> <sent|received> <peer ID or -> <peer name> <address> <path> <content id hex>
//      <bytes> <duration ms> <outcome> <detail>
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xfer::transfer_log {

using wall_clock = std::chrono::system_clock;

enum class direction { sent, received };
// done: the receiver closed it (sender) or the fetch verified everything (receiver);
// abandoned: the connection or the fetch ended first; failed: an error ended it (detail says).
enum class outcome { done, abandoned, failed };

std::string_view direction_name(direction d);  // "sent", "received"
std::string_view outcome_name(outcome o);      // "done", "abandoned", "failed"

// Bounds on what a record keeps of each text field (longer is cut on a UTF-8 boundary), so a
// peer's long name or error text cannot make the log grow faster than its transfers.
inline constexpr size_t max_field_bytes = 1024;

struct transfer_record {
    wall_clock::time_point ended_at{};
    direction way = direction::sent;
    std::string peer_id;  // formatted peer ID; empty when unknown
    std::string peer_name;
    std::string address;  // HOST:PORT of the other side
    std::string path;     // as shared by the sender
    std::string content;  // content id in hex; empty when the transfer never got a manifest
    uint64_t bytes = 0;   // sent (queued to the peer) or received (verified)
    std::chrono::milliseconds duration{0};
    transfer_log::outcome result = outcome::done;
    std::string detail;  // why it failed, or empty
};

// The record as one line, without its newline.
std::string encode_line(const transfer_record& record);
// The record in `line` (no newline), or nullopt when it is not a valid v1 line.
std::optional<transfer_record> decode_line(std::string_view line);

}  // namespace xfer::transfer_log
