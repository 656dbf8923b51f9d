// One entry of a directory listing: what the store reports of a shared directory and what a
// LISTING frame carries (wire::listing_entry is this type; docs/PROTOCOL.md has its encoding).
// Its own header so the store need not know the wire's message types.
#pragma once

#include <cstdint>
#include <string>

namespace xfer {

// piece_count = 0 for a complete file whose manifest is not computed yet (pieces_had is then 0
// too, and the file is complete); directories and symlinks carry zeros. A symlink is listed
// as one (with its target) only to a receiver that asked (wire::hello_feature_listing_symlinks);
// to others it is listed as what it points to, as before the kind existed.
struct listing_entry {
    enum class kind_t : uint8_t { file = 0, directory = 1, symlink = 2 };
    kind_t kind = kind_t::file;
    uint64_t size = 0;
    uint32_t pieces_had = 0;
    uint32_t piece_count = 0;
    std::string name;
    std::string link_target{};  // a symlink's, as readlink gives it; empty for the other kinds
    bool complete() const {
        return kind == kind_t::file && (piece_count == 0 || pieces_had == piece_count);
    }
    friend bool operator==(const listing_entry&, const listing_entry&) = default;
};

}  // namespace xfer
