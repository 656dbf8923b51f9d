// The tree manifest a peer sends or a cache holds: what decodes is valid, is the one canonical
// encoding of itself (so one tree has one content id), and its piece layout covers exactly the
// files' bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "shared/tree/piece_layout.hpp"
#include "shared/tree/tree_manifest.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const uint8_t> input(data, size);
    const auto decoded = xfer::tree::decode_tree_manifest(input);
    if (!decoded) return 0;
    XFER_FUZZ_CHECK(!xfer::tree::validate(*decoded));
    const auto encoded = xfer::tree::encode_tree_manifest(*decoded);
    XFER_FUZZ_CHECK(encoded.size() == size && std::equal(encoded.begin(), encoded.end(), data));
    const xfer::tree::piece_layout layout(*decoded);
    XFER_FUZZ_CHECK(layout.piece_count() == decoded->piece_hashes.size());
    std::vector<xfer::tree::segment> segments;
    uint64_t covered = 0;
    for (uint32_t piece = 0; piece < layout.piece_count(); ++piece) {
        layout.segments_of(piece, segments);
        uint64_t length = 0;
        for (const auto& s : segments) {
            XFER_FUZZ_CHECK(s.entry_index < decoded->entries.size());
            const auto e = decoded->entries[s.entry_index];
            XFER_FUZZ_CHECK(e.kind == xfer::tree::entry_kind::file && s.length > 0);
            XFER_FUZZ_CHECK(s.file_offset + s.length <= e.size);
            length += s.length;
        }
        XFER_FUZZ_CHECK(length == layout.piece_length(piece));
        covered += length;
    }
    XFER_FUZZ_CHECK(covered == decoded->total_file_bytes());
    return 0;
}
