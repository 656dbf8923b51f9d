#include "receiver/piece_verifier.hpp"

#include <atomic>
#include <utility>

#include "shared/hash/sha256.hpp"

namespace xfer::receiver {
namespace {
std::atomic<unsigned> verifier_counter{0};
}

piece_verifier::piece_verifier(zmq::context_t& context, unsigned threads)
    : context_(context),
      endpoint_("inproc://xfer-verifier-" + std::to_string(verifier_counter++)),
      ready_(context, zmq::socket_type::pull) {
    ready_.set(zmq::sockopt::linger, 0);
    ready_.bind(endpoint_);
    for (unsigned i = 0; i < std::max(1u, threads); ++i) workers_.emplace_back([this] { run(); });
}

piece_verifier::~piece_verifier() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& worker : workers_) worker.join();
}

void piece_verifier::submit(const verify_job& job) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(job);
        ++in_progress_;
    }
    wake_.notify_one();
}

std::vector<verify_result> piece_verifier::take_results() {
    std::lock_guard lock(mutex_);
    in_progress_ -= results_.size();
    return std::exchange(results_, {});
}

size_t piece_verifier::in_progress() const {
    std::lock_guard lock(mutex_);
    return in_progress_;
}

void piece_verifier::run() {
    // PUSH socket per worker (PUSH/PULL allows many workers to one loop); this thread's own.
    zmq::socket_t ready(context_, zmq::socket_type::push);
    ready.set(zmq::sockopt::linger, 0);
    ready.connect(endpoint_);
    for (;;) {
        verify_job job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
            if (stopping_) return;
            job = jobs_.front();
            jobs_.pop_front();
        }
        const bool ok = sha256(job.data) == job.expected;
        {
            std::lock_guard lock(mutex_);
            results_.push_back({job.piece, ok});
        }
        ready.send(zmq::str_buffer("v"), zmq::send_flags::dontwait);
    }
}

}  // namespace xfer::receiver
