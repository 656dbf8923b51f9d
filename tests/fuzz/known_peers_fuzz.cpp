// CONFIG/trust/known_peers as found on disk (hand-edited, or holding names peers gave): parsing
// never crashes, keeps every bound, and what it writes back parses to the same table.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shared/trust/known_peers_file.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace xfer::trust;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto loaded = parse_known_peers(text, "fuzz");
    XFER_FUZZ_CHECK(loaded.table.size() <= max_known_peers);
    for (const auto& peer : loaded.table.all()) {
        XFER_FUZZ_CHECK(peer.name.size() <= max_name_bytes);
        XFER_FUZZ_CHECK(peer.addresses.size() <= max_addresses_per_peer);
    }
    const auto again =
        parse_known_peers(format_known_peers(loaded.table, loaded.unreadable_lines), "fuzz");
    XFER_FUZZ_CHECK(again.table.size() == loaded.table.size());
    for (const auto& peer : loaded.table.all()) {
        const auto* found = again.table.find(peer.id);
        XFER_FUZZ_CHECK(found && found->name == peer.name && found->trust == peer.trust &&
                        found->addresses == peer.addresses);
    }
    return 0;
}
