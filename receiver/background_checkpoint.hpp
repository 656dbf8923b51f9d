// The fetch's periodic resume checkpoint, off the fetch loop. Its flush waits for the disk (a
// tree's syncfs as long as the writeback of everything written since the last one: 0.4 s after
// the first 2 s of a 1 GiB tree here), and a loop that waits reads nothing from its sources
// meanwhile. So the flush and the state file are written on a thread of their own, and only the
// journal's trim, which must not race the loop's appends, is left to the loop.
#pragma once

#include <future>
#include <memory>
#include <system_error>
#include <vector>

#include "shared/store/content_entry.hpp"
#include "shared/store/piece_store.hpp"

namespace xfer::receiver {

class background_checkpoint {
  public:
    explicit background_checkpoint(std::shared_ptr<piece_store> store) : store_(std::move(store)) {}
    ~background_checkpoint() { (void)wait(); }
    background_checkpoint(const background_checkpoint&) = delete;
    background_checkpoint& operator=(const background_checkpoint&) = delete;

    bool running() const { return running_.valid(); }
    // Begins one for `entry` with the pieces it has now; false while one is still running.
    bool start(std::shared_ptr<content_entry> entry);
    // On the loop: once the running one is done, trims the journal. Its error, or none while it
    // runs or when there is none.
    std::error_code poll();
    // Waits for the running one and trims the journal: before the entry is finalized, replaced
    // or checkpointed on the loop.
    std::error_code wait();

  private:
    std::error_code finish();

    std::shared_ptr<piece_store> store_;
    std::shared_ptr<content_entry> entry_;
    std::vector<uint8_t> had_;
    std::future<std::error_code> running_;
};

}  // namespace xfer::receiver
