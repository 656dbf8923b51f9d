// A count of bytes several owners draw from, with a ceiling: the frame bodies all of a process's
// connections hold at once, however many peers feed it. Single-threaded (one loop owns it and
// every reader that draws from it); the budget must outlive its readers.
#pragma once

#include <cstddef>

namespace xfer::net {

class byte_budget {
  public:
    explicit byte_budget(size_t limit) : limit_(limit) {}
    byte_budget(const byte_budget&) = delete;
    byte_budget& operator=(const byte_budget&) = delete;

    // Takes `bytes` if they fit under the limit; false (nothing taken) otherwise.
    bool try_take(size_t bytes) {
        if (bytes > limit_ - in_use_) return false;
        in_use_ += bytes;
        if (in_use_ > peak_) peak_ = in_use_;
        return true;
    }
    void give_back(size_t bytes) { in_use_ -= bytes < in_use_ ? bytes : in_use_; }

    size_t limit() const { return limit_; }
    size_t in_use() const { return in_use_; }
    size_t peak() const { return peak_; }

  private:
    const size_t limit_;
    size_t in_use_ = 0;
    size_t peak_ = 0;
};

}  // namespace xfer::net
