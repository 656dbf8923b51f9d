// What a partial file has verified, on disk, so a killed fetch resumes where it was.
//
// Two files per partial in ROOT/.xfer/partial/, named by a hash of the final relative path:
//   KEY.state    checkpoint, replaced atomically (temp, fsync, rename) after the part file's
//                data is fdatasync'ed:
//                "XFST" | u8 version=1 | u16 path_len | path | u32 manifest_len | manifest
//                | ceil(pieces/8) bitfield bytes | SHA-256 of everything before it
//   KEY.journal  piece indices (u32 BE) appended after each verified piece is written, since the
//                last checkpoint. Survives kill -9 (page cache); after a power cut its pieces may
//                not be on disk, so on resume they are re-hashed before they count.
#pragma once

#include <expected>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "shared/core/fd.hpp"

namespace xfer {

struct resume_state {
    std::string path;  // final relative path of the file
    std::vector<uint8_t> encoded_manifest;
    std::vector<uint8_t> bitfield;  // wire form, piece 0 = MSB of byte 0
};

std::vector<uint8_t> encode_resume_state(const resume_state& state);
// The same from the parts, with no copy of the manifest (a tree's is ~15 bytes per entry) and
// the output allocated once at its final size: a checkpoint every 2 s of a 1,000,000-entry tree
// held four copies at once.
std::vector<uint8_t> encode_resume_state(std::string_view path,
                                         std::span<const uint8_t> encoded_manifest,
                                         std::span<const uint8_t> bitfield);
// The checkpoint of those parts written to `file` (write_file_atomically, durable) from the
// parts themselves: no buffer of the state's size, which for a 1,000,000-entry tree was another
// copy of its manifest every 2 s (issue 11). The same bytes as encode_resume_state.
std::error_code write_resume_state(const std::filesystem::path& file, std::string_view path,
                                   std::span<const uint8_t> encoded_manifest,
                                   std::span<const uint8_t> bitfield);

// A decoded state whose fields are views into the bytes it was decoded from.
struct resume_state_view {
    std::string_view path;
    std::span<const uint8_t> encoded_manifest;
    std::span<const uint8_t> bitfield;
};
// A checkpoint's bytes from `file`, if it is there and no larger than a state can be: the
// largest manifest the wire allows (a 1,000,000-entry tree's is ~10 MB) plus its bitfield and
// header. Every reader uses this one bound: 8 MiB in three of them kept a partial tree of
// 1,000,000 entries from being served by another process (issue 11).
std::optional<std::vector<uint8_t>> read_resume_state_file(const std::filesystem::path& file);

// errc::state_corrupt on a bad magic, checksum, or sizes that do not match the manifest.
std::expected<resume_state, std::error_code> decode_resume_state(std::span<const uint8_t> bytes);
// The same checks, with nothing copied: a tree's state is mostly its manifest, and a caller that
// only compares its content id or takes its bitfield needs no second copy of it.
std::expected<resume_state_view, std::error_code> view_resume_state(std::span<const uint8_t> bytes);

class piece_journal {
  public:
    std::error_code open(const std::filesystem::path& path);
    std::error_code append(uint32_t piece_index);
    std::error_code clear();
    // The journal at `path` becomes exactly `pieces`, in one rename: a reader (another process
    // serving this partial) sees the old entries or the new ones, never neither.
    std::error_code replace(const std::filesystem::path& path, std::span<const uint32_t> pieces);
    // Entries below piece_count; a torn last entry is ignored.
    static std::vector<uint32_t> read(const std::filesystem::path& path, uint32_t piece_count);

  private:
    unique_fd fd_;
};

}  // namespace xfer
