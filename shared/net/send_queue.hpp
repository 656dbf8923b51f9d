// Outbound data of one connection: encoded frames and file ranges, written as the socket
// accepts them. File ranges go out with sendfile, so piece data never passes through user space.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "shared/net/stream.hpp"

namespace xfer::net {

// `length` bytes of `fd` at `offset`; `holder` keeps the descriptor open until it is sent. Or,
// with `fd` -1, `length` bytes at `data` that `holder` owns: file bytes already read (a tree's
// small files), so a block of many small files holds no descriptor while it waits.
struct file_range {
    std::shared_ptr<const void> holder;
    int fd = -1;
    uint64_t offset = 0;
    uint32_t length = 0;
    const uint8_t* data = nullptr;
};

// File bytes of one block read a part at a time (a tree's block of a great many small files,
// whose reading would hold a sender's loop for seconds): the queue sends what has been read so
// far and waits for the rest, and whatever is queued behind it waits behind it, so the frame
// stays whole. `bytes` is reserved for `length` when made, so it never moves while it grows.
struct filling_bytes {
    explicit filling_bytes(uint32_t block_length) : length(block_length) { bytes.reserve(length); }
    const uint32_t length;
    std::vector<uint8_t> bytes;  // read so far, at most `length`
    bool complete() const { return bytes.size() == length; }
};

class send_queue {
  public:
    // Appends encoded bytes (coalesced with the previous bytes segment when nothing of it went
    // out and it is not an urgent one).
    std::vector<uint8_t>& bytes_for_append();
    // Room for a small frame that must not wait behind queued file data (HAVE, DECLINE): it goes
    // out right after the frame being sent now, ahead of later frames, and urgent frames keep
    // their order among themselves. At 20 KB/s per receiver a HAVE queued behind 768 KiB of
    // PIECE data waited ~40 s, and receivers asked the seeder for the piece meanwhile (issue 13).
    std::vector<uint8_t>& bytes_for_urgent();
    // Appends `length` bytes of `file_fd` at `offset`. The holder keeps the file open until sent.
    void append_file(std::shared_ptr<const void> holder, int file_fd, uint64_t offset,
                     uint32_t length);
    // Appends `length` bytes of file data already read, at `data`, which `holder` owns: sent and
    // counted as file data (queued_file_bytes), never as a frame of its own.
    void append_file_bytes(std::shared_ptr<const void> holder, const uint8_t* data,
                           uint32_t length);

    // Appends a block's file data that is still being read (`filling->bytes` grows to its
    // length): flush sends what is there and stops at what is not yet.
    void append_filling(std::shared_ptr<filling_bytes> filling);

    // Writes until the socket would block, the queue is empty or its front is a filling block
    // waiting for more bytes (then neither would_block nor an error). Returns bytes written and
    // any fatal error.
    io_result flush(stream& out);

    bool empty() const { return segments_.empty(); }
    // Bytes of file data waiting (what REQUESTs have asked for and not yet left).
    uint64_t queued_file_bytes() const { return queued_file_bytes_; }
    // Bytes of encoded frames waiting: memory this queue holds (file ranges hold none). Walks
    // the segments, which stay few: frames coalesce, file ranges are refilled a little ahead.
    uint64_t queued_frame_bytes() const;

  private:
    struct segment {
        std::vector<uint8_t> bytes;  // used when holder is null
        std::shared_ptr<const void> holder;
        int file_fd = -1;
        const uint8_t* file_bytes = nullptr;     // file data already read (append_file_bytes)
        std::shared_ptr<filling_bytes> filling;  // file data being read (append_filling)
        uint64_t file_offset = 0;
        uint32_t file_length = 0;
        size_t sent = 0;
        bool urgent = false;  // from bytes_for_urgent: later urgent frames join it
        bool is_file() const { return file_fd >= 0 || file_bytes != nullptr || filling; }
        size_t size() const { return is_file() ? file_length : bytes.size(); }
    };
    std::deque<segment> segments_;
    uint64_t queued_file_bytes_ = 0;
};

}  // namespace xfer::net
