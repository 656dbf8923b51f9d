// DECLINE (a seeder's promises and sites, a busy sender's backlog) and what the sender still
// owes a receiver: the sender's side of who serves which piece.
#include <linux/sockios.h>
#include <sys/ioctl.h>

#include <algorithm>

#include "sender/upload_connection.hpp"
#include "shared/wire/frame.hpp"

namespace xfer::sender {

// A seeder declines a piece it just gave another receiver (see piece_promises.hpp); the
// decision is taken on a piece's first block and holds for its other blocks.
bool upload_connection::declines(const wire::request& request, const content_entry& entry) {
    const auto key = std::make_pair(request.handle, request.piece);
    if (request.offset != 0) return declined_.contains(key);
    declined_.erase(key);
    // Busy (upload_backlog.hpp): another holder, or this one a little later, serves it sooner.
    if (context_.backlog && context_.backlog->declines(id_)) {
        decline(request);
        return true;
    }
    if (!entry.complete) return false;
    const auto& hello = session_.remote_hello();
    const std::string_view site = hello ? std::string_view(hello->site) : std::string_view{};
    const uint32_t count = entry.manifest.piece_count();
    // One copy into each site (site_fanout.hpp), then one receiver at a time (piece_promises).
    if (context_.fanout.give(entry.id, count, request.piece, id_, site, read_at_)) {
        if (context_.promises.give(entry.id, count, request.piece, id_, read_at_)) return false;
        context_.fanout.withdraw(entry.id, request.piece, id_);
    }
    decline(request);
    return true;
}

void upload_connection::decline(const wire::request& request) {
    declined_.insert({request.handle, request.piece});
    session_.send_urgent(wire::decline_msg{request.handle, request.piece});
}

uint64_t upload_connection::bytes_acknowledged() const {
    const uint64_t written = session_.bytes_sent();
    return written - std::min(written, unacknowledged_bytes());
}

uint64_t upload_connection::owed_bytes() const {
    // What the socket holds counts up to one block: its buffer grows with the connection's
    // rate, and at 200 Mbit/s it held most of a second for each receiver, which made a swarm
    // that keeps up look busy (9 hosts: 1.63x the bound against 1.16x); at low rates the
    // receivers being sent to count, one block each.
    uint64_t owed =
        session_.queued_file_bytes() + std::min<uint64_t>(unacknowledged_bytes(), wire::block_size);
    for (const auto& request : pending_requests_) owed += request.length;
    return owed;
}

// Bytes written to the socket that the receiver has not acknowledged yet (0 when unknown).
uint64_t upload_connection::unacknowledged_bytes() const {
    int queued = 0;
    if (session_.fd() < 0 || ::ioctl(session_.fd(), SIOCOUTQ, &queued) != 0 || queued < 0) return 0;
    return static_cast<uint64_t>(queued);
}

void upload_connection::note_pieces_sent(clock::time_point now) {
    // Out means received: at 20 KB/s per receiver the socket's own buffer holds seconds of data.
    const uint64_t written = session_.bytes_sent();
    const uint64_t unacknowledged = std::min(written, unacknowledged_bytes());
    const auto sent = written - unacknowledged;
    while (!last_blocks_queued_.empty() && last_blocks_queued_.front().mark <= sent) {
        const auto& done = last_blocks_queued_.front();
        context_.promises.sent(done.content, done.piece, id_, now);
        context_.fanout.sent(done.content, done.piece, id_, now);
        last_blocks_queued_.pop_front();
    }
}

}  // namespace xfer::sender
