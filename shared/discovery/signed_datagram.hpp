// LAN datagrams signed by the announcing peer's identity key (Ed25519, shared/identity/), so a
// listener knows WHO sent an announcement or a goodbye: the peer ID it shows is computed from
// the key that verified the signature, never read from a field a sender could set.
//
// Layout: body | public_key 32 (raw Ed25519) | signature 64 (Ed25519 over body || public_key).
// The body is an ANNOUNCE or GOODBYE of lan_protocol.hpp. Signing covers the key too, so a
// signature cannot be re-attached under another key.
#pragma once

#include <openssl/evp.h>

#include <expected>
#include <string>
#include <string_view>
#include <system_error>

#include "shared/identity/peer_id.hpp"

namespace xfer::discovery::lan {

inline constexpr size_t public_key_bytes = 32;
inline constexpr size_t signature_bytes = 64;
inline constexpr size_t signature_trailer_bytes = public_key_bytes + signature_bytes;

// A signer for one identity key: holds the raw public key so each datagram costs one signature.
class datagram_signer {
  public:
    // `key`: an Ed25519 private key; the signer holds its own reference to it.
    explicit datagram_signer(EVP_PKEY* key);
    ~datagram_signer();
    datagram_signer(const datagram_signer&) = delete;
    datagram_signer& operator=(const datagram_signer&) = delete;
    std::string sign(std::string body) const;
    // public_key | signature over domain || body || public_key: the same signature for other
    // messages (tracker REGISTER); `domain` keeps one kind of signed bytes from passing as
    // another. A LAN datagram is body || signature_trailer("", body).
    std::string signature_trailer(std::string_view domain, std::string_view body) const;
    const identity::peer_id& id() const { return id_; }

  private:
    EVP_PKEY* key_;
    std::string public_key_;
    identity::peer_id id_;
};

struct verified_datagram {
    std::string_view body;  // points into the verified datagram
    identity::peer_id signer;
};

// The body and the signer's peer ID, or errc::frame_truncated (too short for a trailer) or
// errc::malformed_message (not a valid key, or the signature does not verify).
std::expected<verified_datagram, std::error_code> verify_datagram(std::string_view datagram);
// The signer of `body` under `domain`, given a signature_trailer() (same errors as above).
std::expected<identity::peer_id, std::error_code> verify_trailer(std::string_view domain,
                                                                 std::string_view body,
                                                                 std::string_view trailer);

}  // namespace xfer::discovery::lan
