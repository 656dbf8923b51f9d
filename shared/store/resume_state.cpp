#include "shared/store/resume_state.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "shared/core/error.hpp"
#include "shared/hash/sha256.hpp"
#include "shared/manifest/manifest.hpp"
#include "shared/store/atomic_file.hpp"
#include "shared/tree/tree_manifest.hpp"
#include "shared/wire/byte_io.hpp"
#include "shared/wire/frame.hpp"

namespace xfer {
namespace {
constexpr uint8_t state_magic[4] = {'X', 'F', 'S', 'T'};
constexpr uint8_t state_version = 1;

// The pieces the state's manifest says it has, to check the bitfield's size. A tree's entries
// are not decoded here: that made a second full copy of a 1,000,000-entry tree (~120 bytes an
// entry) beside the one its user decodes. Every user of a state decodes its manifest with every
// check (open_partial_tree) or compares its content id with a manifest it decoded.
std::optional<uint32_t> stated_piece_count(std::span<const uint8_t> encoded) {
    if (!tree::looks_like_tree_manifest(encoded)) {
        const auto decoded = decode_manifest(encoded);
        if (!decoded) return std::nullopt;
        return decoded->piece_count();
    }
    constexpr size_t piece_count_at = 4 + 1 + 4 + 4;  // "XFTR" u8 piece_size entry_count
    if (encoded.size() < piece_count_at + 4) return std::nullopt;
    wire::byte_reader r(encoded.subspan(piece_count_at, 4));
    const uint32_t count = r.u32();
    if (!r.ok() || count > wire::max_pieces) return std::nullopt;
    return count;
}

// Everything a state holds before its manifest: magic, version, path, the manifest's length.
std::vector<uint8_t> state_header(std::string_view path, size_t manifest_size) {
    std::vector<uint8_t> out;
    wire::byte_writer w(out);
    w.bytes(std::span<const uint8_t>(state_magic));
    w.u8(state_version);
    w.string16(path);
    w.u32(static_cast<uint32_t>(manifest_size));
    return out;
}

sha256_digest state_checksum(std::span<const uint8_t> header,
                             std::span<const uint8_t> encoded_manifest,
                             std::span<const uint8_t> bitfield) {
    sha256_hasher hasher;
    hasher.update(header);
    hasher.update(encoded_manifest);
    hasher.update(bitfield);
    return hasher.finish();
}

}  // namespace

std::vector<uint8_t> encode_resume_state(const resume_state& state) {
    return encode_resume_state(state.path, state.encoded_manifest, state.bitfield);
}

std::vector<uint8_t> encode_resume_state(std::string_view path,
                                         std::span<const uint8_t> encoded_manifest,
                                         std::span<const uint8_t> bitfield) {
    auto out = state_header(path, encoded_manifest.size());
    const auto checksum = state_checksum(out, encoded_manifest, bitfield);
    out.reserve(out.size() + encoded_manifest.size() + bitfield.size() + checksum.size());
    wire::byte_writer w(out);
    w.bytes(encoded_manifest);
    w.bytes(bitfield);
    w.bytes(checksum);
    return out;
}

std::error_code write_resume_state(const std::filesystem::path& file, std::string_view path,
                                   std::span<const uint8_t> encoded_manifest,
                                   std::span<const uint8_t> bitfield) {
    const auto header = state_header(path, encoded_manifest.size());
    const auto checksum = state_checksum(header, encoded_manifest, bitfield);
    const std::span<const uint8_t> parts[] = {header, encoded_manifest, bitfield, checksum};
    return write_file_atomically(file, parts, /*durable=*/true);
}

std::expected<resume_state_view, std::error_code> view_resume_state(
    std::span<const uint8_t> bytes) {
    const auto corrupt = std::unexpected(make_error_code(errc::state_corrupt));
    if (bytes.size() < 32) return corrupt;
    const auto body = bytes.first(bytes.size() - 32);
    const auto checksum = sha256(body);
    if (std::memcmp(checksum.data(), bytes.data() + body.size(), 32) != 0) return corrupt;
    wire::byte_reader r(body);
    uint8_t magic[4];
    uint8_t version = 0;
    uint16_t path_length = 0;
    uint32_t manifest_length = 0;
    resume_state_view state;
    r.bytes(magic);
    r.u8(version);
    r.u16(path_length);
    if (path_length > wire::max_path_length) return corrupt;
    state.path = r.text_view(path_length);
    r.u32(manifest_length);
    if (!r.ok() || std::memcmp(magic, state_magic, 4) != 0 || version != state_version)
        return corrupt;
    state.encoded_manifest = r.take(manifest_length);
    if (!r.ok()) return corrupt;
    const auto piece_count = stated_piece_count(state.encoded_manifest);
    if (!piece_count) return corrupt;
    if (r.remaining() != (size_t{*piece_count} + 7) / 8) return corrupt;
    state.bitfield = r.take(r.remaining());
    return state;
}

std::expected<resume_state, std::error_code> decode_resume_state(std::span<const uint8_t> bytes) {
    const auto view = view_resume_state(bytes);
    if (!view) return std::unexpected(view.error());
    return resume_state{std::string(view->path),
                        {view->encoded_manifest.begin(), view->encoded_manifest.end()},
                        {view->bitfield.begin(), view->bitfield.end()}};
}

std::error_code piece_journal::open(const std::filesystem::path& path) {
    fd_.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (!fd_) return last_system_error();
    return {};
}

std::error_code piece_journal::append(uint32_t piece_index) {
    std::vector<uint8_t> entry;
    wire::byte_writer(entry).u32(piece_index);
    // One 4-byte O_APPEND write: whole or not at all in practice; a torn tail is ignored on read.
    if (::write(fd_.get(), entry.data(), entry.size()) != static_cast<ssize_t>(entry.size())) {
        return last_system_error();
    }
    return {};
}

std::error_code piece_journal::clear() {
    if (::ftruncate(fd_.get(), 0) != 0) return last_system_error();
    return {};
}

std::error_code piece_journal::replace(const std::filesystem::path& path,
                                       std::span<const uint32_t> pieces) {
    std::vector<uint8_t> bytes;
    wire::byte_writer out(bytes);
    for (const uint32_t piece : pieces) out.u32(piece);
    // Not fsynced, as appends are not: journaled pieces are re-hashed before they count.
    if (auto ec = write_file_atomically(path, bytes, /*durable=*/false)) return ec;
    return open(path);
}

std::vector<uint32_t> piece_journal::read(const std::filesystem::path& path, uint32_t piece_count) {
    std::vector<uint32_t> pieces;
    const auto bytes = read_small_file(path, size_t{wire::max_pieces} * 4 * 4);
    if (!bytes) return pieces;
    // A torn last entry (fewer than 4 bytes) fails the last read and ends the loop.
    wire::byte_reader r{std::span<const uint8_t>(*bytes)};
    for (uint32_t piece = 0; r.u32(piece);) {
        if (piece < piece_count) pieces.push_back(piece);
    }
    return pieces;
}

std::optional<std::vector<uint8_t>> read_resume_state_file(const std::filesystem::path& file) {
    // Header and path (< 5 KiB), the manifest, and a bitfield of at most one bit per 32-byte
    // piece hash in it: within a MiB of the manifest's bound.
    constexpr size_t max_state_bytes = wire::max_manifest_bytes + 1024 * 1024;
    return read_small_file(file, max_state_bytes);
}

}  // namespace xfer
