// What the piece store tests share: a sandbox holding the store root, source contents with their
// manifests computed in memory, and helpers to peek at the store's files.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "shared/hash/sha256.hpp"
#include "shared/manifest/manifest.hpp"
#include "shared/store/piece_store.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {

// A file's bytes and its manifest, as a remote sender would offer them.
struct source_content {
    std::vector<uint8_t> bytes;
    manifest m;
    std::vector<uint8_t> encoded;
    content_id id{};

    std::span<const uint8_t> piece(uint32_t index) const {
        return std::span<const uint8_t>(bytes).subspan(m.piece_offset(index),
                                                       m.piece_length(index));
    }
};

inline source_content make_source(uint64_t size, uint64_t seed) {
    source_content s;
    s.bytes = pseudo_random_bytes(size, seed);
    s.m.file_size = size;
    s.m.piece_size = choose_piece_size(size);
    for (uint32_t index = 0; index < piece_count_for(size, s.m.piece_size); ++index) {
        s.m.piece_hashes.push_back(sha256(std::span<const uint8_t>(s.bytes).subspan(
            s.m.piece_offset(index), s.m.piece_length(index))));
    }
    s.encoded = encode_manifest(s.m);
    s.id = content_id_of(s.encoded);
    return s;
}

class store_test : public ::testing::Test {
  protected:
    std::filesystem::path root() const { return box_ / "store"; }
    // xfer's cache directory for these stores: outside the root, as in real use.
    std::filesystem::path manifest_cache_dir() const {
        return box_ / "home" / "cache" / "manifests";
    }

    std::shared_ptr<piece_store> open_store() {
        auto store = piece_store::open(root(), /*create=*/true, manifest_cache_dir());
        EXPECT_TRUE(store) << store.error().message();
        return store ? *store : nullptr;
    }

    // Everything under ROOT/.xfer/partial (state and journal files).
    std::vector<std::filesystem::path> partial_metadata() const {
        std::vector<std::filesystem::path> files;
        std::error_code ec;
        for (const auto& entry :
             std::filesystem::directory_iterator(root() / ".xfer" / "partial", ec)) {
            files.push_back(entry.path());
        }
        return files;
    }

    std::vector<uint32_t> had_pieces(const content_entry& entry) const {
        std::vector<uint32_t> pieces;
        for (uint32_t piece = 0; piece < entry.have.size(); ++piece) {
            if (entry.have.test(piece)) pieces.push_back(piece);
        }
        return pieces;
    }

    sandbox box_;
};

}  // namespace xfer::test
