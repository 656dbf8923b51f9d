// Hashes completed piece buffers on worker threads, so SHA-256 runs on the other core while the
// network thread keeps receiving. Only the piece number and the verdict cross back; the bytes
// stay in their buffer, owned by the fetcher until the verdict arrives.
#pragma once

#include <span>
#include <zmq.hpp>

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
    piece_verifier(zmq::context_t& context, unsigned threads)
        : notifying_worker(context, threads, [](verify_job& job) {
              return verify_result{job.piece, sha256(job.data) == job.expected};
          }) {}
};

}  // namespace xfer::receiver
