#include "shared/manifest/file_hasher.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

#include "shared/core/error.hpp"
#include "shared/hash/sha256.hpp"
#include "shared/wire/frame.hpp"

namespace xfer {
namespace {

constexpr size_t read_chunk = 1024 * 1024;

std::error_code hash_range(int fd, uint64_t offset, uint32_t length, sha256_hasher& hasher,
                           std::vector<uint8_t>& buffer, sha256_digest& out) {
    hasher.reset();
    uint64_t done = 0;
    while (done < length) {
        const size_t want = std::min<uint64_t>(buffer.size(), length - done);
        const ssize_t got = ::pread(fd, buffer.data(), want, static_cast<off_t>(offset + done));
        if (got < 0) {
            if (errno == EINTR) continue;
            return last_system_error();
        }
        if (got == 0) return errc::content_changed;  // the file shrank under us
        hasher.update({buffer.data(), static_cast<size_t>(got)});
        done += static_cast<uint64_t>(got);
    }
    out = hasher.finish();
    return {};
}

}  // namespace

std::expected<manifest, std::error_code> hash_file(int fd, uint64_t file_size, unsigned threads,
                                                   const std::atomic<bool>* stop) {
    manifest m;
    m.file_size = file_size;
    m.piece_size = choose_piece_size(file_size);
    // Over 2 TiB no manifest can describe the file (max_pieces of the largest piece size):
    // refuse now rather than after hours of hashing whose result every decoder rejects.
    if (file_size > uint64_t{wire::max_pieces} * m.piece_size) {
        return std::unexpected(std::make_error_code(std::errc::file_too_large));
    }
    m.piece_hashes.resize(piece_count_for(file_size, m.piece_size));
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);

    std::atomic<uint32_t> next_piece{0};
    std::vector<std::error_code> errors(std::max(1u, threads));
    auto worker = [&](unsigned worker_index) {
        sha256_hasher hasher;
        std::vector<uint8_t> buffer(std::min<size_t>(read_chunk, m.piece_size));
        for (;;) {
            if (stop != nullptr && stop->load(std::memory_order_relaxed)) {
                errors[worker_index] = errc::cancelled;
                return;
            }
            const uint32_t piece = next_piece.fetch_add(1);
            if (piece >= m.piece_count()) return;
            const auto ec = hash_range(fd, m.piece_offset(piece), m.piece_length(piece), hasher,
                                       buffer, m.piece_hashes[piece]);
            if (ec) {
                errors[worker_index] = ec;
                next_piece.store(m.piece_count());
                return;
            }
        }
    };
    const unsigned count = std::clamp(threads, 1u, std::max(1u, m.piece_count()));
    std::vector<std::jthread> pool;
    for (unsigned i = 1; i < count; ++i) pool.emplace_back(worker, i);
    worker(0);
    pool.clear();
    for (const auto& ec : errors) {
        if (ec) return std::unexpected(ec);
    }
    return m;
}

std::expected<sha256_digest, std::error_code> hash_piece_on_disk(int fd, const manifest& m,
                                                                 uint32_t piece_index) {
    sha256_hasher hasher;
    std::vector<uint8_t> buffer(std::min<size_t>(read_chunk, m.piece_size));
    sha256_digest digest{};
    const auto ec = hash_range(fd, m.piece_offset(piece_index), m.piece_length(piece_index), hasher,
                               buffer, digest);
    if (ec) return std::unexpected(ec);
    return digest;
}

}  // namespace xfer
