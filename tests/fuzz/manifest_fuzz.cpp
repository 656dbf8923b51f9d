// The manifest a peer sends (MANIFEST body) and a resume state holds: a manifest that decodes
// encodes back to the same bytes, and its piece arithmetic stays inside the file.
#include <cstddef>
#include <cstdint>
#include <span>

#include "shared/manifest/manifest.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto decoded = xfer::decode_manifest(std::span<const uint8_t>(data, size));
    if (!decoded) return 0;
    const auto again = xfer::decode_manifest(xfer::encode_manifest(*decoded));
    XFER_FUZZ_CHECK(again && *again == *decoded);
    const auto pieces = decoded->piece_count();
    if (pieces > 0) {
        const auto last = pieces - 1;
        XFER_FUZZ_CHECK(decoded->piece_offset(last) + decoded->piece_length(last) ==
                        decoded->file_size);
    }
    return 0;
}
