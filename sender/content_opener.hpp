// Opens contents for the sender off its network thread: the first open of a large file hashes
// it, which must not stall uploads to everyone else. Results come back over a ZeroMQ PAIR so
// the sender's one zmq::poll loop wakes for them like for any socket.
#pragma once

#include <condition_variable>
#include <deque>
#include <expected>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "shared/store/piece_store.hpp"

namespace xfer::sender {

struct open_job {
    uint64_t connection_id = 0;
    uint32_t handle = 0;
    std::string path;
    std::optional<content_id> wanted;
};

struct open_result {
    open_job job;
    std::expected<std::shared_ptr<content_entry>, std::error_code> entry;
};

class content_opener {
public:
    content_opener(zmq::context_t& context, std::shared_ptr<piece_store> store);
    ~content_opener();

    void submit(open_job job);
    // The loop polls this socket; each message on it means take_results() has something.
    zmq::socket_t& ready_socket() { return ready_pull_; }
    std::vector<open_result> take_results();

private:
    void run();

    std::shared_ptr<piece_store> store_;
    zmq::socket_t ready_pull_;  // owned by the sender thread
    std::string endpoint_;
    zmq::context_t& context_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<open_job> jobs_;
    std::vector<open_result> results_;
    bool stopping_ = false;
    std::thread worker_;
};

}  // namespace xfer::sender
