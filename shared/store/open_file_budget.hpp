// How many files one part of a process may keep open: what it would like, or its share of the
// descriptors the process may open (RLIMIT_NOFILE) when that is less. A tree writer that kept
// 256 files open failed under `ulimit -n 128`; the rest of the limit is the sender's, ZeroMQ's
// and the threads' own.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <cstddef>

namespace xfer {

inline size_t open_file_budget(size_t wanted, size_t share_divisor) {
    struct rlimit open_files {};
    if (::getrlimit(RLIMIT_NOFILE, &open_files) != 0 || open_files.rlim_cur == RLIM_INFINITY)
        return wanted;
    return std::clamp<size_t>(static_cast<size_t>(open_files.rlim_cur) / share_divisor, 4, wanted);
}

}  // namespace xfer
