// The manifest of a content a sender serves while it is still hashing it (docs/PROTOCOL.md,
// "Streamed manifest"): its header and a tree's entries are known from the start, its hashes
// one by one in piece order. One hashing thread appends; the sender thread reads what is known
// to send MANIFEST_HEAD and MANIFEST_HASHES. Memory: the final encoding's size, nothing more.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <system_error>
#include <vector>

#include "shared/core/ids.hpp"

namespace xfer {

class streamed_manifest {
  public:
    // `encoding`: the complete manifest encoding with any bytes in its hashes; they are filled
    // in order by add().
    streamed_manifest(std::vector<uint8_t> encoding, uint32_t piece_count);

    uint32_t piece_count() const { return piece_count_; }
    // Bytes of the complete encoding (fixed from the start).
    size_t encoding_size() const { return hashes_at_ + size_t{piece_count_} * 32; }
    // Hashes known: those of pieces 0 .. known() - 1.
    uint32_t known() const { return known_.load(std::memory_order_acquire); }
    // Hashing is over: complete (no error) or abandoned (the file changed, a read failed, the
    // sender stops).
    bool finished() const { return finished_.load(std::memory_order_acquire); }
    std::error_code error() const;

    // The hashing thread: the next piece's hash, then the end.
    void add(const sha256_digest& hash);
    void finish(std::error_code ec);

    // What the sender thread sends: the encoding up to and with the first `known` hashes (a
    // MANIFEST_HEAD's), the hashes from `first` (at most `at_most`, at most up to known()), the
    // complete encoding (once finished without error). The encodings are lent to `use` under
    // the lock, not copied: at 1,000,000 entries one is ~10 MB, and the frame `use` encodes is
    // the only copy made.
    using bytes_fn = std::function<void(std::span<const uint8_t>)>;
    void view_head(uint32_t known, const bytes_fn& use) const;
    std::vector<sha256_digest> hashes(uint32_t first, uint32_t at_most) const;
    void view_encoding(const bytes_fn& use) const;

    // How the hashes are made: calls on_hash for every piece in order, and returns how it ended
    // (it checks the content did not change meanwhile, and caches the manifest). It holds what it
    // reads (its own descriptors), never the entry, so a content nobody fetches any more is
    // still hashed to the end and cached. Set by the store before the entry is shared.
    using hash_fn = std::function<std::error_code(
        const std::function<void(const sha256_digest&)>& on_hash, const std::atomic<bool>& stop)>;
    hash_fn work;

    // Claimed once by whoever starts the hashing (the sender thread).
    bool claim_start() { return !started_.exchange(true); }
    // On the hashing thread: runs `work`, `progress` after each hash, then finish().
    void run(const std::atomic<bool>& stop, const std::function<void()>& progress);

  private:
    mutable std::mutex mutex_;  // encoding_'s hash bytes: written by add(), copied by readers
    std::vector<uint8_t> encoding_;
    const uint32_t piece_count_;
    const size_t hashes_at_;
    std::atomic<uint32_t> known_{0};
    std::atomic<bool> finished_{false};
    std::atomic<bool> started_{false};
    std::error_code error_;  // under mutex_
};

}  // namespace xfer
