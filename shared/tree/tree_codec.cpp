// The tree manifest's bytes (docs/PROTOCOL.md, "Tree manifest"):
//   "XFTR" | u8 version=1 | u32 piece_size | u32 entry_count | u32 piece_count
//   | entry_count x entry | piece_count x 32-byte SHA-256
//   entry: u8 kind | varint shared | varint suffix_length | suffix | varint mode
//          | varint zigzag(mtime_ns - previous mtime_ns)
//          | file: varint size | symlink: varint target_length | target
// Paths are prefix-compressed against the previous entry, which in canonical order shares its
// directory, so a million small files cost some 20 bytes each. Varints are LEB128 and must be
// minimal, `shared` must be the longest common prefix: one tree, one encoding, one content id.
#include <algorithm>
#include <cstring>

#include "shared/core/error.hpp"
#include "shared/tree/tree_manifest.hpp"
#include "shared/wire/byte_io.hpp"
#include "shared/wire/frame.hpp"

namespace xfer::tree {
namespace {

constexpr size_t header_size = 4 + 1 + 4 + 4 + 4;
// kind, shared, suffix_length, mode, mtime delta: a bound on how many entries the remaining
// bytes can hold, checked before the entry vector is reserved.
constexpr size_t min_entry_size = 5;

void put_varint(wire::byte_writer& w, uint64_t value) {
    while (value >= 0x80) {
        w.u8(static_cast<uint8_t>(value | 0x80));
        value >>= 7;
    }
    w.u8(static_cast<uint8_t>(value));
}

// A minimal LEB128 of at most 64 bits; anything else fails the reader.
uint64_t get_varint(wire::byte_reader& r) {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        const uint8_t byte = r.u8();
        if (!r.ok()) return 0;
        const uint64_t bits = byte & 0x7f;
        if (shift == 63 && bits > 1) break;  // beyond 64 bits
        value |= bits << shift;
        if ((byte & 0x80) == 0) {
            if (byte == 0 && shift != 0) break;  // overlong: a trailing zero group
            return value;
        }
    }
    r.fail();
    return 0;
}

uint64_t zigzag(uint64_t delta) {
    return (delta << 1) ^ (0 - (delta >> 63));
}
uint64_t unzigzag(uint64_t encoded) {
    return (encoded >> 1) ^ (0 - (encoded & 1));
}

size_t common_prefix(std::string_view a, std::string_view b) {
    const auto limit = std::min(a.size(), b.size());
    return static_cast<size_t>(std::mismatch(a.begin(), a.begin() + limit, b.begin()).first -
                               a.begin());
}

void encode_entry(wire::byte_writer& w, const entry& e, const entry* previous) {
    const std::string_view previous_path = previous ? std::string_view(previous->path) : "";
    const uint64_t previous_mtime = previous ? static_cast<uint64_t>(previous->mtime_ns) : 0;
    const size_t shared = common_prefix(previous_path, e.path);
    w.u8(static_cast<uint8_t>(e.kind));
    put_varint(w, shared);
    put_varint(w, e.path.size() - shared);
    w.bytes(std::string_view(e.path).substr(shared));
    put_varint(w, e.mode);
    put_varint(w, zigzag(static_cast<uint64_t>(e.mtime_ns) - previous_mtime));
    if (e.kind == entry_kind::file) put_varint(w, e.size);
    if (e.kind == entry_kind::symlink) {
        put_varint(w, e.link_target.size());
        w.bytes(e.link_target);
    }
}

std::error_code decode_entry(wire::byte_reader& r, entry& e, const entry* previous) {
    const std::string_view previous_path = previous ? std::string_view(previous->path) : "";
    const uint64_t previous_mtime = previous ? static_cast<uint64_t>(previous->mtime_ns) : 0;
    e.size = 0;  // `e` is reused: only its kind's fields are read
    e.link_target.clear();
    const uint8_t kind = r.u8();
    const uint64_t shared = get_varint(r);
    const uint64_t suffix_length = get_varint(r);
    if (!r.ok()) return errc::manifest_invalid;
    if (kind < 1 || kind > 3) return errc::tree_entry_invalid;
    e.kind = static_cast<entry_kind>(kind);
    if (shared > previous_path.size()) return errc::manifest_invalid;
    // An empty suffix (a repeat, or a prefix of the previous path) is left to validate(), so the
    // decoder names the same rule validate() does.
    if (suffix_length > max_path_length - shared) return errc::tree_path_invalid;
    const auto suffix = r.text_view(static_cast<size_t>(suffix_length));
    if (!r.ok()) return errc::manifest_invalid;
    if (!suffix.empty() && shared < previous_path.size() && suffix.front() == previous_path[shared])
        return errc::manifest_invalid;  // not the longest common prefix
    e.path.reserve(shared + suffix.size());
    e.path.assign(previous_path.substr(0, shared));
    e.path.append(suffix);
    const uint64_t mode = get_varint(r);
    e.mtime_ns = static_cast<int64_t>(unzigzag(get_varint(r)) + previous_mtime);
    if (e.kind == entry_kind::file) e.size = get_varint(r);
    if (e.kind == entry_kind::symlink) {
        const uint64_t target_length = get_varint(r);
        if (target_length > max_link_target_length) return errc::tree_entry_invalid;
        e.link_target.assign(r.text_view(static_cast<size_t>(target_length)));
    }
    if (!r.ok()) return errc::manifest_invalid;
    if (mode > UINT32_MAX) return errc::tree_entry_invalid;
    e.mode = static_cast<uint32_t>(mode);  // its bits are validate()'s to judge
    return {};
}

}  // namespace

std::vector<uint8_t> encode_tree_manifest(const tree_manifest& manifest) {
    std::vector<uint8_t> out;
    // About 10 bytes an entry for paths that share their directory (front-coded); 24 reserved
    // left a 1,000,000-entry tree's encoding 14 MB too large for as long as it was kept, and made
    // every transient one (the serve's cache key) that large (issue 11).
    out.reserve(header_size + manifest.entries.size() * 12 + manifest.piece_hashes.size() * 32);
    wire::byte_writer w(out);
    w.bytes(tree_manifest_magic);
    w.u8(tree_manifest_version);
    w.u32(manifest.piece_size);
    w.u32(static_cast<uint32_t>(manifest.entries.size()));
    w.u32(static_cast<uint32_t>(manifest.piece_hashes.size()));
    entry previous;  // a copy: the table's iterator decodes each entry over the last
    bool first = true;
    for (const auto& e : manifest.entries) {
        encode_entry(w, e, first ? nullptr : &previous);
        previous = e;
        first = false;
    }
    for (const auto& hash : manifest.piece_hashes) w.bytes(hash);
    if (out.capacity() - out.size() > out.size() / 8) out.shrink_to_fit();  // grown: long names
    return out;
}

std::expected<tree_manifest, std::error_code> decode_tree_manifest(
    std::span<const uint8_t> encoded) {
    const auto invalid = [](std::error_code ec) { return std::unexpected(ec); };
    wire::byte_reader r(encoded);
    uint8_t magic[4];
    r.bytes(magic);
    const uint8_t version = r.u8();
    tree_manifest manifest;
    manifest.piece_size = r.u32();
    const uint32_t entry_count = r.u32();
    const uint32_t piece_count = r.u32();
    if (!r.ok() || std::memcmp(magic, tree_manifest_magic.data(), 4) != 0 ||
        version != tree_manifest_version) {
        return invalid(errc::manifest_invalid);
    }
    if (entry_count > max_tree_entries) return invalid(errc::tree_too_large);
    if (piece_count > wire::max_pieces) return invalid(errc::manifest_invalid);
    // Both counts against the bytes present, before anything is reserved for them.
    if (r.remaining() < size_t{entry_count} * min_entry_size + size_t{piece_count} * 32)
        return invalid(errc::manifest_invalid);
    // Entry by entry into the compact table, which costs about what the encoding does.
    // The table keeps a size and a target length for every kind (2 bytes more at most) and
    // restarts its front coding now and then: reserved once, never doubled.
    const size_t entry_bytes = r.remaining() - size_t{piece_count} * 32;
    manifest.entries.reserve(entry_count, entry_bytes / std::max<size_t>(entry_count, 1) + 4);
    entry previous, e;
    for (uint32_t index = 0; index < entry_count; ++index) {
        if (const auto ec = decode_entry(r, e, index == 0 ? nullptr : &previous))
            return invalid(ec);
        manifest.entries.push_back(e);
        std::swap(previous, e);
    }
    if (r.remaining() != size_t{piece_count} * 32) return invalid(errc::manifest_invalid);
    manifest.piece_hashes.resize(piece_count);
    for (auto& hash : manifest.piece_hashes) r.bytes(hash);
    if (const auto ec = validate(manifest)) return invalid(ec);
    // validate() accepts "not hashed yet"; a manifest on the wire or on disk carries its hashes.
    if (manifest.piece_hashes.size() != manifest.piece_count())
        return invalid(errc::manifest_invalid);
    return manifest;
}

}  // namespace xfer::tree
