// Writes verified pieces to the store on its own threads, so the fetch loop never waits for the
// disk (an O_DIRECT write waits for the device; creating a tree's files costs system calls per
// file). The piece buffer travels with the job and comes back with the result for reuse; only
// the loop thread calls these methods. A piece counts (journal, bit, HAVE) only once its result
// is taken and it was written without error.
//
// The queue is bounded in bytes: has_room_for() says whether another piece may be submitted
// (one piece always may, so a piece larger than the bound still goes). Pieces the writer has no
// room for wait in the fetcher, in buffers counted by its memory budget, so a slow disk slows
// the requests instead of growing memory.
//
// One thread writes a single file (results in submission order); a tree's pieces go to a few
// threads at once (results in any order), since creating thousands of small files, not bytes,
// is its cost.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <system_error>
#include <vector>
#include <zmq.hpp>

#include "shared/core/aligned_bytes.hpp"
#include "shared/core/notifying_worker.hpp"

namespace xfer::receiver {

struct write_job {
    uint32_t piece = 0;
    aligned_bytes data;
    uint32_t length = 0;
};

struct write_result {
    uint32_t piece = 0;
    std::error_code error;  // set: the piece is not written (and must not count)
    aligned_bytes data;     // the buffer, handed back for reuse
    uint32_t length = 0;
};

class piece_writer {
  public:
    // Writes one piece's bytes; called on a writer thread (the store's write_piece_data, or a
    // test's stand-in).
    using write_fn = std::function<std::error_code(uint32_t piece, std::span<const uint8_t>)>;

    piece_writer(zmq::context_t& context, unsigned threads, uint64_t max_queued_bytes,
                 write_fn write)
        : max_queued_bytes_(max_queued_bytes),
          worker_(context, threads, [write = std::move(write)](write_job& job) {
              write_result result{job.piece, {}, std::move(job.data), job.length};
              result.error = write(job.piece, {result.data.get(), result.length});
              return result;
          }) {}

    bool has_room_for(uint64_t bytes) const {
        return queued_bytes_ == 0 || queued_bytes_ + bytes <= max_queued_bytes_;
    }
    void submit(write_job job) {
        queued_bytes_ += job.length;
        worker_.submit(std::move(job));
    }
    // Poll this (ZMQ_POLLIN) in the loop; then call take_results().
    zmq::socket_t& ready_socket() { return worker_.ready_socket(); }
    std::vector<write_result> take_results() {
        auto results = worker_.take_results();
        for (const auto& result : results) queued_bytes_ -= result.length;
        return results;
    }
    // Pieces submitted whose results were not taken yet, and their bytes.
    size_t in_progress() const { return worker_.in_progress(); }
    uint64_t queued_bytes() const { return queued_bytes_; }

  private:
    const uint64_t max_queued_bytes_;
    uint64_t queued_bytes_ = 0;
    notifying_worker<write_job, write_result> worker_;
};

}  // namespace xfer::receiver
