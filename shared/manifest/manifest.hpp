// A file's manifest: size, piece size and one SHA-256 per piece. The SHA-256 of its encoding is
// the content id, so a transfer names exactly one version of a file's bytes (the name is not
// part of it: the same bytes under two names are one content).
//
// Encoding: "XFMF" | u8 version=1 | u64 file_size | u32 piece_size | u32 piece_count
//           | piece_count x 32-byte SHA-256
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <system_error>
#include <vector>

#include "shared/core/ids.hpp"

namespace xfer {

inline constexpr uint32_t min_piece_size = 256 * 1024;
inline constexpr uint32_t max_piece_size = 16 * 1024 * 1024;
inline constexpr size_t manifest_header_size = 4 + 1 + 8 + 4 + 4;

struct manifest {
    uint64_t file_size = 0;
    uint32_t piece_size = min_piece_size;
    std::vector<sha256_digest> piece_hashes;

    uint32_t piece_count() const { return static_cast<uint32_t>(piece_hashes.size()); }
    uint64_t piece_offset(uint32_t piece_index) const { return uint64_t{piece_index} * piece_size; }
    uint32_t piece_length(uint32_t piece_index) const;

    friend bool operator==(const manifest&, const manifest&) = default;
};

// Pieces for a file of this size: `ceil(size / piece_size)`, zero for an empty file.
uint32_t piece_count_for(uint64_t file_size, uint32_t piece_size);

// Power of two between 256 KiB and 16 MiB aiming at about 2048 pieces: small enough manifests,
// enough pieces to spread over many peers.
uint32_t choose_piece_size(uint64_t file_size);

std::vector<uint8_t> encode_manifest(const manifest& m);
// Checks every field: magic, version, piece size a power of two in range, piece count matching
// the size, no trailing bytes.
std::expected<manifest, std::error_code> decode_manifest(std::span<const uint8_t> encoded);
content_id content_id_of(std::span<const uint8_t> encoded_manifest);

}  // namespace xfer
