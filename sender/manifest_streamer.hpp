// The sender's hashing thread for contents served before they are hashed (streamed_manifest):
// one content at a time, in the order they were first opened, each read piece by piece while
// the sender loop sends the hashes known so far. It wakes the loop through a PULL socket (its
// PUSH is created, used and closed on the hashing thread).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "shared/store/streamed_manifest.hpp"

namespace xfer::sender {

class manifest_streamer {
  public:
    // Hashing stops early (errc::cancelled) when `stop` becomes true.
    manifest_streamer(zmq::context_t& context, const std::atomic<bool>& stop);
    // Stops the thread: the content in hand ends cancelled, the queue is dropped.
    ~manifest_streamer();
    manifest_streamer(const manifest_streamer&) = delete;
    manifest_streamer& operator=(const manifest_streamer&) = delete;

    // Hashes `stream` unless someone started it already.
    void start(std::shared_ptr<streamed_manifest> stream);
    // Poll this (ZMQ_POLLIN); then take_wakeups() and look at what the streams know now.
    zmq::socket_t& ready_socket() { return ready_; }
    void take_wakeups();

  private:
    void run();

    zmq::context_t& context_;
    const std::atomic<bool>& stop_;
    std::atomic<bool> stopping_{false};
    const std::string endpoint_;
    zmq::socket_t ready_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::shared_ptr<streamed_manifest>> queue_;
    std::thread thread_;
};

}  // namespace xfer::sender
