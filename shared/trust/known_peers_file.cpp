#include "shared/trust/known_peers_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "shared/core/fd.hpp"
#include "shared/core/xfer_home.hpp"
#include "shared/store/atomic_file.hpp"

namespace xfer::trust {
namespace {

constexpr std::string_view header =
    "# xfer known peers (change with `xfer trust`): ID TRUST FIRST-SEEN LAST-SEEN NAME "
    "ADDRESSES\n";

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (start <= text.size()) {
        const auto end = std::min(text.find(separator, start), text.size());
        parts.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

std::vector<std::string_view> fields_of(std::string_view line) {
    std::vector<std::string_view> fields;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        const size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) fields.push_back(line.substr(start, i - start));
    }
    return fields;
}

std::string encode_name(std::string_view name) {
    if (name.empty()) return "-";
    std::string out;
    for (const char c : name) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte >= 0x7f || c == '%' || (name.size() == 1 && c == '-')) {
            char escaped[4];
            std::snprintf(escaped, sizeof escaped, "%%%02X", byte);
            out += escaped;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::optional<std::string> decode_name(std::string_view field) {
    if (field == "-") return std::string();
    std::string out;
    for (size_t i = 0; i < field.size(); ++i) {
        if (field[i] != '%') {
            out.push_back(field[i]);
            continue;
        }
        if (i + 2 >= field.size()) return std::nullopt;
        const int high = hex_value(field[i + 1]);
        const int low = hex_value(field[i + 2]);
        if (high < 0 || low < 0) return std::nullopt;
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
    }
    return out;
}

std::expected<known_peer, std::string> parse_line(std::string_view line) {
    const auto fields = fields_of(line);
    if (fields.size() != 6)
        return std::unexpected("expected 6 fields, found " + std::to_string(fields.size()));
    known_peer peer;
    auto id = identity::parse_peer_id(fields[0]);
    if (!id) return std::unexpected("bad peer ID: " + id.error());
    peer.id = *id;
    const auto trust = parse_trust_level(fields[1]);
    if (!trust) return std::unexpected("trust must be paired, allowed or seen");
    peer.trust = *trust;
    const auto first = parse_timestamp(fields[2]);
    const auto last = parse_timestamp(fields[3]);
    if (!first || !last) return std::unexpected("a time is not like 2026-12-01T13:18:09Z");
    peer.first_seen = *first;
    peer.last_seen = *last;
    auto name = decode_name(fields[4]);
    if (!name) return std::unexpected("the name has a bad %-escape");
    peer.name = std::move(*name);
    if (fields[5] != "-") {
        for (const auto address : split(fields[5], ',')) {
            if (!valid_address(address)) return std::unexpected("a bad address");
            peer.addresses.emplace_back(address);
        }
    }
    return peer;
}

std::string system_error_text() {
    return std::strerror(errno);
}

}  // namespace

std::string format_timestamp(timestamp when) {
    // Not through system_clock: its nanoseconds cannot hold a year past 2262.
    const std::time_t seconds = static_cast<std::time_t>(when.time_since_epoch().count());
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

std::optional<timestamp> parse_timestamp(std::string_view text) {
    if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
        text[13] != ':' || text[16] != ':' || text[19] != 'Z') {
        return std::nullopt;
    }
    auto number = [&](size_t at, size_t length) -> int {
        int value = 0;
        for (size_t i = at; i < at + length; ++i) {
            if (text[i] < '0' || text[i] > '9') return -1;
            value = value * 10 + (text[i] - '0');
        }
        return value;
    };
    std::tm utc{};
    utc.tm_year = number(0, 4) - 1900;
    utc.tm_mon = number(5, 2) - 1;
    utc.tm_mday = number(8, 2);
    utc.tm_hour = number(11, 2);
    utc.tm_min = number(14, 2);
    utc.tm_sec = number(17, 2);
    if (utc.tm_year < 70 || utc.tm_mon < 0 || utc.tm_mon > 11 || utc.tm_mday < 1 ||
        utc.tm_mday > 31 || utc.tm_hour < 0 || utc.tm_hour > 23 || utc.tm_min < 0 ||
        utc.tm_min > 59 || utc.tm_sec < 0 || utc.tm_sec > 60) {
        return std::nullopt;
    }
    return timestamp(std::chrono::seconds(::timegm(&utc)));
}

loaded_known_peers parse_known_peers(std::string_view text, std::string_view file_label) {
    loaded_known_peers loaded;
    size_t line_number = 0;
    for (const auto raw_line : split(text, '\n')) {
        ++line_number;
        auto line = raw_line;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const auto fields = fields_of(line);
        if (fields.empty() || fields[0].starts_with('#')) continue;
        auto peer = parse_line(line);
        std::expected<void, std::string> inserted;
        if (peer) inserted = loaded.table.insert_loaded(std::move(*peer));
        if (!peer || !inserted) {
            // Verbatim, every CR kept: written back, it must say exactly what it said.
            loaded.unreadable_lines.emplace_back(raw_line);
            loaded.warnings.push_back(std::string(file_label) + " line " +
                                      std::to_string(line_number) + ": " +
                                      (peer ? inserted.error() : peer.error()) +
                                      "; that peer is not known until the line is fixed or "
                                      "removed");
        }
    }
    return loaded;
}

std::string format_known_peers(const known_peers& table,
                               const std::vector<std::string>& unreadable_lines) {
    std::string out(header);
    for (const auto& peer : table.all()) {
        std::string addresses;
        for (const auto& address : peer.addresses)
            addresses += (addresses.empty() ? "" : ",") + address;
        out += identity::format_peer_id(peer.id) + " " + std::string(trust_level_name(peer.trust)) +
               " " + format_timestamp(peer.first_seen) + " " + format_timestamp(peer.last_seen) +
               " " + encode_name(peer.name) + " " + (addresses.empty() ? "-" : addresses) + "\n";
    }
    for (const auto& line : unreadable_lines) out += line + "\n";
    return out;
}

std::filesystem::path known_peers_path(const std::filesystem::path& config_dir) {
    return config_dir / "trust" / "known_peers";
}

std::expected<loaded_known_peers, std::string> load_known_peers(
    const std::filesystem::path& config_dir) {
    const auto path = known_peers_path(config_dir);
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) {
        if (errno == ENOENT) return loaded_known_peers{};
        return std::unexpected("cannot open " + path.string() + ": " + system_error_text());
    }
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode))
        return std::unexpected(path.string() + " is not a regular file");
    if (static_cast<uint64_t>(info.st_size) > max_known_peers_file_bytes) {
        return std::unexpected(path.string() + " is larger than " +
                               std::to_string(max_known_peers_file_bytes / (1024 * 1024)) +
                               " MiB: not a file xfer wrote");
    }
    std::string text(static_cast<size_t>(info.st_size), '\0');
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::read(fd.get(), text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return std::unexpected("cannot read " + path.string());
        done += static_cast<size_t>(n);
    }
    return parse_known_peers(text, path.string());
}

std::expected<loaded_known_peers, std::string> update_known_peers(
    const std::filesystem::path& config_dir, const known_peers_change& change) {
    const auto path = known_peers_path(config_dir);
    if (const auto ec = ensure_private_directory(path.parent_path()))
        return std::unexpected("cannot create " + path.parent_path().string() + ": " +
                               ec.message());
    const auto lock_path = path.string() + ".lock";
    unique_fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!lock) return std::unexpected("cannot open " + lock_path + ": " + system_error_text());
    while (::flock(lock.get(), LOCK_EX) != 0) {
        if (errno != EINTR)
            return std::unexpected("cannot lock " + lock_path + ": " + system_error_text());
    }
    auto loaded = load_known_peers(config_dir);
    if (!loaded) return loaded;
    if (auto changed = change(loaded->table); !changed) return std::unexpected(changed.error());
    const auto text = format_known_peers(loaded->table, loaded->unreadable_lines);
    const auto bytes = std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size());
    if (const auto ec = write_file_atomically(path, bytes, /*durable=*/true, 0600))
        return std::unexpected("cannot write " + path.string() + ": " + ec.message());
    return loaded;
}

}  // namespace xfer::trust
