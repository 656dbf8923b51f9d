#include "sender/manifest_streamer.hpp"

#include <chrono>

#include "shared/core/notifying_worker.hpp"

namespace xfer::sender {
namespace {

// Wake-ups are coalesced: the loop reads every hash known when it wakes, so one wake-up per
// couple of milliseconds carries them all (a 1 GiB file has 2048 pieces hashed in ~0.6 s).
constexpr auto wakeup_interval = std::chrono::milliseconds(2);

}  // namespace

manifest_streamer::manifest_streamer(zmq::context_t& context, const std::atomic<bool>& stop)
    : context_(context),
      stop_(stop),
      endpoint_("inproc://xfer-manifest-streamer-" +
                std::to_string(notifying_worker_counter().fetch_add(1))),
      ready_(context, zmq::socket_type::pull) {
    ready_.set(zmq::sockopt::linger, 0);
    ready_.bind(endpoint_);
    thread_ = std::thread([this] { run(); });
}

manifest_streamer::~manifest_streamer() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        queue_.clear();
    }
    wake_.notify_all();
    thread_.join();
}

void manifest_streamer::start(std::shared_ptr<streamed_manifest> stream) {
    if (!stream->claim_start()) return;
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(stream));
    }
    wake_.notify_one();
}

void manifest_streamer::take_wakeups() {
    zmq::message_t ignored;
    while (ready_.recv(ignored, zmq::recv_flags::dontwait)) {
    }
}

void manifest_streamer::run() {
    zmq::socket_t ready(context_, zmq::socket_type::push);
    ready.set(zmq::sockopt::linger, 0);
    ready.connect(endpoint_);
    // The sender's stop, or this streamer's own (the loop ends before the sender stops hashing).
    std::atomic<bool> stop{false};
    for (;;) {
        std::shared_ptr<streamed_manifest> stream;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            stream = std::move(queue_.front());
            queue_.pop_front();
        }
        auto last_wakeup = std::chrono::steady_clock::time_point{};
        const auto progress = [&] {
            const auto now = std::chrono::steady_clock::now();
            stop.store(stop_.load() || stopping_.load());
            if (!stream->finished() && now - last_wakeup < wakeup_interval) return;
            last_wakeup = now;
            ready.send(zmq::str_buffer("h"), zmq::send_flags::dontwait);
        };
        stream->run(stop, progress);
    }
}

}  // namespace xfer::sender
