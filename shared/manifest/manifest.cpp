#include "shared/manifest/manifest.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "shared/core/error.hpp"
#include "shared/hash/sha256.hpp"
#include "shared/wire/byte_io.hpp"
#include "shared/wire/frame.hpp"

namespace xfer {
namespace {
constexpr uint8_t manifest_magic[4] = {'X', 'F', 'M', 'F'};
constexpr uint8_t manifest_version = 1;
constexpr uint64_t target_piece_count = 2048;
}  // namespace

uint32_t manifest::piece_length(uint32_t piece_index) const {
    const uint64_t offset = piece_offset(piece_index);
    if (offset >= file_size) return 0;
    return static_cast<uint32_t>(std::min<uint64_t>(piece_size, file_size - offset));
}

uint32_t piece_count_for(uint64_t file_size, uint32_t piece_size) {
    return static_cast<uint32_t>((file_size + piece_size - 1) / piece_size);
}

uint32_t choose_piece_size(uint64_t file_size) {
    const uint64_t wanted = std::bit_ceil(std::max<uint64_t>(1, file_size / target_piece_count));
    return static_cast<uint32_t>(std::clamp<uint64_t>(wanted, min_piece_size, max_piece_size));
}

std::vector<uint8_t> encode_manifest(const manifest& m) {
    std::vector<uint8_t> out;
    out.reserve(manifest_header_size + m.piece_hashes.size() * 32);
    wire::byte_writer w(out);
    w.bytes(std::span<const uint8_t>(manifest_magic));
    w.u8(manifest_version);
    w.u64(m.file_size);
    w.u32(m.piece_size);
    w.u32(m.piece_count());
    for (const auto& hash : m.piece_hashes) w.bytes(hash);
    return out;
}

std::expected<manifest, std::error_code> decode_manifest(std::span<const uint8_t> encoded) {
    const auto invalid = std::unexpected(make_error_code(errc::manifest_invalid));
    wire::byte_reader r(encoded);
    uint8_t magic[4];
    uint8_t version = 0;
    uint32_t piece_count = 0;
    manifest m;
    r.bytes(magic);
    r.u8(version);
    r.u64(m.file_size);
    r.u32(m.piece_size);
    r.u32(piece_count);
    if (!r.ok() || std::memcmp(magic, manifest_magic, 4) != 0 || version != manifest_version)
        return invalid;
    if (!std::has_single_bit(m.piece_size) || m.piece_size < min_piece_size ||
        m.piece_size > max_piece_size) {
        return invalid;
    }
    if (piece_count > wire::max_pieces) return invalid;
    if (m.file_size > uint64_t{wire::max_pieces} * m.piece_size) return invalid;
    // Checked in 64 bits: piece_count_for() would truncate a huge size.
    if ((m.file_size + m.piece_size - 1) / m.piece_size != piece_count) return invalid;
    if (r.remaining() != size_t{piece_count} * 32) return invalid;
    m.piece_hashes.resize(piece_count);
    for (auto& hash : m.piece_hashes) r.bytes(hash);
    return m;
}

content_id content_id_of(std::span<const uint8_t> encoded_manifest) {
    return sha256(encoded_manifest);
}

}  // namespace xfer
