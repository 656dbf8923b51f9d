// This installation's identity on disk, under xfer's config directory:
//
//   CONFIG/identity/key.pem    Ed25519 private key, PKCS#8 PEM, mode 600
//   CONFIG/identity/cert.pem   self-signed X.509 certificate of that key, mode 600
//   CONFIG/identity.previous/  the identity before the last reset (same two files)
//
// Created on first use, both files at once: they are written into a fresh private directory
// that is then renamed into place, so a crash or a second xfer starting at the same moment never
// leaves a key without its certificate or two different identities (the loser of the rename
// loads the winner's). The private key is never logged and never leaves this directory; its PEM
// bytes are wiped from memory once parsed or written.
#pragma once

#include <expected>
#include <filesystem>
#include <string>

#include "shared/identity/openssl_handles.hpp"
#include "shared/identity/peer_id.hpp"

namespace xfer::identity {

struct local_identity {
    evp_pkey_ptr key;
    x509_ptr certificate;
    peer_id id;
    bool created = false;  // made by this call, not loaded
};

// Loads the identity in `config_dir`, creating it (and config_dir, mode 700) if there is none.
// A key file that is corrupt, not Ed25519, readable by group or others, or that does not match
// its certificate fails with a sentence naming the file and the way out (`xfer id --reset`).
std::expected<local_identity, std::string> load_or_create_identity(
    const std::filesystem::path& config_dir);

// Moves the current identity (if any) to identity.previous, replacing an older one, and makes a
// new one. Peers that knew the old ID will not recognise this machine until paired again.
std::expected<local_identity, std::string> reset_identity(const std::filesystem::path& config_dir);

// The name shown beside the peer ID: this machine's host name.
std::string display_name();

}  // namespace xfer::identity
