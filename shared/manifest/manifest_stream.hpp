// A manifest whose piece hashes arrive after its header (docs/PROTOCOL.md, "Streamed manifest"):
// MANIFEST_HEAD carries the header (and a tree's entries) with the hashes known so far, then
// MANIFEST_HASHES frames carry the next ones in order. Pure: no I/O, no threads.
//
// Every manifest, file or tree, ends with its piece_count hashes, and nothing before them
// depends on them. So a head with k of n hashes is checked by appending n - k placeholder hashes
// and running the ordinary decoder over that: one decoder, every rule of a complete manifest,
// and a buffer of exactly the final encoding's size (at most wire::max_manifest_bytes).
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

#include "shared/core/ids.hpp"
#include "shared/manifest/manifest.hpp"

namespace xfer {

// The first `known` hashes of a manifest encoding, and what a MANIFEST_HEAD carries: the
// encoding cut after them. `encoded` is a complete encoding (file or tree).
std::vector<uint8_t> manifest_prefix(std::span<const uint8_t> encoded, uint32_t known);
// Bytes of a complete encoding before its hashes.
size_t hashes_offset(std::span<const uint8_t> encoded, uint32_t piece_count);

// The receiver's view of one content's manifest while its hashes arrive, from one or several
// sources. Each source's stream is in order from piece 0; the fetch knows the longest prefix
// any of them sent, and every source must agree with it.
class manifest_assembly {
  public:
    // From MANIFEST_HEAD: the prefix holds the header, a tree's entries and `known` hashes,
    // 0 <= known < piece_count. manifest_invalid (or a tree_* code) when its fields disagree,
    // manifest_stream_invalid when `known` does not fit.
    static std::expected<manifest_assembly, std::error_code> from_head(
        std::span<const uint8_t> encoded_prefix, uint32_t known);
    // From MANIFEST: every hash known at once.
    static std::expected<manifest_assembly, std::error_code> from_complete(
        std::span<const uint8_t> encoded);

    uint32_t piece_count() const { return geometry_.piece_count(); }
    uint32_t known() const { return known_; }
    bool complete() const { return known_ == piece_count(); }
    bool is_tree() const;
    // File size, piece size and piece count; the hashes are those known, zero beyond.
    const manifest& geometry() const { return geometry_; }
    const sha256_digest& hash(uint32_t piece) const { return geometry_.piece_hashes[piece]; }

    // Hashes for pieces first .. first + size - 1 from a source whose stream had reached
    // `source_next` (advanced on success). manifest_stream_invalid: not the next in that
    // source's order (a gap or a hash sent twice) or past the piece count; content_mismatch: a
    // hash that differs from one another source sent (the two hold different contents).
    std::error_code add(uint32_t& source_next, uint32_t first,
                        std::span<const sha256_digest> hashes);
    // Another source's MANIFEST_HEAD or MANIFEST for the same content: the header and entries
    // must be the same bytes and its hashes agree. Sets `source_next` to how many it sent.
    std::error_code agree(std::span<const uint8_t> encoded, uint32_t known, uint32_t& source_next);

    // Once complete: the manifest encoding (until release_encoding()), and its content id.
    const std::vector<uint8_t>& encoding() const { return encoding_; }
    content_id id() const;
    // Once complete: hands the encoding over (to the store, which keeps it for the content), so
    // a fetch holds one copy of it, not two (for a 1,000,000-entry tree ~10 MB, issue 11). What
    // a later source's MANIFEST or MANIFEST_HEAD must agree with is kept as the content id, the
    // digest of the header and entries, and the hashes; encoding() is empty from then on.
    // Before it is complete: nothing (an empty vector), the encoding stays.
    std::vector<uint8_t> take_encoding();
    bool released() const { return released_; }
    // Once complete: manifest_root_mismatch when `wanted` is set and is not this content.
    std::error_code check_root(const std::optional<content_id>& wanted) const;

    // The encoding with `filler` in every hash: a valid manifest of this geometry that names no
    // real content, under which a receiver keeps the part file until the real one is complete.
    std::vector<uint8_t> placeholder_encoding(const sha256_digest& filler) const;
    // The same without a copy: use(encoding) is called with this assembly's own encoding, its
    // hashes set to `filler` for the call and put back after it (a tree's encoding is ~10
    // bytes an entry, and a copy of it was the peak of a cold fetch, issue 11).
    template <class Use>
    auto with_placeholder_encoding(const sha256_digest& filler, Use&& use) {
        fill_hashes(&filler);
        struct restore {
            manifest_assembly* self;
            ~restore() { self->fill_hashes(nullptr); }
        } restored{this};
        return use(std::span<const uint8_t>(encoding_));
    }

  private:
    manifest_assembly() = default;
    void put(uint32_t piece, const sha256_digest& hash);
    // Every hash of the encoding `*filler`, or (null) the known ones again and zero past them.
    void fill_hashes(const sha256_digest* filler);

    bool same_head(std::span<const uint8_t> encoded) const;

    manifest geometry_;
    std::vector<uint8_t> encoding_;  // final size; hashes past known_ are zero
    size_t hashes_at_ = 0;
    uint32_t known_ = 0;
    bool released_ = false;
    bool released_tree_ = false;   // is_tree() once released
    content_id id_{};              // once released
    sha256_digest head_digest_{};  // once released: of the encoding's bytes before its hashes
};

}  // namespace xfer
