// The tracker link's keys: ZeroMQ CURVE (CurveZMQ: X25519 + XSalsa20-Poly1305, in libzmq through
// libsodium), so a client talks only to the tracker that holds the secret behind the key it
// names, and nobody on the path reads or changes what either says.
//
//   the tracker   a long-term key pair in CONFIG/tracker/curve_secret (Z85, mode 600, in a
//                 mode-700 directory), created on first start; `xfer tracker` prints the public
//                 half as "tracker key: KEY".
//   a client      names that key (`--tracker-key KEY`, `--tracker KEY@HOST:PORT`, or the key
//                 pinned for HOST:PORT in CONFIG/trust/known_trackers) and uses a fresh key pair
//                 of its own per socket (the tracker authenticates registrations by their
//                 Ed25519 signatures, not by the link).
//
// KEY is shown like a peer ID (base32 in 8 dashed groups with check characters), so a mistyped
// key is caught before any connection; it is a different key from any peer ID.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <zmq.hpp>

#include "shared/net/address.hpp"

namespace xfer::discovery {

struct tracker_key {
    std::array<uint8_t, 32> bytes{};  // the CURVE public key
    auto operator<=>(const tracker_key&) const = default;
};

std::string format_tracker_key(const tracker_key& key);
std::expected<tracker_key, std::string> parse_tracker_key(std::string_view text);

// "KEY@HOST[:PORT]" (what `xfer tracker` prints for clients) or plain "HOST[:PORT]".
struct tracker_locator {
    net::endpoint endpoint;
    std::optional<tracker_key> key;
};
std::expected<tracker_locator, std::string> parse_tracker_locator(std::string_view text,
                                                                  uint16_t default_port);

// The tracker's own key pair. The secret stays in this object (wiped on destruction) and in
// the file; it is only ever handed to libzmq.
class tracker_keypair {
  public:
    static tracker_keypair generate();
    // Loads CONFIG/tracker/curve_secret, creating it on first use. Fails with a sentence naming
    // the file when it is corrupt or readable by group or others.
    static std::expected<tracker_keypair, std::string> load_or_create(
        const std::filesystem::path& config_dir);

    tracker_keypair(const tracker_keypair&) = delete;
    tracker_keypair& operator=(const tracker_keypair&) = delete;
    tracker_keypair(tracker_keypair&& other) noexcept;
    tracker_keypair& operator=(tracker_keypair&&) = delete;
    ~tracker_keypair();

    const tracker_key& public_key() const { return public_; }
    // Makes `socket` a CURVE server with this key (before bind).
    void make_server(zmq::socket_t& socket) const;

  private:
    tracker_keypair() = default;
    tracker_key public_;
    std::array<char, 41> secret_z85_{};
};

std::filesystem::path tracker_key_path(const std::filesystem::path& config_dir);

// Makes `socket` a CURVE client of the tracker with `server` as its key, with a fresh key pair
// of its own (before connect).
void make_tracker_client(zmq::socket_t& socket, const tracker_key& server);

}  // namespace xfer::discovery
