#include "shared/store/resume_state.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "shared/core/error.hpp"
#include "shared/hash/sha256.hpp"
#include "shared/manifest/manifest.hpp"
#include "shared/store/atomic_file.hpp"
#include "shared/store/content_geometry.hpp"
#include "shared/wire/byte_io.hpp"
#include "shared/wire/frame.hpp"

namespace xfer {
namespace {
constexpr uint8_t state_magic[4] = {'X', 'F', 'S', 'T'};
constexpr uint8_t state_version = 1;
}  // namespace

std::vector<uint8_t> encode_resume_state(const resume_state& state) {
    std::vector<uint8_t> out;
    wire::byte_writer w(out);
    w.bytes(std::span<const uint8_t>(state_magic));
    w.u8(state_version);
    w.string16(state.path);
    w.u32(static_cast<uint32_t>(state.encoded_manifest.size()));
    w.bytes(state.encoded_manifest);
    w.bytes(state.bitfield);
    const auto checksum = sha256(out);
    w.bytes(checksum);
    return out;
}

std::expected<resume_state, std::error_code> decode_resume_state(std::span<const uint8_t> bytes) {
    const auto corrupt = std::unexpected(make_error_code(errc::state_corrupt));
    if (bytes.size() < 32) return corrupt;
    const auto body = bytes.first(bytes.size() - 32);
    const auto checksum = sha256(body);
    if (std::memcmp(checksum.data(), bytes.data() + body.size(), 32) != 0) return corrupt;
    wire::byte_reader r(body);
    uint8_t magic[4];
    uint8_t version = 0;
    uint32_t manifest_length = 0;
    resume_state state;
    r.bytes(magic);
    r.u8(version);
    r.string16(state.path, wire::max_path_length);
    r.u32(manifest_length);
    if (!r.ok() || std::memcmp(magic, state_magic, 4) != 0 || version != state_version)
        return corrupt;
    const auto encoded = r.take(manifest_length);
    if (!r.ok()) return corrupt;
    state.encoded_manifest.assign(encoded.begin(), encoded.end());
    const auto decoded = decode_content_geometry(state.encoded_manifest);
    if (!decoded) return corrupt;
    if (r.remaining() != (decoded->piece_count() + 7) / 8) return corrupt;
    const auto bits = r.take(r.remaining());
    state.bitfield.assign(bits.begin(), bits.end());
    return state;
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

}  // namespace xfer
