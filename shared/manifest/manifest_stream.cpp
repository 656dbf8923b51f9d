#include "shared/manifest/manifest_stream.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "shared/core/error.hpp"
#include "shared/hash/sha256.hpp"
#include "shared/tree/tree_manifest.hpp"
#include "shared/wire/byte_io.hpp"
#include "shared/wire/frame.hpp"

namespace xfer {
namespace {

constexpr size_t hash_size = 32;
// Where each encoding keeps its piece_count: after "XFMF" u8 u64 u32, or "XFTR" u8 u32 u32.
constexpr size_t file_piece_count_at = 4 + 1 + 8 + 4;
constexpr size_t tree_piece_count_at = 4 + 1 + 4 + 4;

std::optional<uint32_t> piece_count_field(std::span<const uint8_t> encoded) {
    const size_t at =
        tree::looks_like_tree_manifest(encoded) ? tree_piece_count_at : file_piece_count_at;
    if (encoded.size() < at + 4) return std::nullopt;
    wire::byte_reader r(encoded.subspan(at, 4));
    return r.u32();
}

// A file's manifest, or a tree's as the bytes of its files end to end (content_geometry.hpp does
// the same for the store; the manifest layer does not depend on the store).
std::expected<manifest, std::error_code> decode_geometry(std::span<const uint8_t> encoded) {
    if (!tree::looks_like_tree_manifest(encoded)) return decode_manifest(encoded);
    auto decoded = tree::decode_tree_manifest(encoded);
    if (!decoded) return std::unexpected(decoded.error());
    return manifest{decoded->total_file_bytes(), decoded->piece_size,
                    std::move(decoded->piece_hashes)};
}

}  // namespace

size_t hashes_offset(std::span<const uint8_t> encoded, uint32_t piece_count) {
    return encoded.size() - size_t{piece_count} * hash_size;
}

std::vector<uint8_t> manifest_prefix(std::span<const uint8_t> encoded, uint32_t known) {
    const auto count = piece_count_field(encoded).value_or(0);
    const size_t keep = hashes_offset(encoded, count) + size_t{known} * hash_size;
    return {encoded.begin(), encoded.begin() + static_cast<std::ptrdiff_t>(keep)};
}

std::expected<manifest_assembly, std::error_code> manifest_assembly::from_head(
    std::span<const uint8_t> encoded_prefix, uint32_t known) {
    const auto count = piece_count_field(encoded_prefix);
    if (!count) return std::unexpected(make_error_code(errc::manifest_invalid));
    // Bounded before the buffer is made: the padded encoding is at most one MANIFEST frame.
    if (*count > wire::max_pieces || known >= *count ||
        encoded_prefix.size() < size_t{known} * hash_size ||
        encoded_prefix.size() + size_t{*count - known} * hash_size > wire::max_manifest_bytes) {
        return std::unexpected(make_error_code(errc::manifest_stream_invalid));
    }
    manifest_assembly assembly;
    assembly.encoding_.reserve(encoded_prefix.size() + size_t{*count - known} * hash_size);
    assembly.encoding_.assign(encoded_prefix.begin(), encoded_prefix.end());
    assembly.encoding_.resize(encoded_prefix.size() + size_t{*count - known} * hash_size, 0);
    // The ordinary decoder judges header, entries and sizes: a head that is not exactly a
    // manifest cut after `known` hashes leaves the wrong number of bytes for them.
    auto geometry = decode_geometry(assembly.encoding_);
    if (!geometry) return std::unexpected(geometry.error());
    assembly.geometry_ = std::move(*geometry);
    assembly.hashes_at_ = hashes_offset(assembly.encoding_, *count);
    assembly.known_ = known;
    return assembly;
}

std::expected<manifest_assembly, std::error_code> manifest_assembly::from_complete(
    std::span<const uint8_t> encoded) {
    auto geometry = decode_geometry(encoded);
    if (!geometry) return std::unexpected(geometry.error());
    manifest_assembly assembly;
    assembly.encoding_.assign(encoded.begin(), encoded.end());
    assembly.geometry_ = std::move(*geometry);
    assembly.hashes_at_ = hashes_offset(encoded, assembly.geometry_.piece_count());
    assembly.known_ = assembly.geometry_.piece_count();
    return assembly;
}

bool manifest_assembly::is_tree() const {
    return released_ ? released_tree_ : tree::looks_like_tree_manifest(encoding_);
}

void manifest_assembly::put(uint32_t piece, const sha256_digest& hash) {
    geometry_.piece_hashes[piece] = hash;
    std::memcpy(encoding_.data() + hashes_at_ + size_t{piece} * hash_size, hash.data(), hash_size);
}

std::error_code manifest_assembly::add(uint32_t& source_next, uint32_t first,
                                       std::span<const sha256_digest> hashes) {
    if (first != source_next || hashes.empty() || uint64_t{first} + hashes.size() > piece_count()) {
        return errc::manifest_stream_invalid;
    }
    // Check every hash before taking any: a source that disagrees changes nothing.
    for (size_t i = 0; i < hashes.size(); ++i) {
        const uint32_t piece = first + static_cast<uint32_t>(i);
        if (piece < known_ && hash(piece) != hashes[i]) return errc::content_mismatch;
    }
    for (size_t i = 0; i < hashes.size(); ++i) {
        const uint32_t piece = first + static_cast<uint32_t>(i);
        if (piece >= known_) put(piece, hashes[i]);
    }
    source_next = first + static_cast<uint32_t>(hashes.size());
    known_ = std::max(known_, source_next);
    return {};
}

std::error_code manifest_assembly::agree(std::span<const uint8_t> encoded, uint32_t known,
                                         uint32_t& source_next) {
    // Header and entries byte for byte; then the hashes it holds, as if streamed.
    const size_t head_bytes = hashes_at_ + size_t{known} * hash_size;
    if (known > piece_count() || encoded.size() != head_bytes || !same_head(encoded))
        return errc::content_mismatch;
    source_next = 0;
    if (known == 0) return {};
    std::vector<sha256_digest> hashes(known);
    for (uint32_t piece = 0; piece < known; ++piece) {
        std::memcpy(hashes[piece].data(), encoded.data() + hashes_at_ + size_t{piece} * hash_size,
                    hash_size);
    }
    return add(source_next, 0, hashes);
}

bool manifest_assembly::same_head(std::span<const uint8_t> encoded) const {
    const auto head = encoded.first(hashes_at_);
    if (released_) return sha256(head) == head_digest_;
    return std::equal(head.begin(), head.end(), encoding_.begin());
}

content_id manifest_assembly::id() const {
    return released_ ? id_ : content_id_of(encoding_);
}

std::vector<uint8_t> manifest_assembly::take_encoding() {
    if (!complete() || released_) return {};
    id_ = content_id_of(encoding_);
    head_digest_ = sha256(std::span(encoding_).first(hashes_at_));
    released_tree_ = is_tree();
    released_ = true;
    return std::exchange(encoding_, {});
}

std::error_code manifest_assembly::check_root(const std::optional<content_id>& wanted) const {
    if (!complete()) return errc::manifest_stream_invalid;
    if (wanted && *wanted != id()) return errc::manifest_root_mismatch;
    return {};
}

void manifest_assembly::fill_hashes(const sha256_digest* filler) {
    for (uint32_t piece = 0; piece < piece_count(); ++piece) {
        const auto& hash = filler != nullptr ? *filler : geometry_.piece_hashes[piece];
        std::memcpy(encoding_.data() + hashes_at_ + size_t{piece} * hash_size, hash.data(),
                    hash_size);
    }
}

std::vector<uint8_t> manifest_assembly::placeholder_encoding(const sha256_digest& filler) const {
    std::vector<uint8_t> out(encoding_.begin(),
                             encoding_.begin() + static_cast<std::ptrdiff_t>(hashes_at_));
    out.reserve(encoding_.size());
    for (uint32_t piece = 0; piece < piece_count(); ++piece)
        out.insert(out.end(), filler.begin(), filler.end());
    return out;
}

}  // namespace xfer
