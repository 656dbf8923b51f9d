// Hashes completed piece buffers on worker threads, so SHA-256 runs on the other core while the
// network thread keeps receiving. Only the piece number and the verdict cross back; the bytes
// stay in their buffer, owned by the fetcher until the verdict arrives.
#pragma once

#include <memory>
#include <span>
#include <zmq.hpp>

#include "receiver/fetch_stats.hpp"
#include "shared/core/ids.hpp"
#include "shared/core/notifying_worker.hpp"
#include "shared/hash/sha256.hpp"

namespace xfer::receiver {

struct verify_job {
    uint32_t piece = 0;
    std::span<const uint8_t> data;
    sha256_digest expected{};
};

struct verify_result {
    uint32_t piece = 0;
    bool ok = false;
};

class piece_verifier : public notifying_worker<verify_job, verify_result> {
  public:
    // `meter` (optional) is told each piece's hashing time and bytes (fetch --stats).
    piece_verifier(zmq::context_t& context, unsigned threads,
                   std::shared_ptr<fetch_meter> meter = nullptr)
        : notifying_worker(context, threads, [meter = std::move(meter)](verify_job& job) {
              const auto started = fetch_meter::clock::now();
              const bool ok = sha256(job.data) == job.expected;
              if (meter) meter->hashed(started, job.data.size());
              return verify_result{job.piece, ok};
          }) {}
};

}  // namespace xfer::receiver
