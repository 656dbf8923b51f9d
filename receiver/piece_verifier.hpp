// Hashes completed piece buffers on worker threads, so SHA-256 runs on the other core while the
// network thread keeps receiving. Completions come back over a ZeroMQ PAIR that the receiver's
// zmq::poll loop watches; the piece bytes stay in their buffer (only the piece number and the
// verdict cross threads).
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "shared/core/ids.hpp"

namespace xfer::receiver {

struct verify_job {
    uint32_t piece = 0;
    std::span<const uint8_t> data;  // owned by the receiver until the verdict comes back
    sha256_digest expected{};
};

struct verify_result {
    uint32_t piece = 0;
    bool ok = false;
};

class piece_verifier {
public:
    piece_verifier(zmq::context_t& context, unsigned threads);
    ~piece_verifier();

    void submit(const verify_job& job);
    zmq::socket_t& ready_socket() { return ready_; }
    std::vector<verify_result> take_results();
    size_t in_progress() const;

private:
    void run();

    zmq::context_t& context_;
    std::string endpoint_;
    zmq::socket_t ready_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<verify_job> jobs_;
    std::vector<verify_result> results_;
    size_t in_progress_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> workers_;
};

}  // namespace xfer::receiver
