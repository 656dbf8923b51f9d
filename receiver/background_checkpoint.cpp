#include "receiver/background_checkpoint.hpp"

#include <chrono>

namespace xfer::receiver {

bool background_checkpoint::start(std::shared_ptr<content_entry> entry) {
    if (running()) return false;
    entry_ = std::move(entry);
    had_ = entry_->have.to_bytes();
    running_ = std::async(std::launch::async, [store = store_, entry = entry_, had = had_] {
        return store->checkpoint_bits(*entry, had);
    });
    return true;
}

std::error_code background_checkpoint::poll() {
    if (!running() || running_.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
        return {};
    return finish();
}

std::error_code background_checkpoint::wait() {
    if (!running()) return {};
    running_.wait();
    return finish();
}

std::error_code background_checkpoint::finish() {
    auto ec = running_.get();
    if (!ec) ec = store_->trim_journal(*entry_, had_);
    entry_.reset();
    return ec;
}

}  // namespace xfer::receiver
