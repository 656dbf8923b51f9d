// A directory tree's manifest: its entries (directories, files, symlinks with their metadata) and
// one SHA-256 per piece, where pieces span the concatenation of the files in entry order
// (BitTorrent v1). The SHA-256 of its encoding (content_id_of) is the tree's content id.
//
// Everything that reads a tree manifest from a peer or from disk goes through
// decode_tree_manifest, which enforces every rule of validate(): a decoded manifest names only
// clean relative paths, each under a listed directory, none under a file or a symlink, and only
// symlinks whose targets stay inside the tree. The byte layout and the rules are in
// docs/PROTOCOL.md, "Tree manifest".
//
// Canonical order (the interface said "sorted by path bytes, parents before children"; made
// precise here): paths compare component by component, components by their bytes, which is
// byte order with '/' ranked below every other byte. It is the order of a depth-first walk that
// visits names sorted by bytes, so every directory's subtree follows it without a gap. Build
// manifests with path_less / sort_canonical; a scanner walk produces it directly.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "shared/core/ids.hpp"
#include "shared/tree/entry_table.hpp"
#include "shared/tree/tree_entry.hpp"

namespace xfer::tree {

// Format bounds, checked before anything is allocated on decode (docs/PROTOCOL.md).
inline constexpr size_t max_tree_entries = 2'000'000;
inline constexpr size_t max_path_length = 4096;      // bytes of an entry path
inline constexpr size_t max_component_length = 255;  // bytes of one path component (NAME_MAX)
inline constexpr size_t max_link_target_length = 4096;
inline constexpr uint32_t permission_mask = 01777;  // rwx for all, sticky; never setuid/setgid
inline constexpr std::string_view tree_manifest_magic = "XFTR";
inline constexpr uint8_t tree_manifest_version = 1;

struct tree_manifest {
    uint32_t piece_size = 0;                  // a power of two, min_piece_size..max_piece_size
    entry_table entries;                      // canonical order (above); compact
    std::vector<sha256_digest> piece_hashes;  // empty until hashed, then piece_count() of them

    // Sum of the file sizes (O(entries)).
    uint64_t total_file_bytes() const;
    // ceil(total_file_bytes / piece_size), from the entries: right before hashing too.
    uint32_t piece_count() const;

    friend bool operator==(const tree_manifest&, const tree_manifest&) = default;
};

// The canonical order: true when `a` sorts before `b` (component-wise byte order).
bool path_less(std::string_view a, std::string_view b);
void sort_canonical(std::vector<entry>& entries);

// Mode bits as a manifest keeps them: permission bits and sticky, setuid/setgid cleared.
inline uint32_t sanitize_mode(uint32_t st_mode) {
    return st_mode & permission_mask;
}

// Checks every rule the decoder enforces (bounds, paths, order, parents, symlink confinement,
// piece size); piece_hashes may be empty (not hashed yet) or must hold exactly piece_count().
// On failure `failing_entry`, when given, receives the index of the offending entry (or
// entries.size() for a fault of the whole manifest).
std::error_code validate(const tree_manifest& manifest, size_t* failing_entry = nullptr);

// The rules of validate() that concern one entry alone (its path, kind, mode, size and
// symlink confinement), without its neighbours: what a scanner checks before keeping an entry.
std::error_code check_entry(const entry& e);

// Encodes any manifest, valid or not (tests build hostile ones with it), writing only the fields
// of each entry's kind (a directory's size or a file's link target is not written); lengths
// beyond the format bounds make an encoding the decoder rejects.
std::vector<uint8_t> encode_tree_manifest(const tree_manifest& manifest);
// Accepts exactly the encodings encode_tree_manifest makes of valid manifests with their
// hashes: every count bounded against the bytes present before anything is reserved, every
// field canonical (so one tree has one content id), every rule of validate(), no trailing bytes.
std::expected<tree_manifest, std::error_code> decode_tree_manifest(
    std::span<const uint8_t> encoded);
// The magic "XFTR" (a file manifest starts "XFMF"): which decoder a stored manifest needs.
bool looks_like_tree_manifest(std::span<const uint8_t> encoded);

}  // namespace xfer::tree
