// Worker threads that run jobs for one owner thread and hand the results back, waking the
// owner's zmq::poll loop through a PULL socket (each worker has its own PUSH, created, used and
// closed on that worker's thread). Used for hashing off the network threads: the sender's
// content opener and the receiver's piece verifier.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>
#include <zmq.hpp>

namespace xfer {

// One sequence for every instantiation: each worker's inproc endpoint must be unique in the
// process, whatever its job type.
inline std::atomic<unsigned>& notifying_worker_counter() {
    static std::atomic<unsigned> value{0};
    return value;
}

template <typename Job, typename Result>
class notifying_worker {
  public:
    using work_fn = std::function<Result(Job&)>;

    notifying_worker(zmq::context_t& context, unsigned threads, work_fn work)
        : context_(context),
          endpoint_("inproc://xfer-worker-" +
                    std::to_string(notifying_worker_counter().fetch_add(1))),
          ready_(context, zmq::socket_type::pull),
          work_(std::move(work)) {
        ready_.set(zmq::sockopt::linger, 0);
        ready_.bind(endpoint_);
        for (unsigned i = 0; i < std::max(1u, threads); ++i)
            workers_.emplace_back([this] { run(); });
    }

    ~notifying_worker() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        for (auto& worker : workers_) worker.join();
    }

    notifying_worker(const notifying_worker&) = delete;
    notifying_worker& operator=(const notifying_worker&) = delete;

    void submit(Job job) {
        {
            std::lock_guard lock(mutex_);
            jobs_.push_back(std::move(job));
            ++in_progress_;
        }
        wake_.notify_one();
    }

    // Poll this (ZMQ_POLLIN) in the owner's loop; then call take_results().
    zmq::socket_t& ready_socket() { return ready_; }

    // Drains the wake-up messages and returns every finished result.
    std::vector<Result> take_results() {
        zmq::message_t ignored;
        while (ready_.recv(ignored, zmq::recv_flags::dontwait)) {
        }
        std::lock_guard lock(mutex_);
        in_progress_ -= results_.size();
        return std::exchange(results_, {});
    }

    // Jobs submitted whose results were not taken yet.
    size_t in_progress() const {
        std::lock_guard lock(mutex_);
        return in_progress_;
    }

  private:
    void run() {
        zmq::socket_t ready(context_, zmq::socket_type::push);
        ready.set(zmq::sockopt::linger, 0);
        ready.connect(endpoint_);
        for (;;) {
            Job job;
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
                if (stopping_) return;
                job = std::move(jobs_.front());
                jobs_.pop_front();
            }
            Result result = work_(job);
            {
                std::lock_guard lock(mutex_);
                results_.push_back(std::move(result));
            }
            ready.send(zmq::str_buffer("r"), zmq::send_flags::dontwait);
        }
    }

    zmq::context_t& context_;
    std::string endpoint_;
    zmq::socket_t ready_;
    work_fn work_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> jobs_;
    std::vector<Result> results_;
    size_t in_progress_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> workers_;
};

}  // namespace xfer
