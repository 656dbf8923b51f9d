#include "shared/net/send_queue.hpp"

#include <iterator>

namespace xfer::net {

namespace {
constexpr size_t max_joined_bytes = 1024 * 1024;
}  // namespace

std::vector<uint8_t>& send_queue::bytes_for_append() {
    // Never into an urgent segment: later urgent frames join that one, and would land behind
    // this frame (between a PIECE header and its data).
    // Nor behind a large frame (a tree's manifest, ~10 bytes an entry): a small frame appended
    // to it would grow its buffer to twice its size (20 MB for a 1,000,000-entry tree, issue 11).
    const bool joinable = !segments_.empty() && !segments_.back().is_file() &&
                          segments_.back().sent == 0 && !segments_.back().urgent &&
                          segments_.back().bytes.size() < max_joined_bytes;
    if (!joinable) {
        segments_.emplace_back();
    }
    return segments_.back().bytes;
}

std::vector<uint8_t>& send_queue::bytes_for_urgent() {
    // Frame boundaries are where a bytes segment starts; the segment being sent (front, if any
    // of it left) and the file data of its PIECE frame are passed over. Urgent segments already
    // waiting there are joined or followed, so urgent frames stay in order.
    auto at = segments_.begin();
    if (at != segments_.end() && at->sent > 0) ++at;
    while (at != segments_.end() && at->is_file()) ++at;
    while (at != segments_.end() && at->urgent) {
        if (std::next(at) == segments_.end() || !std::next(at)->urgent) return at->bytes;
        ++at;
    }
    at = segments_.emplace(at);
    at->urgent = true;
    return at->bytes;
}

void send_queue::append_file(std::shared_ptr<const void> holder, int file_fd, uint64_t offset,
                             uint32_t length) {
    segment s;
    s.holder = std::move(holder);
    s.file_fd = file_fd;
    s.file_offset = offset;
    s.file_length = length;
    segments_.push_back(std::move(s));
    queued_file_bytes_ += length;
}

void send_queue::append_file_bytes(std::shared_ptr<const void> holder, const uint8_t* data,
                                   uint32_t length) {
    segment s;
    s.holder = std::move(holder);
    s.file_bytes = data;
    s.file_length = length;
    segments_.push_back(std::move(s));
    queued_file_bytes_ += length;
}

void send_queue::append_filling(std::shared_ptr<filling_bytes> filling) {
    queued_file_bytes_ += filling->length;
    segment s;
    s.file_length = filling->length;
    s.filling = std::move(filling);
    segments_.push_back(std::move(s));
}

uint64_t send_queue::queued_frame_bytes() const {
    uint64_t total = 0;
    for (const auto& s : segments_) {
        if (!s.is_file()) total += s.bytes.size() - s.sent;
    }
    return total;
}

io_result send_queue::flush(stream& out) {
    io_result total;
    while (!segments_.empty()) {
        auto& front = segments_.front();
        // Of a filling block, only what has been read so far can go.
        const size_t remaining =
            (front.filling ? front.filling->bytes.size() : front.size()) - front.sent;
        if (front.filling && remaining == 0 && front.sent < front.size())
            return total;  // a filling block waits for its next part
        io_result step;
        if (front.filling) {
            // `more` only with its last part: a part staged behind nothing would wait unsent.
            const bool last_part = front.sent + remaining == front.size();
            step = out.write_some({front.filling->bytes.data() + front.sent, remaining},
                                  last_part && segments_.size() > 1);
            if (step.bytes > 0) queued_file_bytes_ -= step.bytes;
        } else if (front.file_bytes != nullptr) {
            step = out.write_some({front.file_bytes + front.sent, remaining}, segments_.size() > 1);
            if (step.bytes > 0) queued_file_bytes_ -= step.bytes;
        } else if (front.is_file()) {
            // More queued behind it: a small range may be gathered with what follows.
            step = out.send_file(front.file_fd, front.file_offset + front.sent, remaining,
                                 segments_.size() > 1);
            if (step.bytes > 0) queued_file_bytes_ -= step.bytes;
        } else {
            // A frame header followed by file data: tell TCP more is coming so they share packets.
            const bool more = segments_.size() > 1 && segments_[1].is_file();
            step = out.write_some({front.bytes.data() + front.sent, remaining}, more);
        }
        total.bytes += step.bytes;
        front.sent += step.bytes;
        if (step.error || step.closed) {
            total.error = step.error;
            total.closed = step.closed;
            return total;
        }
        if (front.sent == front.size()) {
            segments_.pop_front();
            continue;
        }
        if (step.would_block || step.bytes < remaining) {
            total.would_block = true;
            return total;
        }
    }
    return total;
}

}  // namespace xfer::net
