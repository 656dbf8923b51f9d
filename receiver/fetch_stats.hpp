// Where a fetch's time went, measured inside it for `xfer fetch --stats` and the --json done
// event (docs/JSON.md defines every figure). The meter costs two steady_clock reads per piece
// hashed, per piece written and per poll of the fetch loop, and one getrusage(RUSAGE_THREAD)
// per piece on the verifier and writer threads (a thread's CPU is known when it has ended: the
// writer is replaced when a streamed manifest completes).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "receiver/download_connection.hpp"

namespace xfer::receiver {

struct thread_cpu {
    std::string role;  // "tls/recv" (the fetch loop), "hash 1", "writer", ...
    double user_seconds = 0;
    double system_seconds = 0;
};

struct source_wait {
    std::string address;
    double wait_seconds = 0;  // the loop idle in poll while this source owed requested data
    uint64_t bytes = 0;       // received from it
};

struct fetch_stats {
    double seconds = 0;  // wall time from the fetcher's start until the file is in place
    // The fetch loop blocked in poll: nothing to read, hash results or writes to take.
    double loop_idle_seconds = 0;
    // Of that, while at least one source owed data we had asked for.
    double network_wait_seconds = 0;
    std::vector<source_wait> sources;
    uint64_t limit_down = 0;  // --limit-down (bytes/s), 0: none; it makes sources look slow
    unsigned hash_threads = 0;
    double hash_busy_seconds = 0;  // all verifier threads together
    uint64_t hashed_bytes = 0;
    unsigned writer_threads = 0;
    double write_busy_seconds = 0;  // all writer threads together, inside the store's write
    uint64_t written_bytes = 0;
    double sync_seconds = 0;  // the final fsync (a tree: of its files) and rename into place
    std::vector<thread_cpu> threads;
};

// Shared by the fetch loop and the verifier and writer threads; thread safe.
class fetch_meter {
  public:
    using clock = std::chrono::steady_clock;

    fetch_meter();  // on the loop thread: its CPU counts from here
    fetch_meter(const fetch_meter&) = delete;
    fetch_meter& operator=(const fetch_meter&) = delete;

    // On a verifier thread, after each piece: `started` is when its hash began.
    void hashed(clock::time_point started, uint64_t bytes);
    // On a writer thread, after each piece.
    void wrote(clock::time_point started, uint64_t bytes);
    // On the loop thread, after each poll that began at `started`.
    // `in_flight(key)`: the bytes the fetch has outstanding from that source.
    void polled(clock::time_point started,
                const std::map<uint64_t, std::unique_ptr<download_connection>>& connections,
                const std::function<uint64_t(uint64_t)>& in_flight);
    // On the loop thread, around the final fsync and rename.
    void synced(clock::time_point started);

    // Everything so far, with each thread's CPU read now. `hash_threads` and `writer_threads`
    // as configured (a thread that never got a piece has no CPU line).
    fetch_stats snapshot(unsigned hash_threads, unsigned writer_threads, uint64_t limit_down) const;

  private:
    enum class role { hash, writer };
    // The calling thread's CPU so far, recorded in its line (made on its first piece).
    void record_cpu(role kind);

    const clock::time_point started_ = clock::now();
    thread_cpu loop_cpu_at_start_;
    mutable std::mutex mutex_;  // guards everything below but the loop thread's own figures
    struct worker_thread {
        role kind;
        unsigned number = 0;  // 1, 2, ... in the order of their first piece, per kind
        thread_cpu cpu;
    };
    std::vector<worker_thread> workers_;
    unsigned hash_thread_count_ = 0;
    unsigned writer_thread_count_ = 0;
    clock::duration hash_busy_{};
    uint64_t hashed_bytes_ = 0;
    clock::duration write_busy_{};
    uint64_t written_bytes_ = 0;
    // The loop thread's alone (snapshot runs on it too).
    clock::duration loop_idle_{};
    clock::duration network_wait_{};
    clock::duration sync_{};
    std::map<uint64_t, source_wait> sources_;  // by connection key, in connection order
};

// User and system CPU seconds of the calling thread (getrusage RUSAGE_THREAD).
thread_cpu this_thread_cpu();

}  // namespace xfer::receiver
