#include "sender/content_opener.hpp"

#include <atomic>
#include <utility>

namespace xfer::sender {
namespace {
std::atomic<unsigned> opener_counter{0};
}

content_opener::content_opener(zmq::context_t& context, std::shared_ptr<piece_store> store)
    : store_(std::move(store)),
      ready_pull_(context, zmq::socket_type::pair),
      endpoint_("inproc://xfer-opener-" + std::to_string(opener_counter++)),
      context_(context) {
    ready_pull_.set(zmq::sockopt::linger, 0);
    ready_pull_.bind(endpoint_);
    worker_ = std::thread([this] { run(); });
}

content_opener::~content_opener() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    worker_.join();
}

void content_opener::submit(open_job job) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
}

std::vector<open_result> content_opener::take_results() {
    std::lock_guard lock(mutex_);
    return std::exchange(results_, {});
}

void content_opener::run() {
    // The worker's end of the PAIR is created, used and closed on this thread only.
    zmq::socket_t ready_push(context_, zmq::socket_type::pair);
    ready_push.set(zmq::sockopt::linger, 0);
    ready_push.connect(endpoint_);
    for (;;) {
        open_job job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
            if (stopping_) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        auto entry = store_->open_for_serving(job.path, job.wanted);
        {
            std::lock_guard lock(mutex_);
            results_.push_back({std::move(job), std::move(entry)});
        }
        ready_push.send(zmq::str_buffer("r"), zmq::send_flags::dontwait);
    }
}

}  // namespace xfer::sender
