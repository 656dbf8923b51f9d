// A streamed manifest as a receiver assembles it: a MANIFEST_HEAD prefix, then MANIFEST_HASHES
// runs from one source. Whatever the bytes, the assembly never knows more hashes than pieces,
// never goes backwards, and once complete holds a manifest that the ordinary decoder accepts.
//
// Input: u32 known | u32 prefix_length | prefix | then runs of (u32 first | u8 count | count x 32)
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "shared/manifest/manifest_stream.hpp"
#include "shared/store/content_geometry.hpp"
#include "shared/wire/byte_io.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    xfer::wire::byte_reader r(std::span<const uint8_t>(data, size));
    const uint32_t known = r.u32();
    const uint32_t prefix_length = r.u32();
    if (!r.ok() || prefix_length > r.remaining()) return 0;
    auto assembly = xfer::manifest_assembly::from_head(r.take(prefix_length), known);
    if (!assembly) return 0;
    XFER_FUZZ_CHECK(assembly->known() == known && known < assembly->piece_count());
    uint32_t next = known;
    while (r.remaining() >= 5) {
        const uint32_t first = r.u32();
        const uint8_t count = r.u8();
        std::vector<xfer::sha256_digest> hashes(count);
        for (auto& hash : hashes) r.bytes(hash);
        if (!r.ok()) break;
        const uint32_t before = assembly->known();
        const auto ec = assembly->add(next, first, hashes);
        XFER_FUZZ_CHECK(assembly->known() >= before);
        XFER_FUZZ_CHECK(assembly->known() <= assembly->piece_count());
        XFER_FUZZ_CHECK(ec || next == first + count);
        if (assembly->complete()) break;
    }
    if (assembly->complete()) {
        const auto again = xfer::decode_content_geometry(assembly->encoding());
        XFER_FUZZ_CHECK(again && again->piece_count() == assembly->piece_count());
        XFER_FUZZ_CHECK(!assembly->check_root(assembly->id()));
    }
    return 0;
}
