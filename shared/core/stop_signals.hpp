// SIGINT and SIGTERM, handled on one thread of their own rather than in a signal handler.
//
// block_stop_signals() runs first in main(), before any thread exists, so every thread the
// process ever starts (ours, libzmq's, the hashers') inherits a mask with both signals blocked:
// no system call anywhere is interrupted by them (no EINTR out of zmq::poll, sendfile or
// connect), and no handler runs in the middle of a worker's work. One watcher thread takes the
// signals with sigwait():
//   - before request_stop_on_signal(): the process exits at once with status 130, as if the
//     signal had its default action (a command with nothing to save);
//   - after: the first signal sets the flag the command's loops poll; a second signal, or the
//     command still running `force_after` later, ends the process at once with status 130
//     (resume state is crash-safe, so this only skips the last checkpoint).
#pragma once

#include <chrono>

namespace xfer {

void block_stop_signals();

// Returns the flag (non-zero once a stop was asked), valid for the life of the process.
const volatile int* request_stop_on_signal(
    std::chrono::milliseconds force_after = std::chrono::seconds(5));

}  // namespace xfer
